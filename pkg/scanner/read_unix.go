//go:build unix && (!linux || portableread)

package scanner

import (
	"errors"
	"syscall"
)

func closeFD(fd int) error { return syscall.Close(fd) }

func (w *worker) openAt(dir string, name []byte) (rawFile, error) {
	b := append(w.pathBuf[:0], w.s.opt.Root...)
	if dir != "" {
		b = append(append(b, '/'), dir...)
	}
	b = append(append(b, '/'), name...)
	w.pathBuf = b
	return openFile(string(b))
}

// notRegular reports errors that mean the path is not a regular file any
// more: a symlink (O_NOFOLLOW: ELOOP, or EMLINK on FreeBSD), a folder, or
// a socket.
func notRegular(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) ||
		errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EOPNOTSUPP)
}

// preadCached is read_linux.go's fast path, which other systems lack.
func preadCached(int, []byte, int64) (int, bool) { return 0, false }
