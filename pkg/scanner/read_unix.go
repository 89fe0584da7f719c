//go:build unix

package scanner

import (
	"io"
	"os"
	"syscall"
)

// rawFile reads with plain system calls: no poller registration, no stat,
// and O_NOFOLLOW|O_NONBLOCK so that a symlink or FIFO swapped in after the
// folder was listed can neither redirect nor block the read.
type rawFile int

func openFile(name string) (rawFile, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
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
