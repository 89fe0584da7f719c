//go:build unix && !linux

package gitindex

import "syscall"

const (
	oNonblock = syscall.O_NONBLOCK
	oNofollow = syscall.O_NOFOLLOW
)

func load(path string) ([]byte, func(), error) { return readAll(path) }
