package gitindex

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
)

// ReadFile reads the index file at path (usually .git/index). hashSize is
// 20 in a SHA-1 repository, 32 in a SHA-256 one. Without the file, the
// error wraps fs.ErrNotExist; a path that is not a regular file (a FIFO, a
// device, a symlink) is an error, never waited on.
//
// On Linux the file is mapped rather than read: its pages are already in
// the page cache, while a fresh buffer costs a page fault per 4 KiB, and
// page faults dominate a short run's time on virtual machines. Read copies
// what it keeps, so the mapping is gone when ReadFile returns.
func ReadFile(path string, hashSize int) (*Index, error) {
	return Config{}.ReadFile(path, hashSize)
}

// ReadFile is the package's ReadFile, keeping what c says.
func (c Config) ReadFile(path string, hashSize int) (*Index, error) {
	data, release, err := load(path)
	if err != nil {
		return nil, err
	}
	defer release()
	return c.readGuarded(path, data, hashSize)
}

// errNotRegular is wrapped when the index is not a regular file.
var errNotRegular = errors.New("not a regular file")

func checkRegular(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return nil
}

// readGuarded runs Read on data that may be a mapping of a file that
// another process truncates meanwhile: the fault that would kill the
// process becomes an error. (git itself replaces the index by renaming a
// new file over it, which leaves a mapping of the old one intact.) Keep
// runs under the guard too: the path it is given may be in the mapping.
func (c Config) readGuarded(path string, data []byte, hashSize int) (idx *Index, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); !ok {
				panic(r)
			}
			idx, err = nil, fmt.Errorf("gitindex: %s shrank while it was read", path)
		}
	}()
	return c.Read(data, hashSize)
}

// openRegular opens path for reading if it is a regular file: a FIFO is
// not waited on (O_NONBLOCK), a symlink not followed (O_NOFOLLOW).
func openRegular(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock|oNofollow, 0)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// readAll is load without a mapping.
func readAll(path string) ([]byte, func(), error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data := make([]byte, size)
	n, err := f.ReadAt(data, 0)
	if n < len(data) {
		return nil, nil, fmt.Errorf("gitindex: %s shrank while it was read: %v", path, err)
	}
	return data, func() {}, nil
}
