//go:build unix

package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// long is a file name of NAME_MAX bytes.
var long = strings.Repeat("a", 250) + ".json"

func noTemps(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, TempPrefix+"*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// WriteFile on regular files, links to them and names that cannot be
// written; CheckWritable agrees with it beforehand.
func TestWriteFile(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) // makes dir/"out" (and what it needs)
		file  string           // the file that must hold the data after; "" for an error
		err   string
	}{
		{name: "new file", file: "out"},
		{name: "existing file", setup: func(d string) { os.WriteFile(filepath.Join(d, "out"), []byte("old"), 0o600) }, file: "out"},
		{name: "symlink to a file", setup: func(d string) {
			os.Mkdir(filepath.Join(d, "real"), 0o755)
			os.WriteFile(filepath.Join(d, "real", "r.json"), []byte("old"), 0o644)
			os.Symlink("real/r.json", filepath.Join(d, "out"))
		}, file: "real/r.json"},
		{name: "chain of symlinks", setup: func(d string) {
			os.WriteFile(filepath.Join(d, "r.json"), []byte("old"), 0o644)
			os.Symlink("r.json", filepath.Join(d, "l1"))
			os.Symlink(filepath.Join(d, "l1"), filepath.Join(d, "out"))
		}, file: "r.json"},
		{name: "dangling symlink", setup: func(d string) { os.Symlink("made.json", filepath.Join(d, "out")) }, file: "made.json"},
		{name: "symlink to a folder", setup: func(d string) {
			os.Mkdir(filepath.Join(d, "sub"), 0o755)
			os.Symlink("sub", filepath.Join(d, "out"))
		}, err: "it is a folder"},
		{name: "folder", setup: func(d string) { os.Mkdir(filepath.Join(d, "out"), 0o755) }, err: "it is a folder"},
		{name: "symlink loop", setup: func(d string) { os.Symlink("out", filepath.Join(d, "out")) }, err: "too many levels of symbolic links"},
		{name: "255-byte name", setup: func(d string) { os.Symlink(long, filepath.Join(d, "out")) }, file: long},
		{name: "255-byte name, existing", setup: func(d string) {
			os.WriteFile(filepath.Join(d, long), []byte("old"), 0o644)
			os.Symlink(long, filepath.Join(d, "out"))
		}, file: long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(dir)
			}
			out := filepath.Join(dir, "out")
			before, _ := os.Lstat(out)
			cerr := CheckWritable(out)
			err := WriteFile(out, []byte("new"), 0o644)
			noTemps(t, dir)
			if tt.err != "" {
				if err == nil || cerr == nil || err.Error() != tt.err || cerr.Error() != tt.err {
					t.Fatalf("WriteFile: %v; CheckWritable: %v; want %q", err, cerr, tt.err)
				}
				return
			}
			if err != nil || cerr != nil {
				t.Fatalf("WriteFile: %v; CheckWritable: %v", err, cerr)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, tt.file)); string(got) != "new" {
				t.Fatalf("%s holds %q", tt.file, got)
			}
			after, _ := os.Lstat(out)
			if before != nil && before.Mode().Type() != after.Mode().Type() {
				t.Errorf("out was %v, is %v", before.Mode().Type(), after.Mode().Type())
			}
		})
	}
}

// A replaced file keeps its mode; a new one gets the mode asked for.
func TestWriteFileMode(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "r.json")
	if err := WriteFile(name, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v", fi.Mode())
	}
	os.Chmod(name, 0o600)
	if err := WriteFile(name, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want 0600", fi.Mode())
	}
}

// Names that cannot be written are refused by CheckWritable, and the errors
// never name a temporary file.
func TestCannotWrite(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	tests := []struct{ path, err string }{
		{"missing/r.json", "its folder does not exist"},
		{"file/r.json", "part of its path is a file, not a folder"},
		{"file/sub/r.json", "part of its path is a file, not a folder"},
		{strings.Repeat("b", 256), "file name too long"},
	}
	if os.Geteuid() != 0 {
		os.Mkdir(filepath.Join(dir, "ro"), 0o555)
		tests = append(tests, struct{ path, err string }{"ro/r.json", "cannot create files in its folder: permission denied"})
	}
	for _, tt := range tests {
		name := filepath.Join(dir, tt.path)
		if err := CheckWritable(name); err == nil || err.Error() != tt.err {
			t.Errorf("CheckWritable(%s) = %v, want %q", tt.path, err, tt.err)
		}
		if err := WriteFile(name, []byte("x"), 0o644); err == nil || strings.Contains(err.Error(), TempPrefix) || strings.Contains(err.Error(), dir) {
			t.Errorf("WriteFile(%s) = %v", tt.path, err)
		}
	}
}

func isCharDevice(name string) bool {
	fi, err := os.Lstat(name)
	return err == nil && fi.Mode()&fs.ModeCharDevice != 0
}

// A device is written in place, never replaced by a regular file: first a
// copy of /dev/null made here (as root), then, only if that passed, the
// real one.
func TestWriteFileDevice(t *testing.T) {
	if os.Geteuid() == 0 {
		null := filepath.Join(t.TempDir(), "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(null, []byte("x"), 0o644); err != nil || !isCharDevice(null) {
			t.Fatalf("copy of /dev/null: %v; still a device: %v", err, isCharDevice(null))
		}
	}
	if !isCharDevice("/dev/null") {
		t.Skip("no /dev/null")
	}
	if err := CheckWritable("/dev/null"); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile("/dev/null", []byte("x"), 0o644); err != nil || !isCharDevice("/dev/null") {
		t.Fatalf("/dev/null: %v; still a device: %v", err, isCharDevice("/dev/null"))
	}
}

// A FIFO is written in place: all of a megabyte, through a pipe buffer of
// 64 KiB, to a reader; with no reader, an error at once rather than a hang.
func TestWriteFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	if err := CheckWritable(fifo); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(fifo, []byte("x"), 0o644)
	if err == nil || err.Error() != "it is a FIFO and no process is reading it; start the reader first" {
		t.Fatalf("no reader: %v", err)
	}

	// keep makes sure a reader exists when WriteFile opens the FIFO; it reads
	// nothing. The reader below opens blocking, so it waits for the writer.
	keep, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	got := make(chan []byte, 1)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- b
	}()
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if err := WriteFile(fifo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("read %d bytes of %d", len(b), len(data))
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v", fi.Mode())
	}
	noTemps(t, dir)
}

// /dev/stdout is a link to /proc/self/fd/1, which names an open file: what
// is behind it is written through (appended to, like the descriptor), and
// the links stay. A link made here stands in for /dev/stdout.
func TestWriteFileThroughProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	dir := t.TempDir()
	file, err := os.Create(filepath.Join(dir, "stdout.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.WriteString("text output\n")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, f := range []*os.File{file, w} {
		link := filepath.Join(dir, "stdout")
		os.Remove(link)
		os.Symlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), link)
		if err := CheckWritable(link); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(link, []byte("report\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link is gone or replaced: %v", err)
		}
	}
	if got, _ := os.ReadFile(file.Name()); string(got) != "text output\nreport\n" {
		t.Errorf("file behind the link holds %q", got)
	}
	buf := make([]byte, 100)
	if n, _ := r.Read(buf); string(buf[:n]) != "report\n" {
		t.Errorf("pipe behind the link got %q", buf[:n])
	}
	noTemps(t, dir)
}

// Replace keeps the setuid, setgid and sticky bits, and as root the owner
// too: the mode is set after the chown, which would clear setuid.
func TestReplaceKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, long)
	os.WriteFile(name, []byte("old"), 0o644)
	mode := 0o750 | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.Chown(name, 65534, 65534)
		os.Chmod(name, mode)
	}
	before, _ := os.Stat(name)
	if before.Mode() != mode {
		t.Skipf("file system keeps %v of %v", before.Mode(), mode)
	}
	if err := Replace(name, []byte("new"), before, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(name)
	if after.Mode() != mode {
		t.Errorf("mode %v, want %v", after.Mode(), mode)
	}
	if got, _ := os.ReadFile(name); string(got) != "new" {
		t.Errorf("content %q", got)
	}
	if b, a := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t); b.Uid != a.Uid || b.Gid != a.Gid {
		t.Errorf("owner %d:%d, was %d:%d", a.Uid, a.Gid, b.Uid, b.Gid)
	}
	noTemps(t, dir)
}

// A file with other hard links is refused, not split from them.
func TestReplaceRefusesHardLinks(t *testing.T) {
	dir := t.TempDir()
	name, other := filepath.Join(dir, "a.php"), filepath.Join(dir, "b.php")
	os.WriteFile(name, []byte("old"), 0o644)
	if err := os.Link(name, other); err != nil {
		t.Skip("no hard links:", err)
	}
	fi, _ := os.Stat(name)
	if err := Replace(name, []byte("new"), fi, nil); !errors.Is(err, ErrHardLinks) {
		t.Fatalf("err %v", err)
	}
	a, _ := os.ReadFile(name)
	b, _ := os.ReadFile(other)
	if string(a) != "old" || string(b) != "old" {
		t.Fatalf("contents %q and %q", a, b)
	}
	if fa, _ := os.Stat(name); !os.SameFile(fa, fi) {
		t.Fatal("a.php was replaced")
	}
}

// A rename that fails, and a veto, leave no temporary file and are
// reported without its name.
func TestReplaceFailures(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.php")
	os.WriteFile(name, []byte("old"), 0o644)
	fi, _ := os.Stat(name)
	veto := errors.New("changed")
	if err := Replace(name, []byte("new"), fi, func() error { return veto }); err != veto {
		t.Fatalf("veto: %v", err)
	}
	// It became a folder after it was read: the rename fails.
	os.Remove(name)
	os.Mkdir(name, 0o755)
	os.WriteFile(filepath.Join(name, "x"), nil, 0o644)
	err := Replace(name, []byte("new"), fi, nil)
	if err == nil || strings.Contains(err.Error(), TempPrefix) {
		t.Fatalf("rename over a folder: %v", err)
	}
	noTemps(t, dir)
}

// AppendFile appends, creates, and does not wait for a FIFO's reader.
func TestAppendFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "summary.md")
	for _, s := range []string{"a\n", "b\n"} {
		if err := AppendFile(name, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(name); string(b) != "a\nb\n" {
		t.Fatalf("got %q", b)
	}
	if err := AppendFile(dir, []byte("x"), 0o644); err != errIsDir {
		t.Fatalf("a folder: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	err := AppendFile(fifo, []byte("x"), 0o644)
	if err == nil || err.Error() != "it is a FIFO and no process is reading it; start the reader first" {
		t.Fatalf("no reader: %v", err)
	}
}

// ReadLimited never waits for the writer of a FIFO (a rule file or
// baseline that is one): with none, it is an error at once; with one, as
// for a process substitution (--baseline <(git show main:b.json)), what it
// writes is read.
func TestReadLimitedFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	type res struct {
		data []byte
		err  error
	}
	read := func() res {
		done := make(chan res, 1)
		go func() {
			data, err := ReadLimited(fifo, 1<<20)
			done <- res{data, err}
		}()
		select {
		case r := <-done:
			return r
		case <-time.After(30 * time.Second):
			t.Fatal("ReadLimited waits for a writer of the FIFO")
		}
		return res{}
	}
	if r := read(); !errors.Is(r.err, errNoWriter) || r.err.Error() != "read "+fifo+": it is a FIFO and no process is writing to it; start the writer first" {
		t.Fatalf("no writer: %q, %v", r.data, r.err)
	}

	// A writer that holds the FIFO open: the reader gets all it writes.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // RDWR: opens without waiting for a reader
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("x"), 200<<10) // more than a pipe buffer
	go func() {
		w.Write(want)
		w.Close()
	}()
	if r := read(); r.err != nil || !bytes.Equal(r.data, want) {
		t.Fatalf("with a writer: %d bytes, %v", len(r.data), r.err)
	}
}

// ReadLimited refuses a device that never ends and a folder at once,
// before any read, saying what they are; it reads a regular file or a
// link to one, and refuses a file over the limit by its size.
func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("data"), 0o644)
	os.Symlink("f", filepath.Join(dir, "link"))
	for _, c := range []struct{ name, want string }{
		{"/dev/zero", "read /dev/zero: it is a device, not a regular file"},
		{dir, "read " + dir + ": it is a folder, not a regular file"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadLimited(c.name, 1<<20)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || err.Error() != c.want || !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		case <-time.After(10 * time.Second):
			// Not a timing assertion: before, /dev/zero was read on.
			t.Fatalf("%s: still reading after 10 s", c.name)
		}
	}
	for _, name := range []string{"f", "link"} {
		if b, err := ReadLimited(filepath.Join(dir, name), 4); err != nil || string(b) != "data" {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	if _, err := ReadLimited(filepath.Join(dir, "f"), 3); err != ErrTooLarge {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadLimited(filepath.Join(dir, "missing"), 3); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
