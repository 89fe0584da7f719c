package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
)

// FileChange is one file that differs between a commit and the work tree
// (or the index), as git diff --raw names it with rename detection.
type FileChange struct {
	Status  byte   // 'A', 'C', 'D', 'M', 'R', 'T', 'U'
	OldMode string // "000000" for an added file
	OldID   string // the base version's blob, zeros for an added file
	OldPath string // where the base version was: differs from Path for a rename
	Path    string // the file now
}

// OldRegular reports whether the base version was a regular file.
func (c FileChange) OldRegular() bool { return c.OldMode == "100644" || c.OldMode == "100755" }

// renameArgs are diffArgs' pins for a raw diff that detects renames and
// copies nothing: full object names, no patch.
func renameArgs() []string {
	return []string{
		"-c", "diff.noprefix=false",
		"-c", "diff.relative=false",
		"-c", "diff.renames=true",
		"-c", "diff.renameLimit=1000",
		"-c", "diff.submodule=short",
		"-c", "diff.ignoreSubmodules=none",
		"-c", "core.bigFileThreshold=512m",
		"-c", "core.checkStat=default",
		"-c", "core.trustctime=true",
		"diff", "--raw", "-z", "--no-abbrev", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
		"--no-relative", "--ignore-submodules=none", "-O/dev/null",
	}
}

// Changes lists the files that differ from base in the work tree (or the
// index, when staged is set), renames detected, paths relative to the work
// tree's top. drivers are the configured filter drivers (nil: ask git);
// none runs, whatever the repository says.
func Changes(ctx context.Context, dir, base string, staged bool, drivers []string) ([]FileChange, error) {
	if strings.HasPrefix(base, "-") {
		return nil, &BaseError{Ref: base, Reason: "a ref cannot start with -"}
	}
	if drivers == nil {
		var err error
		if drivers, err = filterDrivers(ctx, dir); err != nil {
			return nil, err
		}
	}
	args := append(filtersOff(drivers), renameArgs()...)
	if staged {
		args = append(args, "--cached")
	}
	out, err := run(ctx, dir, nil, append(args, base, "--")...)
	if err != nil {
		return nil, err
	}
	return parseRawChanges(out)
}

// parseRawChanges reads git diff --raw -z records.
func parseRawChanges(out []byte) ([]FileChange, error) {
	var cs []FileChange
	for len(out) > 0 {
		if out[0] != ':' {
			return nil, fmt.Errorf("git diff: unexpected raw output %.40q", out)
		}
		f, paths, rest, err := rawRecord(out)
		if err != nil {
			return nil, err
		}
		out = rest
		cs = append(cs, FileChange{Status: f[4][0], OldMode: f[0], OldID: f[2], OldPath: paths[0], Path: paths[len(paths)-1]})
	}
	return cs, nil
}

// rawRecord reads one record of git diff --raw -z output: the five fields
// of ":<mode> <mode> <id> <id> <status>[<score>]" (without the colon), its
// path, or the old and new paths of a rename or copy, and what follows.
func rawRecord(out []byte) (f, paths []string, rest []byte, err error) {
	var fields []string
	for n := 2; len(fields) < n; {
		i := bytes.IndexByte(out, 0)
		if i < 0 {
			return nil, nil, nil, errors.New("git diff: truncated raw output")
		}
		fields = append(fields, string(out[:i]))
		out = out[i+1:]
		if len(fields) == 1 {
			if f := strings.Fields(fields[0]); len(f) == 5 && f[4] != "" && (f[4][0] == 'R' || f[4][0] == 'C') {
				n = 3
			}
		}
	}
	f = strings.Fields(strings.TrimPrefix(fields[0], ":"))
	if len(f) != 5 || f[4] == "" {
		return nil, nil, nil, fmt.Errorf("git diff: unexpected raw record %q", fields[0])
	}
	return f, fields[1:], out, nil
}

// Renames maps the old path of each renamed file in cs to its new one.
func Renames(cs []FileChange) map[string]string {
	m := map[string]string{}
	for _, c := range cs {
		if c.Status == 'R' {
			m[c.OldPath] = c.Path
		}
	}
	return m
}

// ResolveCommit returns the commit that ref names.
func ResolveCommit(ctx context.Context, dir, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", &BaseError{Ref: ref, Reason: "a ref cannot start with -"}
	}
	out, err := run(ctx, dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// RenameMap follows files through renames: it maps the path each file had
// at a base commit to its path now. The renames of each commit after the
// base are applied in order (a file renamed twice maps to its last name, a
// file renamed back maps to nothing); a file deleted drops out, and a new
// file at a path that was renamed or deleted is not the old one.
type RenameMap struct {
	to   map[string]string // base path to its path now, "" when deleted
	from map[string]string // the inverse, of the files still there
}

// NewRenameMap returns a map of no renames: the base is now.
func NewRenameMap() *RenameMap {
	return &RenameMap{to: map[string]string{}, from: map[string]string{}}
}

// Apply follows one commit's (or change's) renames, old path then new, and
// deletions. It reports whether the map changed.
func (m *RenameMap) Apply(renames [][2]string, deleted []string) bool {
	changed := false
	type move struct{ base, to string }
	var moves []move // from the state before this change: renames are simultaneous
	for _, r := range renames {
		if base, ok := m.from[r[0]]; ok {
			moves = append(moves, move{base, r[1]})
		} else if _, moved := m.to[r[0]]; !moved {
			moves = append(moves, move{r[0], r[1]}) // a file of the base, not moved so far
		}
	}
	for _, d := range deleted {
		if base, ok := m.from[d]; ok {
			delete(m.from, d)
			m.to[base] = ""
			changed = true
		} else if _, moved := m.to[d]; !moved {
			m.to[d] = "" // a file of the base, gone
			changed = true
		}
	}
	for _, mv := range moves {
		if cur := m.to[mv.base]; cur != "" && m.from[cur] == mv.base {
			delete(m.from, cur)
		}
	}
	for _, mv := range moves {
		m.to[mv.base] = mv.to
		m.from[mv.to] = mv.base
		changed = true
	}
	return changed
}

// ApplyChanges follows the renames and deletions of a diff's changes.
func (m *RenameMap) ApplyChanges(cs []FileChange) bool {
	var renames [][2]string
	var deleted []string
	for _, c := range cs {
		switch c.Status {
		case 'R':
			renames = append(renames, [2]string{c.OldPath, c.Path})
		case 'D':
			deleted = append(deleted, c.Path)
		}
	}
	return m.Apply(renames, deleted)
}

// Lookup returns the path now of the file that was at base, if it was
// renamed and is still there.
func (m *RenameMap) Lookup(base string) (string, bool) {
	to := m.to[base]
	return to, to != "" && to != base
}

// Map returns the old path of each file renamed since the base (and still
// there) with its path now.
func (m *RenameMap) Map() map[string]string {
	out := map[string]string{}
	for base, to := range m.to {
		if to != "" && to != base {
			out[base] = to
		}
	}
	return out
}

// LastChange returns the newest commit of commit's first-parent history
// that changed the file at path (relative to the work tree's top; a merge
// counts against its first parent), and whether that commit is a root
// commit of this clone; "" if none did (a file git does not track).
func LastChange(ctx context.Context, dir, commit, path string) (id string, root bool, err error) {
	if strings.HasPrefix(commit, "-") {
		return "", false, &BaseError{Ref: commit, Reason: "a ref cannot start with -"}
	}
	args := append(historyArgs(), "log", "-1", "--first-parent", "--no-show-signature", "--format=%H %P", commit, "--", Literal(path))
	out, err := run(ctx, dir, nil, args...)
	if err != nil {
		return "", false, err
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return "", false, nil
	}
	return f[0], len(f) == 1, nil
}

// RenamesSince returns the renames of commit's first-parent history since
// the last commit that changed the file at path (the baseline, whose
// entries name the files as they were there), as git log -M finds them
// commit by commit. ok is false when that commit is unknown: git does not
// track the file, or the commit git names is where a shallow clone's
// history is cut off, so that the file may have changed before it.
func RenamesSince(ctx context.Context, dir, commit, path string) (m *RenameMap, ok bool, err error) {
	base, root, err := LastChange(ctx, dir, commit, path)
	if err != nil || base == "" {
		return nil, false, err
	}
	if root {
		shallow, err := ShallowCommits(ctx, dir)
		if err != nil || shallow[base] {
			return nil, false, err
		}
	}
	m = NewRenameMap()
	var commits []*Commit
	err = Log(ctx, dir, LogSpec{Revs: []string{base + ".." + commit}, Renames: true}, func(c *Commit) error {
		c.Changes = deletions(c)
		commits = append(commits, c)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	for i := len(commits) - 1; i >= 0; i-- {
		m.ApplyCommit(commits[i])
	}
	return m, true, nil
}

// ApplyCommit follows a commit's renames and deletions, as Log lists them
// with LogSpec.Renames.
func (m *RenameMap) ApplyCommit(c *Commit) bool {
	var deleted []string
	for _, e := range deletions(c) {
		deleted = append(deleted, e.Path)
	}
	return m.Apply(c.Renames, deleted)
}

// deletions are the paths a commit deleted, not those it renamed.
func deletions(c *Commit) []TreeEntry {
	renamed := map[string]bool{}
	for _, r := range c.Renames {
		renamed[r[0]] = true
	}
	var out []TreeEntry
	for _, e := range c.Changes {
		if e.Mode == "" && !renamed[e.Path] {
			out = append(out, e)
		}
	}
	return out
}

// EverChanged reports whether a commit reachable from the tips of revs (a
// range's exclusions left out; HEAD without revs) changed path: false
// means the file never existed in any of their commits. It answers true,
// the safe side for a caller that skips work when a file never existed,
// when a revision is not a plain name or range it can take apart.
func EverChanged(ctx context.Context, dir string, revs []string, path string) (bool, error) {
	var tips []string
	for _, r := range revs {
		if strings.HasPrefix(r, "^") {
			continue // an exclusion: its commits are not walked
		}
		if i := strings.LastIndex(r, ".."); i >= 0 {
			r = strings.TrimPrefix(r[i+2:], ".")
			if r == "" {
				r = "HEAD"
			}
		}
		if r == "" || strings.HasPrefix(r, "-") || strings.ContainsAny(r, "^@{}: \t\n") {
			return true, nil
		}
		tips = append(tips, r)
	}
	if len(revs) == 0 {
		tips = []string{"HEAD"}
	}
	if len(tips) == 0 {
		return true, nil
	}
	// The history's own git log settings: no replace objects, no
	// signature checks (gpg), whatever the repository's config says.
	args := append(historyArgs(), "log", "-1", "--no-show-signature", "--format=%H", "--no-renames", "--end-of-options")
	out, err := run(ctx, dir, nil, append(append(args, tips...), "--", Literal(path))...)
	if err != nil {
		return true, err
	}
	return strings.TrimSpace(string(out)) != "", nil
}
