//go:build unix

package gitindex

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// An index that is not a regular file is an error at once: a FIFO is not
// waited on, a symlink not followed.
func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := ReadFile(fifo, 20); err == nil {
		t.Fatal("a FIFO was read")
	}
	real := filepath.Join(dir, "real")
	if err := os.WriteFile(real, encode(2, 20, sample(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(link, 20); err == nil {
		t.Fatal("a symlink was followed")
	}
	if _, err := ReadFile(dir, 20); err == nil {
		t.Fatal("a folder was read")
	}
}

// The mapped and the plainly read file give the same entries.
func TestLoadEqualsReadAll(t *testing.T) {
	for _, v := range []int{2, 3, 4} {
		path := filepath.Join(t.TempDir(), "index")
		if err := os.WriteFile(path, encode(v, 32, sample(v > 2)), 0o644); err != nil {
			t.Fatal(err)
		}
		mapped, err := ReadFile(path, 32)
		if err != nil {
			t.Fatal(err)
		}
		data, release, err := readAll(path)
		if err != nil {
			t.Fatal(err)
		}
		release()
		plain, err := Read(data, 32)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(mapped, plain) {
			t.Fatalf("v%d: mapped and read differ", v)
		}
	}
	empty := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(empty, 20); err == nil || errors.Is(err, ErrUnsupported) {
		t.Fatalf("an empty index: %v", err)
	}
}
