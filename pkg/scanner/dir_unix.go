//go:build unix && (!linux || portableread)

package scanner

import (
	"io/fs"
	"os"
	"syscall"
)

// readDir lists a folder opened with O_NOFOLLOW, so that a symlink swapped
// in for it after its parent was listed is not entered.
func readDir(path string, _ []byte, fn func(name []byte, typ fs.FileMode)) error {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	ents, err := f.ReadDir(-1)
	for _, e := range ents {
		fn([]byte(e.Name()), e.Type())
	}
	return err
}
