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
