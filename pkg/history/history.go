// Package history reports what a plain run would have found at each commit of a first-parent history, scanning each blob once.
package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Setup is what a plain run of one commit would use: the compiled rules,
// the files it never scans and the baseline.
type Setup struct {
	Engine *scanner.Engine
	Rules  []rules.Rule // the rules that run, built-in ones included: every one is counted
	Skip   []string     // root-relative files never scanned (the rule file, the baseline)
	// Baseline is the baseline in effect, nil for none; Ran says which of
	// its entries the run judges (nil: all).
	Baseline *baseline.File
	Ran      func(baseline.Entry) bool
}

// Tree is a commit's files, by path from the top of the work tree.
type Tree interface {
	Entry(path string) (gitsrc.TreeEntry, bool)
}

// Options say which history to walk and how a commit is judged.
type Options struct {
	Dir     string // the work tree's top, where git runs
	Prefix  string // the root relative to Dir: "" or "sub/dir/"
	Log     gitsrc.LogSpec
	Workers int // files read at once per scan; 0: the engine's default
	// Setup returns the setup in effect at a commit, given its tree and a
	// reader of its blobs. Returning the same *Setup as for the commit
	// before says that nothing changed; a new one re-judges every file.
	Setup func(t Tree, read func(id string) ([]byte, error)) (*Setup, error)
	// Shallow lists the commits whose parents this clone lacks.
	Shallow map[string]bool
}

// Commit is one commit's report: what a plain run of it reports.
type Commit struct {
	ID, Date, Author, Email, Subject string
	Rules                            []rules.Rule   // the rules that ran, in order
	Counts                           map[string]int // reported findings per rule (every rule of Rules)
	Suppressed                       map[string]int // findings silenced in the code or by the baseline
	// Added are the reported findings the first parent did not have (same
	// rule, token and trimmed line, counted), of the rules whose count rose.
	Added []*result.Finding
}

// Result is a whole history, oldest commit first.
type Result struct {
	Commits []Commit
	// Rules are every rule that ran at some commit: the newest commit's in
	// order, then the others as they were last seen.
	Rules []rules.Rule
	// Folders counts the newest commit's reported findings per top-level
	// folder ("." for files at the root) and rule.
	Folders map[string]map[string]int
	// BlobsScanned counts the blobs searched: each distinct blob once per
	// rule set and rule scope, however many commits hold it.
	BlobsScanned int
}

// ShallowError is a history that reaches past what a shallow clone holds.
type ShallowError struct{ Commit string }

func (e *ShallowError) Error() string {
	return fmt.Sprintf("the history reaches commit %.12s, whose parents this shallow clone does not have", e.Commit)
}

// ReadError is an object or file of a commit that could not be read.
type ReadError struct {
	Commit string
	Path   string
	Err    error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("commit %.12s: %s: %v", e.Commit, e.Path, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// cacheKey names one search: a rule set, a rule scope and a blob.
type cacheKey struct {
	setup int
	scope string
	blob  string
}

// contrib is what one file adds to a commit's report.
type contrib struct {
	active     []*result.Finding // reported, with the file's path
	suppressed map[string]int
}

// walker is one Run's state.
type walker struct {
	ctx    context.Context
	opt    Options
	blobs  *gitsrc.BlobReader
	tree   map[string]gitsrc.TreeEntry // the current commit's, top-relative
	setup  *Setup
	ids    map[*Setup]int
	scoper *scanner.Scoper
	cache  map[cacheKey][]*result.Finding
	files  map[string]*contrib // root-relative
	counts map[string]int
	res    *Result
	ruleAt map[string]rules.Rule
	order  []string
}

// Entry implements Tree.
func (w *walker) Entry(p string) (gitsrc.TreeEntry, bool) { e, ok := w.tree[p]; return e, ok }

// Run walks the history opt names and reports each commit, oldest first.
func Run(ctx context.Context, opt Options) (*Result, error) {
	var commits []*gitsrc.Commit
	err := gitsrc.Log(ctx, opt.Dir, opt.Log, func(c *gitsrc.Commit) error {
		commits = append(commits, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := &walker{ctx: ctx, opt: opt, tree: map[string]gitsrc.TreeEntry{}, ids: map[*Setup]int{},
		cache: map[cacheKey][]*result.Finding{}, files: map[string]*contrib{}, counts: map[string]int{},
		res: &Result{Commits: make([]Commit, 0, len(commits))}, ruleAt: map[string]rules.Rule{}}
	if len(commits) == 0 {
		return w.res, nil
	}
	blobs, err := gitsrc.NewBlobReader(ctx, opt.Dir)
	if err != nil {
		return nil, err
	}
	defer blobs.Close()
	w.blobs = blobs
	prev := ""
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		commits[i] = nil // done with it after this round
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(c.Parents) > 0 && c.Parents[0] != prev {
			// The first commit, or a gap: start from its parent's tree,
			// judged but not reported, so that "added" means added here.
			if opt.Shallow[c.ID] {
				return nil, &ShallowError{Commit: c.ID}
			}
			if err := w.reset(c.Parents[0]); err != nil {
				return nil, err
			}
		} else if len(c.Parents) == 0 && prev != "" {
			if err := w.resetEmpty(); err != nil {
				return nil, err
			}
		}
		if len(c.Parents) == 0 && opt.Shallow[c.ID] {
			return nil, &ShallowError{Commit: c.ID}
		}
		rep, err := w.step(c.ID, c.Changes)
		if err != nil {
			return nil, err
		}
		rep.ID, rep.Date, rep.Author, rep.Email, rep.Subject = c.ID, c.Date, c.Author, c.Email, c.Subject
		w.res.Commits = append(w.res.Commits, *rep)
		prev = c.ID
	}
	w.finish()
	return w.res, nil
}

// reset makes the state a commit's tree, judged as a commit of its own.
func (w *walker) reset(commit string) error {
	var changes []gitsrc.TreeEntry
	for p := range w.tree {
		changes = append(changes, gitsrc.TreeEntry{Path: p}) // gone, unless listed below
	}
	err := gitsrc.Tree(w.ctx, w.opt.Dir, commit, func(e gitsrc.TreeEntry) {
		changes = append(changes, e)
	})
	if err != nil {
		return err
	}
	_, err = w.step(commit, changes)
	return err
}

// resetEmpty empties the state: a second root commit.
func (w *walker) resetEmpty() error {
	var changes []gitsrc.TreeEntry
	for p := range w.tree {
		changes = append(changes, gitsrc.TreeEntry{Path: p})
	}
	_, err := w.step("", changes)
	return err
}

func (w *walker) read(id string) ([]byte, error) {
	rc, _, err := w.blobs.Open(id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// step applies a commit's changes and judges the files they touch (all of
// them when the setup changed).
func (w *walker) step(commit string, changes []gitsrc.TreeEntry) (*Commit, error) {
	touched := map[string]bool{}
	for _, e := range changes {
		if e.Mode == "" {
			delete(w.tree, e.Path)
		} else {
			w.tree[e.Path] = e
		}
		if rel, ok := strings.CutPrefix(e.Path, w.opt.Prefix); ok {
			touched[rel] = true
		}
	}
	setup, err := w.opt.Setup(w, w.read)
	if err != nil {
		return nil, &ReadError{Commit: commit, Path: "rule file or baseline", Err: err}
	}
	if setup != w.setup {
		if _, ok := w.ids[setup]; !ok {
			w.ids[setup] = len(w.ids)
		}
		w.setup = setup
		w.scoper = setup.Engine.NewScoper()
		for p := range w.files {
			touched[p] = true
		}
		for p := range w.tree {
			if rel, ok := strings.CutPrefix(p, w.opt.Prefix); ok {
				touched[rel] = true
			}
		}
		for _, r := range setup.Rules {
			w.ruleAt[r.ID] = r
		}
	}
	paths := make([]string, 0, len(touched))
	for p := range touched {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	// Which files count, and which of them need a search.
	skip := map[string]bool{}
	for _, s := range setup.Skip {
		skip[s] = true
	}
	sid := w.ids[setup]
	keys := map[string]cacheKey{}
	todo := map[string]string{}
	for _, p := range paths {
		e, ok := w.tree[w.opt.Prefix+p]
		if !ok || !e.Regular() || skip[p] {
			continue
		}
		scope, in := w.scoper.File(p)
		if !in {
			continue
		}
		k := cacheKey{sid, scope, e.ID}
		keys[p] = k
		if _, ok := w.cache[k]; !ok {
			todo[p] = e.ID
		}
	}
	if len(todo) > 0 {
		if err := w.scan(commit, setup, todo, keys); err != nil {
			return nil, err
		}
	}

	// The touched files' findings, as this commit's plain run reports them.
	var fresh []*result.Finding
	for _, p := range paths {
		k, ok := keys[p]
		if !ok {
			continue
		}
		for _, f := range w.cache[k] {
			g := *f
			g.Path = p
			fresh = append(fresh, &g)
		}
	}
	if setup.Baseline != nil && len(fresh) > 0 {
		b := &baseline.File{Version: setup.Baseline.Version}
		for _, e := range setup.Baseline.Entries {
			if touched[e.Path] && (setup.Ran == nil || setup.Ran(e)) {
				b.Entries = append(b.Entries, e)
			}
		}
		if len(b.Entries) > 0 {
			b.Apply(fresh, nil)
		}
	}
	byPath := map[string]*contrib{}
	for _, f := range fresh {
		c := byPath[f.Path]
		if c == nil {
			c = &contrib{suppressed: map[string]int{}}
			byPath[f.Path] = c
		}
		if f.Suppression != nil {
			c.suppressed[f.Rule.ID]++
		} else {
			c.active = append(c.active, f)
		}
	}

	// Replace the touched files' part of the counts, and see what is new.
	before := map[string]int{}
	for r, n := range w.counts {
		before[r] = n
	}
	gone := map[string]int{}
	for _, p := range paths {
		if old := w.files[p]; old != nil {
			for _, f := range old.active {
				w.counts[f.Rule.ID]--
				gone[eventKey(f)]++
			}
		}
		if c := byPath[p]; c != nil {
			w.files[p] = c
		} else {
			delete(w.files, p)
		}
	}
	rep := &Commit{Rules: setup.Rules, Counts: map[string]int{}, Suppressed: map[string]int{}}
	var added []*result.Finding
	for _, p := range paths {
		c := byPath[p]
		if c == nil {
			continue
		}
		for _, f := range c.active {
			w.counts[f.Rule.ID]++
			if k := eventKey(f); gone[k] > 0 {
				gone[k]--
			} else {
				added = append(added, f)
			}
		}
	}
	for _, r := range setup.Rules {
		rep.Counts[r.ID] = w.counts[r.ID]
		rep.Suppressed[r.ID] = 0
	}
	for _, c := range w.files {
		for r, n := range c.suppressed {
			if _, ok := rep.Suppressed[r]; ok {
				rep.Suppressed[r] += n
			}
		}
	}
	for _, f := range added {
		if rep.Counts[f.Rule.ID] > before[f.Rule.ID] {
			rep.Added = append(rep.Added, f)
		}
	}
	result.Sort(rep.Added)
	return rep, nil
}

// eventKey is a finding's identity across a commit, path left out so that a
// renamed or moved file brings nothing back.
func eventKey(f *result.Finding) string {
	return f.Rule.ID + "\x00" + f.Match + "\x00" + strings.TrimSpace(f.LineText)
}

// scan searches the blobs todo names (root-relative path -> blob) in one
// scan and caches their findings.
func (w *walker) scan(commit string, setup *Setup, todo map[string]string, keys map[string]cacheKey) error {
	src := &blobSource{files: todo, blobs: w.blobs}
	workers := w.opt.Workers
	if workers <= 0 || workers > len(todo) {
		workers = len(todo)
	}
	res, err := setup.Engine.Scan(w.ctx, scanner.Options{Source: src, Workers: workers})
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		e := res.Errors[0]
		return &ReadError{Commit: commit, Path: w.opt.Prefix + e.Path, Err: e.Err}
	}
	for p := range todo {
		w.cache[keys[p]] = nil
	}
	for _, f := range res.Findings {
		k := keys[f.Path]
		w.cache[k] = append(w.cache[k], f)
	}
	w.res.BlobsScanned += len(todo)
	return nil
}

// finish fills in what the renderers want beyond the commits.
func (w *walker) finish() {
	last := w.res.Commits[len(w.res.Commits)-1]
	seen := map[string]bool{}
	for _, r := range last.Rules {
		seen[r.ID] = true
		w.res.Rules = append(w.res.Rules, r)
	}
	var rest []string
	for id := range w.ruleAt {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		w.res.Rules = append(w.res.Rules, w.ruleAt[id])
	}
	w.res.Folders = map[string]map[string]int{}
	for p, c := range w.files {
		top := "."
		if i := strings.IndexByte(p, '/'); i >= 0 {
			top = p[:i]
		}
		for _, f := range c.active {
			if w.res.Folders[top] == nil {
				w.res.Folders[top] = map[string]int{}
			}
			w.res.Folders[top][f.Rule.ID]++
		}
	}
}

// blobSource is blobs under their paths, for one scan.
type blobSource struct {
	files map[string]string // root-relative path -> blob id
	blobs *gitsrc.BlobReader
}

// List implements scanner.Source.
func (s *blobSource) List(_ context.Context, add func([]scanner.Entry)) error {
	es := make([]scanner.Entry, 0, len(s.files))
	for p := range s.files {
		es = append(es, scanner.Entry{Path: p, Regular: true})
	}
	add(es)
	return nil
}

// wholeMax is the largest blob read whole: the reader is free for the
// next file at once, so that files are searched in parallel.
const wholeMax = 1 << 20

// Open implements scanner.Opener.
func (s *blobSource) Open(p string) (io.ReadCloser, error) {
	id, ok := s.files[p]
	if !ok {
		return nil, errors.New("not in this commit")
	}
	rc, size, err := s.blobs.Open(id)
	if err != nil {
		return nil, err
	}
	if size > wholeMax {
		return rc, nil // streamed; the next file waits
	}
	b := make([]byte, size)
	_, err = io.ReadFull(rc, b)
	rc.Close()
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}
