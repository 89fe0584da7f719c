//go:build !unix

package gitrepo

import (
	"io/fs"
	"os"
)

// ownedBy is false where owners are not user ids (Windows compares
// security identifiers): git itself decides safe.directory there, so every
// repository is listed by git.
func ownedBy(fs.FileInfo, int) bool { return false }

// canEnter stands in for access(X_OK), which only unix has.
func canEnter(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
