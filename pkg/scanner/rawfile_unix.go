//go:build unix

package scanner

import (
	"io"
	"os"
	"syscall"
)

// rawFile reads with plain system calls: no poller registration, no stat,
// and O_NOFOLLOW|O_NONBLOCK so that a symlink or FIFO swapped in after the
// folder was listed can neither redirect nor block the read. It is the
// same on every unix system; how a worker opens one (openAt), what a
// failed open means (notRegular) and how a big file's chunks get their own
// descriptor (reopen) are in read_linux.go and chunk_linux.go, or in their
// read_unix.go and chunk_unix.go twins on the other systems, as is the
// system call that closes (closeFD: raw on Linux).
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

func (f rawFile) Close() error { return closeFD(int(f)) }

func isEOF(err error) bool { return err == io.EOF }

func (f rawFile) readAt(p []byte, off int64) (int, error) {
	if n, ok := preadCached(int(f), p, off); ok {
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
	for {
		n, err := syscall.Pread(int(f), p, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// fileSize returns the size of the regular file that r reads.
func fileSize(r reader) (int64, bool) {
	f, ok := r.(rawFile)
	if !ok {
		return 0, false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f), &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return 0, false
	}
	return int64(st.Size), true
}
