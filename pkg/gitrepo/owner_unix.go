//go:build unix

package gitrepo

import (
	"io/fs"
	"syscall"
)

// ownedBy reports whether fi's owner is the user uid, as git's
// safe.directory check requires.
func ownedBy(fi fs.FileInfo, uid int) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid
}

// canEnter is access(X_OK), as git's is_git_directory asks it.
func canEnter(dir string) bool { return syscall.Access(dir, 1) == nil }
