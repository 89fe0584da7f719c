//go:build unix

package scanner

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// TestSpecialFiles: symlinks are not followed, FIFOs are never opened, and
// the scan still finishes.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "real.txt"), []byte("LegacyRun\n"), 0o644)
	os.Symlink("real.txt", filepath.Join(dir, "link.txt"))
	os.Symlink(".", filepath.Join(dir, "loop"))
	os.Symlink("missing", filepath.Join(dir, "dangling"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	done := make(chan *Result)
	go func() {
		res, _ := e.Scan(context.Background(), Options{Root: dir})
		done <- res
	}()
	select {
	case res := <-done:
		if got := positions(res); !reflect.DeepEqual(got, []string{"real.txt:1:1-10:LegacyRun"}) {
			t.Fatalf("findings %v", got)
		}
		if res.Stats.FilesSkipped != 4 || len(res.Errors) != 0 {
			t.Fatalf("stats %+v errors %v", res.Stats, res.Errors)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("scan blocked on a FIFO or a symlink loop")
	}
}

// A socket and a device node are skipped without being opened.
func TestSocketAndDevice(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("LegacyRun"), 0o644)
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Skip("no unix sockets:", err)
	}
	defer l.Close()
	want := 1
	if os.Geteuid() == 0 {
		// /dev/zero's numbers: reading it would never end.
		if err := syscall.Mknod(filepath.Join(dir, "zero"), syscall.S_IFCHR|0o644, 1<<8|5); err == nil {
			want++
		}
	}
	res := scanDir(t, dir, Options{})
	if len(res.Findings) != 1 || res.Stats.FilesSkipped != want || len(res.Errors) != 0 {
		t.Fatalf("findings %d skipped %d (want %d) errors %v", len(res.Findings), res.Stats.FilesSkipped, want, res.Errors)
	}
}

// TestSwappedAfterListing: a lister that says "regular file" (git's index
// does) for what is by now a symlink, a FIFO, a folder or a socket: the open
// neither follows, nor blocks, nor fails the run. The symlinks point at
// files with findings, which must not be reported under the link's name.
// With -tags portableread this runs the read path of the other unix
// systems (macOS, the BSDs) on Linux.
func TestSwappedAfterListing(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "real.txt"), []byte("LegacyRun\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "in.txt"), []byte("LegacyRun\n"), 0o644)
	os.Symlink("real.txt", filepath.Join(dir, "link.txt"))
	os.Symlink("sub", filepath.Join(dir, "linkdir"))
	os.Mkdir(filepath.Join(dir, "folder"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A writer that never writes: a blocking open or read would hang.
	w, err := os.OpenFile(filepath.Join(dir, "fifo"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err == nil {
		defer l.Close()
	}
	names := []string{"fifo", "folder", "link.txt", "linkdir", "real.txt", "sock"}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	for _, typed := range []bool{true, false} {
		src := sourceFunc(func(add func([]Entry)) error {
			var es []Entry
			for _, n := range names {
				es = append(es, Entry{Path: n, Regular: typed})
			}
			add(es)
			// A folder to walk, swapped for a symlink.
			if typed {
				add([]Entry{{Path: "linkdir", Walk: true}})
			}
			return nil
		})
		done := make(chan *Result, 1)
		go func() {
			res, _ := e.Scan(context.Background(), Options{Root: dir, Source: src})
			done <- res
		}()
		select {
		case res := <-done:
			if got := positions(res); !reflect.DeepEqual(got, []string{"real.txt:1:1-10:LegacyRun"}) {
				t.Errorf("typed=%v: findings %v", typed, got)
			}
			for _, fe := range res.Errors {
				if fe.Path != "fifo" { // a FIFO with a writer: EAGAIN, not a hang
					t.Errorf("typed=%v: error %v", typed, fe)
				}
			}
		case <-time.After(time.Minute):
			t.Fatalf("typed=%v: the scan blocked", typed)
		}
	}
}

// TestReadDirNoFollow: a folder swapped for a symlink is not listed.
func TestReadDirNoFollow(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "in.txt"), nil, 0o644)
	os.Symlink("sub", filepath.Join(dir, "link"))
	var got []string
	err := readDir(filepath.Join(dir, "link"), make([]byte, 8192), func(name []byte, _ fs.FileMode) { got = append(got, string(name)) })
	if err == nil || len(got) != 0 {
		t.Fatalf("readDir through a symlink: %v, %q", err, got)
	}
	if err := readDir(filepath.Join(dir, "sub"), make([]byte, 8192), func(name []byte, _ fs.FileMode) { got = append(got, string(name)) }); err != nil || !reflect.DeepEqual(got, []string{"in.txt"}) {
		t.Fatalf("readDir: %v, %q", err, got)
	}
}

// mkfifo makes a FIFO, for tests that also build where there are none.
func mkfifo(name string) error { return syscall.Mkfifo(name, 0o644) }
