package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Commit is one commit of a first-parent history, with the files it
// changed against its first parent (or against nothing, for a root commit).
type Commit struct {
	ID      string
	Parents []string
	Date    string // committer date, strict ISO 8601 (RFC 3339)
	Author  string // name, after .mailmap
	Email   string
	Subject string
	Changes []TreeEntry // Mode "" marks a deleted path
	// Renames are the files renamed against the first parent, old path
	// then new, with LogSpec.Renames; Changes lists each as the old path
	// deleted and the new one added.
	Renames [][2]string
}

// TreeEntry is one path of a commit's tree: its mode ("100644", "120000",
// ...) and object id, the path from the top of the work tree.
type TreeEntry struct {
	Path string
	Mode string
	ID   string
}

// Regular reports whether the entry is a regular file.
func (e TreeEntry) Regular() bool { return e.Mode == "100644" || e.Mode == "100755" }

// LogSpec says which commits Log lists: the first-parent history of Revs
// (HEAD if empty, or a range such as v1.0..HEAD), at most MaxCount of the
// newest (0: all), none older than Since (a date git understands).
type LogSpec struct {
	Revs     []string
	MaxCount int
	Since    string
	// Renames detects renames (git log -M): each commit's Renames are set.
	Renames bool
}

// historyArgs pin what a repository's configuration could change in git
// log's output, or run: no signature check (gpg.program), no replacement
// objects, UTF-8 messages, the root commit's files shown as added.
func historyArgs() []string {
	return []string{
		"--no-replace-objects",
		"-c", "log.showSignature=false",
		"-c", "log.showRoot=true",
		"-c", "i18n.logOutputEncoding=UTF-8",
		"-c", "diff.renames=false",
		"-c", "diff.renameLimit=1000",
		"-c", "diff.relative=false",
		"-c", "core.abbrev=no",
	}
}

// checkRevs refuses revisions that git would read as options.
func checkRevs(revs []string) error {
	for _, r := range revs {
		if r == "" || strings.HasPrefix(r, "-") {
			return &BaseError{Ref: r, Reason: "a revision cannot be empty or start with -"}
		}
	}
	return nil
}

// Log lists the commits of spec, newest first, and hands each to fn with
// the files it changed against its first parent (merges included), as git
// log --first-parent --raw -z streams them.
func Log(ctx context.Context, dir string, spec LogSpec, fn func(*Commit) error) error {
	if err := checkRevs(spec.Revs); err != nil {
		return err
	}
	renames := "--no-renames"
	if spec.Renames {
		renames = "-M"
	}
	args := append(historyArgs(), "log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z",
		"--no-abbrev", renames, "--no-relative", "--no-color", "--no-notes", "--no-show-signature",
		"--no-ext-diff", "--no-textconv", "--encoding=UTF-8",
		"--format=%H%x00%P%x00%cI%x00%aN%x00%aE%x00%s")
	if spec.MaxCount > 0 {
		args = append(args, fmt.Sprintf("--max-count=%d", spec.MaxCount))
	}
	if spec.Since != "" {
		args = append(args, "--since="+spec.Since)
	}
	args = append(args, "--end-of-options")
	if len(spec.Revs) == 0 {
		args = append(args, "HEAD")
	}
	args = append(append(args, spec.Revs...), "--")

	var cur *Commit
	var head []string // the commit's header records so far
	meta := ""        // a raw record's metadata, waiting for its path
	var from []string // a rename's old path, waiting for the new one
	flush := func() error {
		if cur == nil {
			return nil
		}
		c := cur
		cur = nil
		return fn(c)
	}
	err := records(ctx, dir, args, func(rec string) error {
		switch {
		case head != nil:
			head = append(head, rec)
			if len(head) < 6 {
				return nil
			}
			if !isObjectID(head[0]) {
				return &Error{Args: args, Err: fmt.Errorf("unexpected commit record %q", head[0])}
			}
			cur = &Commit{ID: head[0], Parents: strings.Fields(head[1]), Date: head[2], Author: head[3], Email: head[4], Subject: head[5]}
			head = nil
		case meta != "" && from == nil && renameStatus(meta):
			if rec == "" {
				return &Error{Args: args, Err: fmt.Errorf("unexpected record %q", meta)}
			}
			from = []string{rec}
		case meta != "":
			e, err := parseRaw(meta, rec)
			if err != nil {
				return &Error{Args: args, Err: err}
			}
			copied := renameStatus(meta) && !strings.Contains(meta, " R")
			meta = ""
			if from != nil && !copied {
				// A rename: its old path deleted, its new one added.
				cur.Changes = append(cur.Changes, TreeEntry{Path: from[0]})
				cur.Renames = append(cur.Renames, [2]string{from[0], e.Path})
			}
			from = nil
			cur.Changes = append(cur.Changes, e)
		case cur != nil && strings.HasPrefix(strings.TrimPrefix(rec, "\n"), ":"):
			meta = strings.TrimPrefix(rec, "\n")
		default:
			if err := flush(); err != nil {
				return err
			}
			head = []string{rec}
		}
		return nil
	})
	if err == nil && (head != nil || meta != "" || from != nil) {
		err = &Error{Args: args, Err: fmt.Errorf("output ends inside a record")}
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		if ge, ok := err.(*Error); ok && ge.Stderr != "" {
			return missingObject(ge)
		}
		return err
	}
	return nil
}

// renameStatus reports whether a raw record's status is a rename or a
// copy, which name two paths.
func renameStatus(meta string) bool {
	f := strings.Split(meta, " ")
	st := f[len(f)-1]
	return st != "" && (st[0] == 'R' || st[0] == 'C')
}

// parseRaw reads one ":<old mode> <new mode> <old id> <new id> <status>"
// record and its path.
func parseRaw(meta, path string) (TreeEntry, error) {
	f := strings.Split(strings.TrimPrefix(meta, ":"), " ")
	if len(f) != 5 || len(f[1]) != 6 || !isObjectID(f[3]) || path == "" {
		return TreeEntry{}, fmt.Errorf("unexpected record %q", meta)
	}
	e := TreeEntry{Path: path, Mode: f[1], ID: f[3]}
	if f[4] == "D" || strings.Trim(f[1], "0") == "" {
		e.Mode, e.ID = "", ""
	}
	return e, nil
}

// Tree lists every entry of a commit's tree, recursively (folders are not
// entries; submodules are).
func Tree(ctx context.Context, dir, commit string, fn func(TreeEntry)) error {
	if !isObjectID(commit) {
		return fmt.Errorf("git ls-tree: %q is not an object id", commit)
	}
	args := append(historyArgs(), "ls-tree", "-r", "-z", "--full-tree", "--full-name", commit)
	err := records(ctx, dir, args, func(rec string) error {
		// "<mode> SP <type> SP <object> TAB <file>"
		meta, p, ok := strings.Cut(rec, "\t")
		f := strings.Split(meta, " ")
		if !ok || len(f) != 3 || !isObjectID(f[2]) || p == "" {
			return &Error{Args: args, Err: fmt.Errorf("unexpected record %q", rec)}
		}
		fn(TreeEntry{Path: p, Mode: f[0], ID: f[2]})
		return nil
	})
	if ge, ok := err.(*Error); ok && ge.Stderr != "" {
		return missingObject(ge)
	}
	return err
}

// ShallowCommits returns the commits whose parents a shallow clone lacks;
// none for a full clone.
func ShallowCommits(ctx context.Context, dir string) (map[string]bool, error) {
	out, err := run(ctx, dir, nil, "rev-parse", "--path-format=absolute", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(string(out))
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	b, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, l := range strings.Fields(string(b)) {
		ids[l] = true
	}
	return ids, nil
}

// RemoteURL returns remote.origin.url, or "" if there is none.
func RemoteURL(ctx context.Context, dir string) string {
	out, err := run(ctx, dir, nil, "config", "--get", "remote.origin.url")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// DateError is a --since date that git cannot read.
type DateError struct{ Date string }

func (e *DateError) Error() string { return fmt.Sprintf("%q is not a date git can read", e.Date) }

// CheckDate returns a *DateError when git finds no date in date. git log
// --since takes such a date for now, silently, and so lists no commit.
// git's own reader (approxidate, which is lenient: "3.weeks", "last
// friday", "garbage 2") decides: git config --type=expiry-date reads a
// value with it and fails where it found nothing; of that command's own
// words, "never" and "now" are dates to git log too, and "all" and "false"
// are not, so they are refused here.
func CheckDate(ctx context.Context, dir, date string) error {
	if date == "all" || date == "false" {
		return &DateError{Date: date}
	}
	_, err := run(ctx, dir, nil, "config", "--file="+os.DevNull, "--type=expiry-date", "--default="+date, "--get", "nolegacyruns.since")
	var ge *Error
	if errors.As(err, &ge) && strings.Contains(ge.Stderr, "is not a valid timestamp") {
		return &DateError{Date: date}
	}
	return err
}

// Unborn reports whether HEAD is a branch with no commit yet, as in a new
// repository or on an orphan branch, and that branch's name; other is a
// branch, tag or remote branch that has commits, if there is one.
func Unborn(ctx context.Context, dir string) (branch, other string, unborn bool) {
	if _, err := run(ctx, dir, nil, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err == nil {
		return "", "", false
	}
	out, err := run(ctx, dir, nil, "symbolic-ref", "-q", "--short", "HEAD")
	if err != nil {
		return "", "", false // a detached HEAD that names nothing: not unborn
	}
	branch = strings.TrimSpace(string(out))
	if out, err := run(ctx, dir, nil, "for-each-ref", "--count=1", "--format=%(refname:short)", "refs/heads", "refs/tags", "refs/remotes"); err == nil {
		other = strings.TrimSpace(string(out))
	}
	return branch, other, true
}
