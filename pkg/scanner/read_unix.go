//go:build unix && (!linux || portableread)

package scanner

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// rawFile reads with plain system calls and O_NOFOLLOW|O_NONBLOCK, as on
// Linux: a symlink or FIFO swapped in after the folder was listed can
// neither redirect nor block the read.
type rawFile int

const openFlags = syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func openFile(name string) (rawFile, error) {
	for {
		fd, err := syscall.Open(name, openFlags, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return rawFile(fd), nil
	}
}

func (f rawFile) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(f), p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f rawFile) Close() error { return syscall.Close(int(f)) }

func isEOF(err error) bool { return err == io.EOF }

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
