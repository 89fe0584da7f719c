//go:build unix && (!linux || portableread)

package scanner

import "syscall"

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
