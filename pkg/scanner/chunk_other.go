//go:build !unix

package scanner

import (
	"errors"
	"os"
)

// fileSize returns the size of the regular file that r reads.
func fileSize(r reader) (int64, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}

// reopen opens the file that r reads a second time, for its chunks to share
// after r is closed, and checks that it is still the same file.
func reopen(r reader) (pfile, error) {
	f := r.(*os.File)
	g, err := os.Open(f.Name())
	if err != nil {
		return nil, err
	}
	a, err1 := f.Stat()
	b, err2 := g.Stat()
	if err1 != nil || err2 != nil || !os.SameFile(a, b) {
		g.Close()
		return nil, errors.New("the file was replaced")
	}
	return osFile{g}, nil
}

type osFile struct{ *os.File }

func (f osFile) readAt(p []byte, off int64) (int, error) {
	n, err := f.ReadAt(p, off)
	if n > 0 || err == nil {
		return n, nil
	}
	return 0, err
}
