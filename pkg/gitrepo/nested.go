package gitrepo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// IsNested reports whether dir holds a repository of its own that git
// would list as one untracked entry rather than walk into: its .git is a
// git folder, or a gitdir file that names one or that cannot be read (git's
// is_nonbare_repository_dir).
func IsNested(dir string) bool {
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Stat(dotGit)
	if err != nil {
		return false
	}
	if fi.Mode().IsRegular() {
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return true // git plays safe with a gitdir file it cannot read
		}
		target, ok := gitfileTarget(b, dir)
		return ok && isGitDir(target)
	}
	return isGitDir(dotGit)
}

// isGitDir is git's is_git_directory: a valid HEAD, and objects and refs
// that can be entered.
func isGitDir(d string) bool {
	if !validHead(filepath.Join(d, "HEAD")) {
		return false
	}
	common, err := commonDir(d)
	return err == nil && canEnter(filepath.Join(common, "objects")) && canEnter(filepath.Join(common, "refs"))
}

// validHead is git's validate_headref: a symlink into refs/, a symbolic
// ref "ref: refs/...", or an object name in hex.
func validHead(p string) bool {
	fi, err := os.Lstat(p)
	if err != nil {
		return false
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := os.Readlink(p)
		return err == nil && strings.HasPrefix(t, "refs/")
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	buf := make([]byte, 255)
	n, _ := f.Read(buf)
	f.Close()
	buf = buf[:n]
	if rest, ok := bytes.CutPrefix(buf, []byte("ref:")); ok {
		rest = bytes.TrimLeft(rest, " \t\n\r")
		if bytes.HasPrefix(rest, []byte("refs/")) {
			return true
		}
	}
	return isHex(buf, 64) || isHex(buf, 40)
}

func isHex(b []byte, n int) bool {
	if len(b) < n {
		return false
	}
	for _, c := range b[:n] {
		if !(isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')) {
			return false
		}
	}
	return true
}
