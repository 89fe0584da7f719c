//go:build unix

package main

import (
	"io"
	"syscall"
)

// rawFile reads with plain system calls, as the scanner does.
type rawFile int

func openRaw(name string) (rawFile, error) {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	return rawFile(fd), err
}

func (f rawFile) Read(p []byte) (int, error) {
	n, err := syscall.Read(int(f), p)
	if err == nil && n == 0 {
		return 0, io.EOF
	}
	return n, err
}

func (f rawFile) Close() error { return syscall.Close(int(f)) }
