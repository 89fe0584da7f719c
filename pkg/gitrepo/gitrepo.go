// Package gitrepo reads what listing a work tree's files needs without running git, and says when only git can answer.
package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrUnsupported means the repository uses something that only git itself
// reads right (an environment override, a config include, a work tree
// elsewhere, foreign ownership): the caller asks git instead.
var ErrUnsupported = errors.New("only git can list this repository")

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, a...))
}

// Repo is a work tree as git's listing sees it.
type Repo struct {
	Top        string // the work tree's top folder
	GitDir     string // its own git folder (a linked worktree's is under the main one)
	CommonDir  string // the git folder it shares with its linked worktrees
	HashSize   int    // 20 for SHA-1, 32 for SHA-256 object names
	IgnoreCase bool   // core.ignoreCase
	// ExcludesFile is core.excludesFile, or its default under the user's
	// config folder; "" if there is none.
	ExcludesFile string
	// FilterKeys are the config keys of filter drivers (filter.<name>.<key>),
	// which a diff must turn off.
	FilterKeys []string
}

// Env is what of the environment git would read.
type Env struct {
	Getenv func(string) string
	Euid   int // the user that must own the repository (os.Geteuid())
	// SystemConfig is git's system-wide config file ("" for none).
	SystemConfig string
}

// locations are the variables that move the repository's folders: with
// any of them set, only git can find them.
var locations = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
	"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
}

// overrides are the variables that change which index, config or pathspec
// rules git uses.
var overrides = []string{
	"GIT_INDEX_FILE", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM",
	"GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS", "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS",
	"GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_NAMESPACE",
}

// Open reads the repository whose work tree's top is top.
func Open(top string, env Env) (*Repo, error) {
	for _, k := range overrides {
		if env.Getenv(k) != "" {
			return nil, unsupported("%s is set", k)
		}
	}
	r, err := Locate(top, env)
	if err != nil {
		return nil, err
	}
	if err := r.readConfig(env); err != nil {
		return nil, err
	}
	return r, nil
}

// Locate finds the git folders of the work tree at top (and reads no
// config): enough to read its objects.
func Locate(top string, env Env) (*Repo, error) {
	for _, k := range locations {
		if env.Getenv(k) != "" {
			return nil, unsupported("%s is set", k)
		}
	}
	r := &Repo{Top: top, HashSize: 20}
	dotGit := filepath.Join(top, ".git")
	fi, err := os.Lstat(dotGit)
	if err != nil {
		return nil, err
	}
	owned := []string{top}
	switch {
	case fi.IsDir():
		r.GitDir = dotGit
	case fi.Mode().IsRegular():
		// A linked worktree or a submodule: "gitdir: <path>".
		dir, err := readGitfile(dotGit)
		if err != nil {
			return nil, err
		}
		r.GitDir = dir
		owned = append(owned, dotGit)
	default:
		return nil, unsupported("%s is neither a folder nor a file", dotGit)
	}
	if !isGitDir(r.GitDir) {
		// Not a repository as git's discovery sees one: git says what is wrong.
		return nil, unsupported("%s is not a git folder", r.GitDir)
	}
	owned = append(owned, r.GitDir)
	// git refuses repositories owned by someone else unless safe.directory
	// says otherwise; git itself decides that.
	for _, p := range owned {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !ownedBy(fi, env.Euid) {
			return nil, unsupported("%s is not owned by the current user", p)
		}
	}
	if r.CommonDir, err = commonDir(r.GitDir); err != nil {
		return nil, err
	}
	return r, nil
}

// commonDir is the git folder that gitDir shares with its linked worktrees:
// the one its commondir file names, or gitDir itself.
func commonDir(gitDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if errors.Is(err, fs.ErrNotExist) {
		return gitDir, nil
	}
	if err != nil {
		return "", err
	}
	c := strings.TrimRight(string(b), "\n")
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return c, nil
}

func readGitfile(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	dir, ok := gitfileTarget(b, filepath.Dir(p))
	if !ok || strings.ContainsRune(dir, 0) {
		return "", unsupported("%s is not a gitdir file", p)
	}
	return dir, nil
}

// gitfileTarget reads a gitdir file's "gitdir: <path>" as git does (only
// line ends trimmed), relative to the folder the file is in.
func gitfileTarget(b []byte, in string) (string, bool) {
	rest, ok := bytes.CutPrefix(b, []byte("gitdir: "))
	dir := strings.TrimRight(string(rest), "\r\n")
	if !ok || dir == "" {
		return "", false
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(in, dir)
	}
	return dir, true
}

// readConfig reads the settings listing depends on from git's config files,
// in git's order: system, global (XDG, then ~/.gitconfig), the repository,
// and the worktree's own when extensions.worktreeConfig is on.
func (r *Repo) readConfig(env Env) error {
	home := env.Getenv("HOME")
	xdg := env.Getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	var files []string
	noSystem := false
	if v := env.Getenv("GIT_CONFIG_NOSYSTEM"); v != "" {
		b, err := parseBool(v, true)
		if err != nil {
			return unsupported("GIT_CONFIG_NOSYSTEM: %v", err)
		}
		noSystem = b
	}
	if env.SystemConfig != "" && !noSystem {
		files = append(files, env.SystemConfig)
	}
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	files = append(files, filepath.Join(r.CommonDir, "config"))
	repoConfig := len(files) - 1
	var excludes *string
	worktreeConfig := false
	set := func(file, key, value string, hasValue bool) error {
		switch key {
		case "core.excludesfile":
			if !hasValue {
				return unsupported("%s: core.excludesFile has no value", file)
			}
			v := value
			excludes = &v
		case "core.ignorecase":
			b, err := parseBool(value, hasValue)
			if err != nil {
				return unsupported("%s: core.ignoreCase: %v", file, err)
			}
			r.IgnoreCase = b
		case "core.worktree":
			// A submodule's git folder names its work tree; anywhere else
			// than here, git decides.
			wt := value
			if !filepath.IsAbs(wt) {
				wt = filepath.Join(r.GitDir, wt)
			}
			if !sameDir(wt, r.Top) {
				return unsupported("%s sets %s", file, key)
			}
		case "core.bare", "core.precomposeunicode":
			// A bare repository, or names that git rewrites: git decides.
			if b, err := parseBool(value, hasValue); err != nil || b {
				return unsupported("%s sets %s", file, key)
			}
		case "core.repositoryformatversion":
			if value != "0" && value != "1" {
				return unsupported("%s: repository format %q", file, value)
			}
		case "extensions.objectformat":
			switch strings.ToLower(value) {
			case "sha1":
				r.HashSize = 20
			case "sha256":
				r.HashSize = 32
			default:
				return unsupported("%s: object format %q", file, value)
			}
		case "extensions.worktreeconfig":
			b, err := parseBool(value, hasValue)
			if err != nil {
				return unsupported("%s: extensions.worktreeConfig: %v", file, err)
			}
			worktreeConfig = b
		default:
			if strings.HasPrefix(key, "extensions.") {
				return unsupported("%s sets %s", file, key)
			}
			if strings.HasPrefix(key, "filter.") {
				r.FilterKeys = append(r.FilterKeys, key)
			}
		}
		return nil
	}
	for i := 0; i < len(files); i++ {
		b, err := os.ReadFile(files[i])
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return unsupported("%s: %v", files[i], err)
		}
		if err := parseConfig(files[i], b, set); err != nil {
			return err
		}
		if i == repoConfig && worktreeConfig {
			files = append(files, filepath.Join(r.GitDir, "config.worktree"))
		}
	}
	switch {
	case excludes != nil:
		p, err := expandPath(*excludes, home)
		if err != nil {
			return err
		}
		r.ExcludesFile = p
	case xdg != "":
		r.ExcludesFile = filepath.Join(xdg, "git", "ignore")
	}
	return nil
}

// expandPath expands a config path as git does, where that is plain: "~/"
// is the home folder; "~user", "%(prefix)" and relative paths are left to git.
func expandPath(p, home string) (string, error) {
	switch {
	case strings.HasPrefix(p, "~/") && home != "":
		return filepath.Join(home, p[2:]), nil
	case filepath.IsAbs(p):
		return p, nil
	}
	return "", unsupported("core.excludesFile %q", p)
}

func parseBool(v string, hasValue bool) (bool, error) {
	if !hasValue {
		return true, nil
	}
	switch strings.ToLower(v) {
	case "true", "yes", "on":
		return true, nil
	case "false", "no", "off", "":
		return false, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return false, fmt.Errorf("bad boolean %q", v)
	}
	return n != 0, nil
}

// sameDir reports whether two paths name the same folder.
func sameDir(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
