//go:build !unix

package gitindex

import "os"

const oNonblock, oNofollow = 0, 0

// load checks the path before opening it: without O_NOFOLLOW and
// O_NONBLOCK, that is how a link or a FIFO is refused here.
func load(path string) ([]byte, func(), error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, nil, err
	}
	return readAll(path)
}
