package gitindex

import "syscall"

const (
	oNonblock = syscall.O_NONBLOCK
	oNofollow = syscall.O_NOFOLLOW
)

// load maps the file read-only, its pages mapped at once (MAP_POPULATE)
// rather than faulted in one by one.
func load(path string) ([]byte, func(), error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if size == 0 || size != int64(int(size)) {
		return readAll(path) // nothing to map, or too much for this platform
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return readAll(path)
	}
	return data, func() { syscall.Munmap(data) }, nil
}
