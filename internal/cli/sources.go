package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/source"
	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// pickSource decides which files to scan: a folder walk, git's list of
// files, the index, or the files a diff changed (with the changed lines,
// which only count then). includes are the rule file's include globs.
func (c *command) pickSource(ctx context.Context, root string, includes []string) (scanner.Source, gitsrc.Changed, error) {
	o := &c.opt
	var rels []string
	for _, p := range o.paths {
		r, err := c.rel(root, p)
		if err != nil {
			return nil, nil, err
		}
		rels = append(rels, r)
	}
	top, inGit := gitsrc.FindTop(root)
	if o.staged || o.diff != "" {
		if !inGit {
			return nil, nil, &usageError{msg: fmt.Sprintf("%s needs a git repository, and %s is not in one", modeName(o), root), hint: "run it inside a git checkout, or drop the flag to scan the folder"}
		}
		return c.gitChanges(ctx, root, top, rels)
	}
	if o.noGitignore || !inGit {
		return source.Paths(rels), nil, nil
	}
	// Inside git: tracked and unignored files, plus any file named outright.
	g := &source.Git{Root: root}
	if len(rels) == 0 {
		g.Pathspecs = includePrefixes(includes)
		return c.gitList(root, top, g), nil, nil
	}
	for _, r := range rels {
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(r)))
		switch {
		case err != nil:
			return nil, nil, &usageError{msg: fmt.Sprintf("%s: %v", r, errors.Unwrap(err)), hint: "check the path"}
		case fi.IsDir():
			if r == "" {
				g.Pathspecs = append(g.Pathspecs, ".")
			} else {
				g.Pathspecs = append(g.Pathspecs, gitsrc.Literal(r))
			}
		default:
			g.Named = append(g.Named, r)
		}
	}
	return c.gitList(root, top, g), nil, nil
}

// gitList lists what g does, in-process where it can (the index file and
// git's ignore rules, read without starting git), else through git.
func (c *command) gitList(root, top string, g *source.Git) scanner.Source {
	if len(g.Pathspecs) == 0 && len(g.Named) > 0 {
		return g // files named outright: nothing to list (a pre-commit run)
	}
	if repo, err := gitrepo.Open(top, c.gitEnv()); err == nil {
		if w, err := source.NewWorktree(root, repo, g.SpecDirs(), g.Named); err == nil {
			return w
		}
	}
	if c.listenNow != nil {
		c.listenNow() // git will run: a signal must stop it cleanly
	}
	return g
}

// includePrefixes turns include globs into pathspecs for the folders they
// start with (app/** gives app), so that git does not walk folders no
// include can reach. A glob that starts with a wildcard gives none at all.
func includePrefixes(includes []string) []string {
	var specs []string
	seen := map[string]bool{}
	for _, g := range includes {
		var lit []string
		for _, seg := range strings.Split(g, "/") {
			if strings.ContainsAny(seg, "*?[{\\") {
				break
			}
			lit = append(lit, seg)
		}
		if len(lit) == 0 {
			return nil
		}
		p := strings.Join(lit, "/")
		if !seen[p] {
			seen[p] = true
			specs = append(specs, gitsrc.Literal(p))
		}
	}
	return specs
}

// gitChanges lists the staged or changed files. Git names them relative to
// the work tree's top; the scan wants them relative to the root.
func (c *command) gitChanges(ctx context.Context, root, top string, rels []string) (scanner.Source, gitsrc.Changed, error) {
	o := &c.opt
	prefix, err := filepath.Rel(top, root)
	if err != nil {
		return nil, nil, err
	}
	prefix = filepath.ToSlash(prefix)
	if prefix == "." {
		prefix = ""
	} else {
		prefix += "/"
	}
	inScope := func(p string) (string, bool) {
		r, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return "", false
		}
		if len(rels) == 0 {
			return r, true
		}
		for _, x := range rels {
			if x == "" || r == x || strings.HasPrefix(r, x+"/") {
				return r, true
			}
		}
		return "", false
	}

	// Which files: the index against HEAD, or the diff against the base.
	var files []string // top-relative
	var lines gitsrc.Changed
	if o.diff != "" {
		base, err := gitsrc.MergeBase(ctx, top, o.diff)
		if err != nil {
			return nil, nil, err
		}
		var drivers []string // nil: ask git
		if repo, err := gitrepo.Open(top, c.gitEnv()); err == nil {
			drivers = gitsrc.FilterDrivers(repo.FilterKeys)
		}
		if lines, err = gitsrc.DiffFilters(ctx, top, base, o.staged, drivers); err != nil {
			return nil, nil, err
		}
		// The base's versions cost a second git diff over the whole work
		// tree: asked for only when the scan finds something.
		c.diffBase = func() (*source.Index, error) {
			return c.baseVersions(ctx, top, base, drivers, inScope)
		}
		for p := range lines {
			files = append(files, p)
		}
		sort.Strings(files)
	}
	if o.staged {
		var blobs []gitsrc.Blob
		if o.diff == "" {
			blobs, err = gitsrc.Staged(ctx, top)
		} else {
			blobs, err = gitsrc.IndexEntries(ctx, top, files)
		}
		if err != nil {
			return nil, nil, err
		}
		idx := &source.Index{Ctx: ctx, Top: top, Files: map[string]string{}}
		if repo, err := gitrepo.Locate(top, c.gitEnv()); err == nil {
			idx.Objects = filepath.Join(repo.CommonDir, "objects")
		}
		rootLines := gitsrc.Changed{}
		for _, b := range blobs {
			if r, ok := inScope(b.Path); ok {
				idx.Files[r] = b.ID
				if lines != nil {
					rootLines[r] = lines[b.Path]
				}
			}
		}
		if lines == nil {
			return idx, nil, nil
		}
		return idx, rootLines, nil
	}
	ch := &source.Changed{Lines: gitsrc.Changed{}}
	for _, p := range files {
		if r, ok := inScope(p); ok {
			ch.Files = append(ch.Files, r)
			ch.Lines[r] = lines[p]
		}
	}
	return ch, ch.Lines, nil
}

// baseVersions names the blobs of the changed files at the merge base, by
// their new, root-relative names: a renamed file's old version counts as
// its own. Files added, in conflict, or not regular files at the base
// have none.
func (c *command) baseVersions(ctx context.Context, top, base string, drivers []string, inScope func(string) (string, bool)) (*source.Index, error) {
	cs, err := gitsrc.Changes(ctx, top, base, c.opt.staged, drivers)
	if err != nil {
		return nil, err
	}
	idx := &source.Index{Ctx: ctx, Top: top, Files: map[string]string{}}
	if repo, err := gitrepo.Locate(top, c.gitEnv()); err == nil {
		idx.Objects = filepath.Join(repo.CommonDir, "objects")
	}
	for _, ch := range cs {
		if ch.Status == 'A' || ch.Status == 'D' || ch.Status == 'U' || !ch.OldRegular() || strings.Trim(ch.OldID, "0") == "" {
			continue
		}
		if r, ok := inScope(ch.Path); ok {
			idx.Files[r] = ch.OldID
		}
	}
	return idx, nil
}

// gitEnv is what of the environment git would read, for reading a
// repository without it.
func (c *command) gitEnv() gitrepo.Env {
	return gitrepo.Env{Getenv: c.env.Getenv, Euid: os.Geteuid(), SystemConfig: "/etc/gitconfig"}
}
