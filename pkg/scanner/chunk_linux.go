//go:build linux && !portableread

package scanner

import "syscall"

// reopen returns a second descriptor of the file that r reads, which its
// chunks share after r is closed.
func reopen(r reader) (pfile, error) {
	for {
		fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(r.(rawFile)), syscall.F_DUPFD_CLOEXEC, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return nil, errno
		}
		return rawFile(fd), nil
	}
}
