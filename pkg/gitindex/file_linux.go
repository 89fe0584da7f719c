package gitindex

import (
	"os"
	"syscall"
)

const (
	oNonblock = syscall.O_NONBLOCK
	oNofollow = syscall.O_NOFOLLOW
)

// load maps the file read-only, its pages mapped at once (MAP_POPULATE)
// rather than faulted in one by one.
func load(path string) ([]byte, func(), error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock|oNofollow, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 || size != int64(int(size)) {
		return readAll(path) // nothing to map, or too much for this platform
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return readAll(path)
	}
	return data, func() { syscall.Munmap(data) }, nil
}
