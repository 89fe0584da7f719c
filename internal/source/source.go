// Package source picks the files a scan reads from git: its list of files, the index, and the files a diff changed.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Git is the files of a work tree that git tracks or does not ignore, under
// the pathspecs given, plus files named outright (scanned even if ignored).
// Root is the folder to list from; paths are relative to it.
type Git struct {
	Root      string
	Pathspecs []string // nil: everything under Root
	Named     []string // files the user named, root-relative
}

// Instant implements scanner.Instant: files named outright, and no folder,
// need no git.
func (g *Git) Instant() bool { return len(g.Named) > 0 && len(g.Pathspecs) == 0 }

// List implements scanner.Source: git's lists are streamed into the scan
// as they arrive.
func (g *Git) List(ctx context.Context, add func([]scanner.Entry)) error {
	named := make(map[string]bool, len(g.Named))
	if len(g.Named) > 0 {
		es := make([]scanner.Entry, 0, len(g.Named))
		for _, p := range g.Named {
			named[p] = true
			es = append(es, scanner.Entry{Path: p, Named: true})
		}
		add(es)
		if len(g.Pathspecs) == 0 {
			return nil
		}
	}
	return gitsrc.StreamFiles(ctx, g.Root, g.Pathspecs, func(files []gitsrc.File) {
		es := make([]scanner.Entry, 0, len(files))
		for _, f := range files {
			if f.Mode == gitsrc.ModeSymlink || f.Mode == gitsrc.ModeSubmodule || named[f.Path] {
				continue // never followed; or named already
			}
			es = append(es, scanner.Entry{Path: f.Path, Regular: f.Regular()})
		}
		add(es)
	})
}

// Covers reports whether a run over this source looked at path.
func (g *Git) Covers(p string) bool { return covers(g.Named, g.SpecDirs(), p) }

// SpecDirs returns the folders the pathspecs name, root-relative ("" the
// root); nil if there are none.
func (g *Git) SpecDirs() []string {
	var dirs []string
	for _, s := range g.Pathspecs {
		s = strings.TrimPrefix(s, gitsrc.Literal(""))
		if s == "." {
			s = ""
		}
		dirs = append(dirs, s)
	}
	return dirs
}

// covers reports whether p is one of files or inside one of dirs.
func covers(files, dirs []string, p string) bool {
	for _, f := range files {
		if f == p {
			return true
		}
	}
	for _, d := range dirs {
		if d == "" || p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// Paths wraps the engine's walk of named paths with the scope it covers.
type Paths scanner.Paths

// Instant implements scanner.Instant.
func (ps Paths) Instant() bool { return scanner.Paths(ps).Instant() }

// List implements scanner.Source.
func (ps Paths) List(ctx context.Context, add func([]scanner.Entry)) error {
	return scanner.Paths(ps).List(ctx, add)
}

// Covers reports whether a walk of these paths looked at p.
func (ps Paths) Covers(p string) bool {
	if len(ps) == 0 {
		return true
	}
	return covers(nil, ps, p)
}

// Changed is the files a diff changed, read from the work tree, and the
// lines it changed in each (root-relative).
type Changed struct {
	Files []string
	Lines gitsrc.Changed
}

// List implements scanner.Source.
func (c *Changed) List(_ context.Context, add func([]scanner.Entry)) error {
	es := make([]scanner.Entry, 0, len(c.Files))
	for _, f := range c.Files {
		es = append(es, scanner.Entry{Path: f})
	}
	add(es)
	return nil
}

// Covers reports whether a run over the changed files looked at p.
func (c *Changed) Covers(p string) bool { _, ok := c.Lines[p]; return ok }

// Index is the staged contents of files, read from the git index through
// one git cat-file process, started at the first Open. Close stops it.
type Index struct {
	Ctx   context.Context   // bounds the reads of the index
	Top   string            // work tree top, where git runs
	Files map[string]string // root-relative path -> object id
	// Objects is the repository's objects folder, where loose objects are
	// read without git; "" asks git for every blob.
	Objects string

	mu    sync.Mutex
	blobs *gitsrc.BlobReader
	err   error
}

// List implements scanner.Source.
func (x *Index) List(_ context.Context, add func([]scanner.Entry)) error {
	es := make([]scanner.Entry, 0, len(x.Files))
	for f := range x.Files {
		es = append(es, scanner.Entry{Path: f, Regular: true})
	}
	add(es)
	return nil
}

// Covers reports whether p is staged.
func (x *Index) Covers(p string) bool { _, ok := x.Files[p]; return ok }

// Open implements scanner.Opener: the staged contents, streamed. Files are
// read one at a time; the next Open waits until this reader is closed.
func (x *Index) Open(p string) (io.ReadCloser, error) {
	id, ok := x.Files[p]
	if !ok {
		return nil, fmt.Errorf("not staged")
	}
	if x.Objects != "" {
		// Just staged, so most likely a loose object: no git needed.
		rc, err := gitrepo.OpenLoose(x.Objects, id)
		if err == nil {
			return rc, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	x.mu.Lock()
	if x.blobs == nil && x.err == nil {
		x.blobs, x.err = gitsrc.NewBlobReader(x.Ctx, x.Top)
	}
	blobs, err := x.blobs, x.err
	x.mu.Unlock()
	if err != nil {
		return nil, err
	}
	rc, _, err := blobs.Open(id)
	return rc, err
}

// Close stops the git process that reads the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.blobs == nil {
		return nil
	}
	return x.blobs.Close()
}
