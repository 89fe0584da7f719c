package gitsrc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// readAll opens each blob through one reader and returns its contents.
func readAll(t *testing.T, br *BlobReader, id string) string {
	t.Helper()
	rc, size, err := br.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || int64(len(b)) != size {
		t.Fatalf("%s: %d of %d bytes, %v", id, len(b), size, err)
	}
	return string(b)
}

// Staged lists regular files only, with their staged ids and modes: before
// the first commit everything, after it what changed, type changes included.
func TestStagedKinds(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "app/a.php", "a1")
	write(t, dir, "app/b.php", "b1")
	write(t, dir, "app/gone.php", "g")
	write(t, dir, "app/old.php", "o")
	write(t, dir, "app/run.sh", "r")
	write(t, dir, "app/target.php", "t")
	if err := os.Symlink("target.php", filepath.Join(dir, "app/link.php")); err != nil {
		t.Skip("no symlinks:", err)
	}
	os.Symlink("target.php", filepath.Join(dir, "app/stays-link.php"))
	git(t, dir, "add", ".")
	ctx := context.Background()

	// No HEAD yet: every regular file in the index, no symlink.
	got, err := Staged(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if paths := blobPaths(got); !reflect.DeepEqual(paths, []string{"app/a.php", "app/b.php", "app/gone.php", "app/old.php", "app/run.sh", "app/target.php"}) {
		t.Fatalf("first commit: %q", paths)
	}
	git(t, dir, "commit", "-q", "-m", "init")

	write(t, dir, "app/a.php", "a2")        // modified
	write(t, dir, "app/new.php", "n")       // added
	git(t, dir, "rm", "-q", "app/gone.php") // deleted
	git(t, dir, "mv", "app/old.php", "app/moved.php")
	os.Chmod(filepath.Join(dir, "app/run.sh"), 0o755) // mode change
	os.Remove(filepath.Join(dir, "app/link.php"))     // symlink -> file: type change
	write(t, dir, "app/link.php", "now a file")
	os.Remove(filepath.Join(dir, "app/b.php")) // file -> symlink: not regular
	os.Symlink("target.php", filepath.Join(dir, "app/b.php"))
	git(t, dir, "add", "-A")
	got, err = Staged(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "ls-files", "-s")), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		index[path] = meta
	}
	var want []Blob
	for _, p := range []string{"app/a.php", "app/link.php", "app/moved.php", "app/new.php", "app/run.sh"} {
		f := strings.Fields(index[p])
		want = append(want, Blob{Path: p, ID: f[1], Mode: f[0]})
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if got[4].Mode != "100755" {
		t.Errorf("run.sh mode %s", got[4].Mode)
	}
	br, err := NewBlobReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if s := readAll(t, br, got[1].ID); s != "now a file" {
		t.Errorf("link.php staged as %q", s)
	}

	entries, err := IndexEntries(ctx, dir, []string{"app/b.php", "app/new.php", "app/nowhere.php", "app/target.php"})
	if err != nil {
		t.Fatal(err)
	}
	if paths := blobPaths(entries); !reflect.DeepEqual(paths, []string{"app/new.php", "app/target.php"}) {
		t.Errorf("IndexEntries: %q", paths)
	}
}

func blobPaths(bs []Blob) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Path)
	}
	return out
}

// 30,000 staged files with long names: more than fits in a command line
// (2 MiB with an 8 MiB stack, 6 MiB at most), so no path goes on one. They
// are staged straight into the index, sharing 100 blobs, to keep it quick.
func TestStagedMany(t *testing.T) {
	dir := newRepo(t)
	const n, distinct = 30000, 100
	scratch := t.TempDir()
	var list bytes.Buffer
	for i := 0; i < distinct; i++ {
		p := filepath.Join(scratch, fmt.Sprint(i))
		os.WriteFile(p, []byte(fmt.Sprintf("<?php // %d\n", i)), 0o644)
		list.WriteString(p + "\n")
	}
	cmd := exec.Command("git", "hash-object", "-w", "--stdin-paths")
	cmd.Dir, cmd.Stdin = dir, &list
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Fields(string(out))
	paths := make([]string, n)
	var info bytes.Buffer
	for i := range paths {
		paths[i] = fmt.Sprintf("app/%s%02d/%s%05d.php", strings.Repeat("d", 100), i/1000, strings.Repeat("f", 100), i)
		fmt.Fprintf(&info, "100644 %s\t%s\x00", ids[i%distinct], paths[i])
	}
	cmd = exec.Command("git", "update-index", "--add", "-z", "--index-info")
	cmd.Dir, cmd.Stdin = dir, &info
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Packed, an object reads in tens of microseconds; loose, each takes
	// three opens and maps (0.4 ms on a small VM).
	git(t, dir, "repack", "-q", "-a", "-d")
	ctx := context.Background()
	check := func(what string, blobs []Blob, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %.300v", what, err)
		}
		if len(blobs) != n {
			t.Fatalf("%s: %d blobs", what, len(blobs))
		}
	}
	staged, err := Staged(ctx, dir)
	check("Staged", staged, err)
	entries, err := IndexEntries(ctx, dir, paths)
	check("IndexEntries", entries, err)
	if !reflect.DeepEqual(staged, entries) {
		t.Fatal("Staged and IndexEntries disagree")
	}
	br, err := NewBlobReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	for _, b := range staged {
		var i int
		fmt.Sscanf(b.Path[len(b.Path)-9:], "%05d.php", &i)
		if got := readAll(t, br, b.ID); got != fmt.Sprintf("<?php // %d\n", i%distinct) {
			t.Fatalf("%s: %q", b.Path, got)
		}
	}
}

// A large staged blob is streamed: reading it allocates a fixed amount,
// whatever its size.
func TestBlobReaderFlatMemory(t *testing.T) {
	size := 64 << 20
	if testing.Short() || raceBuild {
		size = 16 << 20
	}
	dir := newRepo(t)
	f, err := os.Create(filepath.Join(dir, "big.txt"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	line := []byte(strings.Repeat("abcdefgh ", 1000) + "\n")
	for written := 0; written < size; written += len(line) {
		f.Write(line)
		h.Write(line)
	}
	f.Close()
	want := h.Sum(nil)
	git(t, dir, "-c", "core.compression=0", "add", "big.txt")
	ctx := context.Background()
	staged, err := Staged(ctx, dir)
	if err != nil || len(staged) != 1 {
		t.Fatal(staged, err)
	}
	br, err := NewBlobReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()

	buf := make([]byte, 256<<10)
	h.Reset()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rc, n, err := br.Open(staged[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	copied, err := io.CopyBuffer(h, struct{ io.Reader }{rc}, buf)
	rc.Close()
	runtime.ReadMemStats(&after)
	if err != nil || copied != n || n < int64(size) || !bytes.Equal(h.Sum(nil), want) {
		t.Fatalf("read %d of %d bytes: %v", copied, n, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d KiB reading a %d MiB blob", grew>>10, n>>20)
	}
	t.Logf("allocated %d KiB reading a %d MiB blob", (after.TotalAlloc-before.TotalAlloc)>>10, n>>20)
}

// A reader closed early leaves the process ready for the next object,
// whether the rest was drained (small) or the process restarted (large).
func TestBlobReaderEarlyClose(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "small.txt", strings.Repeat("s", 1000))
	write(t, dir, "large.txt", strings.Repeat("l", 3*drainMax))
	write(t, dir, "other.txt", "other")
	git(t, dir, "add", ".")
	ids := map[string]string{}
	staged, err := Staged(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range staged {
		ids[b.Path] = b.ID
	}
	br, err := NewBlobReader(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	for _, first := range []string{"small.txt", "large.txt"} {
		rc, _, err := br.Open(ids[first])
		if err != nil {
			t.Fatal(err)
		}
		rc.Read(make([]byte, 10))
		rc.Close()
		rc.Close() // twice is harmless
		if got := readAll(t, br, ids["other.txt"]); got != "other" {
			t.Fatalf("after closing %s early: %q", first, got)
		}
	}
}

// Missing, unreadable or corrupt objects, and ids that are not blobs, are
// errors, and the next object still reads.
func TestBlobReaderBadObjects(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "app/good.php", "good")
	write(t, dir, "app/corrupt.php", "will be corrupt")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "init")
	good := strings.TrimSpace(git(t, dir, "rev-parse", ":app/good.php"))
	corrupt := strings.TrimSpace(git(t, dir, "rev-parse", ":app/corrupt.php"))
	tree := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD:app"))
	obj := filepath.Join(dir, ".git", "objects", corrupt[:2], corrupt[2:])
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	br, err := NewBlobReader(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	for id, want := range map[string]string{
		"0123456789abcdef0123456789abcdef01234567": "is missing or cannot be read",
		corrupt:               "is missing or cannot be read",
		tree:                  "is a tree, not a blob",
		"HEAD":                "not an object id",
		good + "\n" + good:    "not an object id",
		strings.ToUpper(good): "not an object id",
	} {
		rc, _, err := br.Open(id)
		if err == nil {
			rc.Close()
			t.Fatalf("%q: no error", id)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", id, err, want)
		}
		if got := readAll(t, br, good); got != "good" {
			t.Fatalf("after %q: %q", id, got)
		}
	}
}

// Readers from many goroutines take turns and each gets its own object.
func TestBlobReaderConcurrent(t *testing.T) {
	dir := newRepo(t)
	for i := 0; i < 50; i++ {
		write(t, dir, fmt.Sprintf("f%02d", i), strings.Repeat(fmt.Sprint(i), 1000*i))
	}
	git(t, dir, "add", ".")
	staged, err := Staged(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	br, err := NewBlobReader(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(staged))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range staged {
				rc, _, err := br.Open(b.ID)
				if err != nil {
					errs <- err
					continue
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				var i int
				fmt.Sscanf(b.Path, "f%d", &i)
				if err != nil || string(data) != strings.Repeat(fmt.Sprint(i), 1000*i) {
					errs <- fmt.Errorf("%s: %d bytes, %v", b.Path, len(data), err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := br.Close(); err != nil {
		t.Error(err)
	}
	if _, _, err := br.Open(staged[0].ID); err == nil {
		t.Error("Open after Close")
	}
}

// A cancelled context ends the reads.
func TestBlobReaderCancel(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "a", "a")
	git(t, dir, "add", ".")
	id := strings.TrimSpace(git(t, dir, "rev-parse", ":a"))
	ctx, cancel := context.WithCancel(context.Background())
	br, err := NewBlobReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, _, err := br.Open(id); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
}
