//go:build unix

package fix

import (
	"os"
	"syscall"
)

// keepOwner gives the new file the old one's owner, where we may.
func keepOwner(tmp string, fi os.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		os.Lchown(tmp, int(st.Uid), int(st.Gid))
	}
}
