//go:build unix

package fileio

import (
	"os"
	"syscall"
)

const (
	nonblock = syscall.O_NONBLOCK
	wOK      = 2 // W_OK
	xOK      = 1 // X_OK
)

func access(name string, mode uint32) error {
	if err := syscall.Access(name, mode); err != nil {
		return &os.PathError{Op: "access", Path: name, Err: err}
	}
	return nil
}

// chown gives f fi's owner and group, where we may.
func chown(f *os.File, fi os.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}

func links(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
