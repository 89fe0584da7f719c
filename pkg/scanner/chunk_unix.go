//go:build unix && (!linux || portableread)

package scanner

import (
	"io"
	"syscall"
)

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

// reopen returns a second descriptor of the file that r reads, which its
// chunks share after r is closed.
func reopen(r reader) (pfile, error) {
	// ForkLock: no child may inherit the descriptor before it is close-on-exec.
	syscall.ForkLock.RLock()
	fd, err := syscall.Dup(int(r.(rawFile)))
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	return rawFile(fd), nil
}

func (f rawFile) readAt(p []byte, off int64) (int, error) {
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
