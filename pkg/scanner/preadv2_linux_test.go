//go:build linux && (amd64 || arm64) && !portableread

package scanner

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPreadCached holds a big file's reads to the file's bytes whether the
// page cache has them (preadCached) or not (the plain pread after it).
func TestPreadCached(t *testing.T) {
	want := make([]byte, 3<<20+17)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range want {
		want[i] = byte(rng.Uint32())
	}
	name := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(name, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := openFile(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	readAll := func() []byte {
		t.Helper()
		var got []byte
		buf := make([]byte, 100<<10+3)
		for off := int64(0); ; {
			n, err := f.readAt(buf, off)
			got = append(got, buf[:n]...)
			off += int64(n)
			if err == io.EOF {
				return got
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, ok := preadCached(int(f), make([]byte, 10), 0); !ok {
		t.Skip("this file system does not read with RWF_NOWAIT")
	}
	if got := readAll(); !bytes.Equal(got, want) {
		t.Fatalf("cached: read %d bytes, not the file's %d", len(got), len(want))
	}
	if n, ok := preadCached(int(f), make([]byte, 10), int64(len(want))); !ok || n != 0 {
		t.Fatalf("at the end: %d, %v; want 0, true", n, ok)
	}
	// Out of the page cache: every read goes to the plain pread.
	if err := syscall.Fsync(int(f)); err != nil {
		t.Fatal(err)
	}
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, uintptr(f), 0, 0, 4 /* POSIX_FADV_DONTNEED */, 0, 0); errno != 0 {
		t.Fatal(errno)
	}
	_, cached := preadCached(int(f), make([]byte, 10), 2<<20)
	if got := readAll(); !bytes.Equal(got, want) {
		t.Fatalf("evicted: read %d bytes, not the file's %d", len(got), len(want))
	}
	t.Logf("after eviction, the page cache still held the middle: %v", cached)
}
