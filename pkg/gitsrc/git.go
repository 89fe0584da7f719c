// Package gitsrc asks git which files to scan: the tracked and unignored files of a work tree, the index, and diffs.
package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// FindTop returns the work tree that contains dir: the nearest folder at or
// above it with a .git entry. It runs no git command.
func FindTop(dir string) (string, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// safeArgs keep a scanned repository's configuration from running code:
// no fsmonitor hook, no external diff, no pager, and no transport at all,
// so that a partial clone cannot fetch a missing object (through a remote
// helper or a configured upload-pack command) behind our back.
func safeArgs() []string {
	return []string{
		"--no-pager",
		"-c", "core.fsmonitor=false",
		"-c", "core.untrackedCache=false",
		"-c", "core.quotePath=false",
		"-c", "diff.external=",
		"-c", "protocol.allow=never",
	}
}

// gitEnv is the environment git runs in: ours, less what would change diff
// output or run a program (GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE stay,
// hooks need them), with lazy fetches (git 2.44 on) and optional index
// writes off, and untranslated messages, which missingObject reads.
func gitEnv() []string {
	env := os.Environ()
	out := make([]string, 0, len(env)+5)
	for _, kv := range env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_DIFF_PATH_COUNTER", "GIT_DIFF_PATH_TOTAL",
			"GIT_PAGER", "PAGER", "GIT_NO_LAZY_FETCH", "GIT_OPTIONAL_LOCKS", "GIT_TERMINAL_PROMPT",
			"LC_ALL", emptyVar:
		default:
			out = append(out, kv)
		}
	}
	return append(out, "GIT_NO_LAZY_FETCH=1", "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", emptyVar+"=")
}

// emptyVar is an empty variable for --config-env, which can set a key that
// -c cannot (a subsection with "=" in it).
const emptyVar = "NOLEGACYRUNS_EMPTY"

// Error is a git command that failed.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(msg, "fatal: ")
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", subcommand(e.Args), msg)
}

// subcommand is the first of args that is not a -c setting or other option.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c":
			i++
		case !strings.HasPrefix(a, "-"):
			return a
		}
	}
	return "(no command)"
}

// MissingObjectError is a git call that needed an object this clone does
// not have, as in a partial clone (git clone --filter). Nothing is fetched.
type MissingObjectError struct {
	Object string // the object id, when git named it
	Err    *Error
}

func (e *MissingObjectError) Error() string {
	if e.Object == "" {
		return fmt.Sprintf("git %s: an object is missing from this clone, and nolegacyruns never fetches", subcommand(e.Err.Args))
	}
	return fmt.Sprintf("git %s: object %s is missing from this clone, and nolegacyruns never fetches", subcommand(e.Err.Args), e.Object)
}

func (e *MissingObjectError) Unwrap() error { return e.Err }

// missingObject turns e into a MissingObjectError when git says an object
// is missing.
func missingObject(e *Error) error {
	found, id := missingID(e.Stderr)
	if !found {
		return e
	}
	return &MissingObjectError{Err: e, Object: id}
}

// run runs git in dir without a shell and returns its standard output.
func run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append(safeArgs(), args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, &Error{Args: args, Err: errors.New("git is not installed")}
		}
		return nil, missingObject(&Error{Args: args, Stderr: errb.String(), Err: err})
	}
	return out.Bytes(), nil
}

// splitZ splits NUL-terminated git output.
func splitZ(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i]))
		b = b[i+1:]
	}
	return out
}

// Literal makes a pathspec that git takes as a plain path.
func Literal(p string) string { return ":(literal)" + p }

// File is a file git lists: tracked ones come with their index mode.
type File struct {
	Path string
	Mode string // "100644", "100755", "120000" (symlink), "160000" (submodule); "" if untracked
}

// Index modes of entries that are not regular files.
const (
	ModeSymlink   = "120000"
	ModeSubmodule = "160000"
)

// Regular reports whether git records the file as a regular file.
func (f File) Regular() bool { return f.Mode == "100644" || f.Mode == "100755" }

// ListFiles returns the files under dir that git tracks or does not ignore,
// relative to dir, slash-separated and sorted by path: StreamFiles, collected.
func ListFiles(ctx context.Context, dir string, pathspecs []string) ([]File, error) {
	var mu sync.Mutex
	files := []File{}
	err := StreamFiles(ctx, dir, pathspecs, func(batch []File) {
		mu.Lock()
		files = append(files, batch...)
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// StreamFiles lists the files under dir that git tracks or does not ignore,
// as two git calls run at once: tracked ones with their modes, straight from
// the index (so their type needs no stat), and untracked ones. It hands them
// to fn in batches as they arrive, so that scanning can start before git is
// done; fn may be called from two goroutines at once. The two lists never
// share a path, and a conflicted path comes once. A warning from git (a
// folder it cannot open) is an error: the list would be incomplete.
func StreamFiles(ctx context.Context, dir string, pathspecs []string, fn func([]File)) error {
	calls := []struct {
		args  []string
		stage bool // records are "<mode> <object> <stage>\t<path>", else paths
	}{
		{[]string{"ls-files", "-z", "--cached", "--stage", "--"}, true},
		{[]string{"ls-files", "-z", "--others", "--exclude-standard", "--"}, false},
	}
	errs := make(chan error, len(calls))
	for _, c := range calls {
		go func() {
			errs <- stream(ctx, dir, append(c.args, pathspecs...), c.stage, fn)
		}()
	}
	var first error
	for range calls {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	var ue *UnreadableError
	if errors.As(first, &ue) {
		// git names folders from the top of the work tree; the caller's
		// paths are relative to dir.
		if top, ok := FindTop(dir); ok {
			if rel, err := filepath.Rel(top, dir); err == nil && rel != "." {
				if p, ok := strings.CutPrefix(ue.Path, filepath.ToSlash(rel)+"/"); ok {
					ue.Path = p
				}
			}
		}
	}
	return first
}

// stream runs one ls-files and hands its records to fn in batches. Which
// call it is, not what a record looks like, says how to read it: an
// untracked file may well be named like an index record.
func stream(ctx context.Context, dir string, args []string, stage bool, fn func([]File)) error {
	const batch = 512
	var files []File
	unmerged := ""
	err := records(ctx, dir, args, func(rec string) error {
		if !stage {
			files = append(files, File{Path: rec})
		} else {
			e, err := parseStage(rec)
			if err != nil {
				return err
			}
			switch {
			case e.stage == '0':
				files = append(files, File{Path: e.path, Mode: e.mode})
			case e.path != unmerged:
				// A conflict: one record per stage. Scan the work tree's
				// file once, type unknown.
				unmerged = e.path
				files = append(files, File{Path: e.path})
			}
		}
		if len(files) == batch {
			fn(files)
			files = nil
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(files) > 0 {
		fn(files)
	}
	return nil
}

// records runs git in dir and hands each NUL-terminated record of its
// output to fn as it arrives. A failing git, an error from fn, and anything
// git prints on standard error are errors: git warns, and exits 0, when it
// skips what it cannot read.
func records(ctx context.Context, dir string, args []string, fn func(string) error) error {
	cmd := exec.CommandContext(ctx, "git", append(safeArgs(), args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return &Error{Args: args, Err: errors.New("git is not installed")}
		}
		return &Error{Args: args, Err: err}
	}
	r := bufio.NewReaderSize(out, 64<<10)
	var fnErr, readErr error
	for {
		rec, err := r.ReadString(0)
		if err == nil {
			if fnErr = fn(rec[:len(rec)-1]); fnErr != nil {
				cmd.Process.Kill()
				break
			}
			continue
		}
		if err != io.EOF {
			readErr = err
		} else if rec != "" {
			readErr = &Error{Args: args, Err: fmt.Errorf("output ends without a NUL: %q", rec)}
		}
		break
	}
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case fnErr != nil:
		return fnErr
	case waitErr != nil:
		return &Error{Args: args, Stderr: errb.String(), Err: waitErr}
	case readErr != nil:
		return readErr
	case errb.Len() > 0:
		return warning(args, errb.String())
	}
	return nil
}

// UnreadableError is a folder that git could not open while listing files.
type UnreadableError struct {
	Path   string // relative to the folder listed
	Reason string // as git says it, such as "Permission denied"
	More   int    // further folders git could not open
}

func (e *UnreadableError) Error() string {
	msg := fmt.Sprintf("%s: %s (git could not list this folder)", e.Path, strings.ToLower(e.Reason))
	switch {
	case e.More == 1:
		msg += ", and 1 more folder"
	case e.More > 1:
		msg += fmt.Sprintf(", and %d more folders", e.More)
	}
	return msg
}

// warning turns what git printed on standard error, though it exited 0,
// into an error.
func warning(args []string, stderr string) error {
	var ue *UnreadableError
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		rest, ok := strings.CutPrefix(line, "warning: could not open directory '")
		i := strings.LastIndex(rest, "': ")
		if !ok || i < 0 {
			continue
		}
		if ue != nil {
			ue.More++
			continue
		}
		p := strings.TrimSuffix(rest[:i], "/")
		if p == "" {
			p = "."
		}
		ue = &UnreadableError{Path: p, Reason: rest[i+3:]}
	}
	if ue != nil {
		return ue
	}
	return &Error{Args: args, Stderr: stderr, Err: errors.New("unexpected warnings")}
}

// stageRecord is one "<mode> <object> <stage>\t<path>" record of
// ls-files --stage.
type stageRecord struct {
	mode, id, path string
	stage          byte
}

// parseStage reads an ls-files --stage record; anything else is an error.
func parseStage(rec string) (stageRecord, error) {
	meta, path, ok := strings.Cut(rec, "\t")
	f := strings.Split(meta, " ")
	if !ok || path == "" || len(f) != 3 || len(f[0]) != 6 || !isObjectID(f[1]) || len(f[2]) != 1 || f[2][0] < '0' || f[2][0] > '3' {
		return stageRecord{}, fmt.Errorf("git ls-files: unexpected record %q", rec)
	}
	for _, c := range []byte(f[0]) {
		if c < '0' || c > '7' {
			return stageRecord{}, fmt.Errorf("git ls-files: unexpected record %q", rec)
		}
	}
	return stageRecord{mode: f[0], id: f[1], path: path, stage: f[2][0]}, nil
}

// isObjectID reports whether s is a full SHA-1 or SHA-256 object id.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// HooksDir returns the folder git runs hooks from (core.hooksPath aware).
func HooksDir(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, dir, nil, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
