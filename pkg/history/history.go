// Package history reports what a plain run would have found at each commit of a first-parent history, scanning each blob once.
package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"

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
	// BaselinePath is the baseline's path from the top of the work tree
	// when it is a file of the commit, "" otherwise. With Log.Renames, its
	// entries follow the files renamed since the last commit that changed
	// it, as a plain run's do.
	BaselinePath string
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
	// reader of its blobs, which reads at most max+1 bytes of one (more
	// than max: too big). Returning the same *Setup as for the commit
	// before says that nothing changed; a new one re-judges every file.
	Setup func(t Tree, read func(id string, max int64) ([]byte, error)) (*Setup, error)
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

// ShallowError is a history that reaches past what a shallow clone holds:
// Commit is listed, but its parent, which it is compared with, is not in
// the clone. Newer is how many commits were listed after it: the most that
// can be reported (a clone of depth N holds N commits, and N-1 of them
// with their parents).
type ShallowError struct {
	Commit string
	Newer  int
}

func (e *ShallowError) Error() string {
	return fmt.Sprintf("the history reaches commit %.12s, whose parents this shallow clone does not have", e.Commit)
}

// ReadError is an object or file of a commit that could not be read.
type ReadError struct {
	Commit string
	Path   string // "" when Err names the file (the rule file, the baseline)
	Err    error
}

func (e *ReadError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("commit %.12s: %v", e.Commit, e.Err)
	}
	return fmt.Sprintf("commit %.12s: %s: %v", e.Commit, e.Path, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// cacheKey names one search: an engine (a rule set), a rule scope and a
// blob. The baseline is not part of it: it applies after the search.
type cacheKey struct {
	engine int
	scope  string
	blob   string
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
	ids    map[*scanner.Engine]int
	scoper *scanner.Scoper
	cache  map[cacheKey][]*result.Finding
	todo   []search            // what the cache lacks, in the order first needed
	files  map[string]*contrib // root-relative
	counts map[string]int
	res    *Result
	ruleAt map[string]rules.Rule
	// searchers are each setup's, one per goroutine that searches.
	searchers map[*scanner.Engine][]*scanner.Searcher

	// With Log.Renames: the renames since the baseline at followPath last
	// changed (nil: unknown, none followed), and of them the root-relative
	// ones of files with baseline entries.
	follow     *gitsrc.RenameMap
	followPath string
	renamed    map[string]string
	entryPaths map[*Setup][]string
	// activeU counts each file's reported findings with the baseline's
	// entries where they are, not renamed; totalU sums them. A plain run
	// follows renames only when that leaves some finding reported.
	activeU map[string]int
	totalU  int
	moved   bool // the last commit counted followed the renames
}

// search is one blob to search as the file at path, with engine's rules.
type search struct {
	commit string // the first commit that needs it
	key    cacheKey
	engine *scanner.Engine
	path   string
}

// plan is one commit's part of the work: the files it touched (all of
// them when the setup changed), each with its search, or none when it is
// gone or out of scope.
type plan struct {
	commit *gitsrc.Commit // nil: a parent's tree, judged but not reported
	setup  *Setup
	paths  []string
	keys   map[string]cacheKey
	// renamed maps the old path of each file with baseline entries that
	// was renamed since the baseline last changed to its path now; extra
	// are those files, old path and new, that paths leaves out.
	renamed map[string]string
	extra   []string
}

// Entry implements Tree.
func (w *walker) Entry(p string) (gitsrc.TreeEntry, bool) { e, ok := w.tree[p]; return e, ok }

// Run walks the history opt names and reports each commit, oldest first.
// It plans every commit first, then searches every blob the plans need
// in one pass, then counts.
func Run(ctx context.Context, opt Options) (*Result, error) {
	var commits []*gitsrc.Commit
	err := gitsrc.Log(ctx, opt.Dir, opt.Log, func(c *gitsrc.Commit) error {
		commits = append(commits, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := &walker{ctx: ctx, opt: opt, tree: map[string]gitsrc.TreeEntry{}, ids: map[*scanner.Engine]int{}, searchers: map[*scanner.Engine][]*scanner.Searcher{},
		cache: map[cacheKey][]*result.Finding{}, files: map[string]*contrib{}, counts: map[string]int{},
		res: &Result{Commits: make([]Commit, 0, len(commits))}, ruleAt: map[string]rules.Rule{},
		entryPaths: map[*Setup][]string{}, activeU: map[string]int{}}
	if len(commits) == 0 {
		return w.res, nil
	}
	blobs, err := gitsrc.NewBlobReader(ctx, opt.Dir)
	if err != nil {
		return nil, err
	}
	defer blobs.Close()
	w.blobs = blobs
	plans := make([]*plan, 0, len(commits)+1)
	prev := ""
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opt.Shallow[c.ID] {
			return nil, &ShallowError{Commit: c.ID, Newer: i}
		}
		var base []gitsrc.TreeEntry
		baseID := c.ID // another root commit: the empty tree before it
		switch {
		case len(c.Parents) > 0 && c.Parents[0] != prev:
			// The first commit, or a gap: start from its parent's tree,
			// judged but not reported, so that "added" means added here.
			base, baseID = w.gone(), c.Parents[0]
			err := gitsrc.Tree(ctx, opt.Dir, c.Parents[0], func(e gitsrc.TreeEntry) { base = append(base, e) })
			if err != nil {
				return nil, err
			}
		case len(c.Parents) == 0 && prev != "":
			base = w.gone() // another root commit
		}
		if base != nil {
			p, err := w.plan(nil, baseID, base)
			var re *ReadError
			switch {
			case errors.As(err, &re) && re.Path == "":
				// The parent's rule file or baseline cannot be read: the
				// commit is judged whole, against what was known before,
				// rather than nothing being reported.
				w.setup = nil
			case err != nil:
				return nil, err
			default:
				plans = append(plans, p)
			}
		}
		p, err := w.plan(c, c.ID, c.Changes)
		if err != nil {
			return nil, err
		}
		c.Changes = nil
		plans = append(plans, p)
		prev = c.ID
	}
	if err := w.scan(); err != nil {
		return nil, err
	}
	for _, p := range plans {
		rep := w.tally(p)
		if c := p.commit; c != nil {
			rep.ID, rep.Date, rep.Author, rep.Email, rep.Subject = c.ID, c.Date, c.Author, c.Email, c.Subject
			w.res.Commits = append(w.res.Commits, *rep)
		}
	}
	w.finish()
	return w.res, nil
}

// gone lists every path of the current tree as deleted.
func (w *walker) gone() []gitsrc.TreeEntry {
	out := make([]gitsrc.TreeEntry, 0, len(w.tree))
	for p := range w.tree {
		out = append(out, gitsrc.TreeEntry{Path: p})
	}
	return out
}

// read returns a blob, for the rule file and the baseline: at most max+1
// bytes of it, so that a blob too big is never read whole.
func (w *walker) read(id string, max int64) ([]byte, error) {
	rc, _, err := w.blobs.Open(id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, max+1))
}

// plan applies a commit's changes to the tree and decides which files it
// touched and what each needs searched.
func (w *walker) plan(c *gitsrc.Commit, id string, changes []gitsrc.TreeEntry) (*plan, error) {
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
		return nil, &ReadError{Commit: id, Err: err}
	}
	if setup != w.setup {
		if _, ok := w.ids[setup.Engine]; !ok {
			w.ids[setup.Engine] = len(w.ids)
		}
		// Every file of the last tree and of this one is judged again.
		for p := range w.files {
			touched[p] = true
		}
		for p := range w.tree {
			if rel, ok := strings.CutPrefix(p, w.opt.Prefix); ok {
				touched[rel] = true
			}
		}
		w.setup = setup
		w.scoper = setup.Engine.NewScoper()
		for _, r := range setup.Rules {
			w.ruleAt[r.ID] = r
		}
	}
	if w.opt.Log.Renames {
		before := w.renamed
		if err := w.track(c, id, changes, setup); err != nil {
			return nil, err
		}
		// The files whose entries move, or moved, are judged again.
		for _, m := range []map[string]string{before, w.renamed} {
			for old, to := range m {
				if before[old] != w.renamed[old] {
					touched[old], touched[to] = true, true
				}
			}
		}
	}
	pl := &plan{commit: c, setup: setup, paths: make([]string, 0, len(touched)), keys: map[string]cacheKey{}, renamed: w.renamed}
	for p := range touched {
		pl.paths = append(pl.paths, p)
	}
	sort.Strings(pl.paths)
	// The other files whose entries moved: judged again by tally only when
	// the renames start or stop being followed.
	for old, to := range w.renamed {
		for _, p := range []string{old, to} {
			if !touched[p] {
				touched[p] = true
				pl.extra = append(pl.extra, p)
			}
		}
	}
	sort.Strings(pl.extra)
	skip := map[string]bool{}
	for _, s := range setup.Skip {
		skip[s] = true
	}
	sid := w.ids[setup.Engine]
	for _, p := range append(pl.paths, pl.extra...) {
		e, ok := w.tree[w.opt.Prefix+p]
		if !ok || !e.Regular() || skip[p] {
			continue
		}
		scope, in := w.scoper.File(p)
		if !in {
			continue
		}
		k := cacheKey{sid, scope, e.ID}
		pl.keys[p] = k
		if _, ok := w.cache[k]; !ok {
			w.cache[k] = nil // searched below
			w.todo = append(w.todo, search{commit: id, key: k, engine: setup.Engine, path: p})
		}
	}
	return pl, nil
}

// track follows the renames since the baseline last changed, as a plain
// run of the commit would find them: from where the commit's first parent
// left them, or, for the first commit of a walk or a baseline at a new
// path, from git (gitsrc.RenamesSince, which a plain run uses too). A
// commit that changes the baseline starts again with none. c is nil for a
// tree judged but not reported.
func (w *walker) track(c *gitsrc.Commit, id string, changes []gitsrc.TreeEntry, setup *Setup) error {
	bp := setup.BaselinePath
	changed := false
	if c != nil && bp != "" {
		for _, e := range changes {
			if e.Path == bp {
				changed = true
				break
			}
		}
	}
	switch {
	case bp == "":
		w.follow, w.followPath = nil, ""
	case changed:
		w.follow, w.followPath = gitsrc.NewRenameMap(), bp
	case c == nil || bp != w.followPath:
		m, ok, err := gitsrc.RenamesSince(w.ctx, w.opt.Dir, id, bp)
		if err != nil {
			return &ReadError{Commit: id, Err: err}
		}
		w.follow, w.followPath = nil, bp
		if ok {
			w.follow = m
		}
	case w.follow != nil:
		w.follow.ApplyCommit(c)
	}
	w.renamed = nil
	if w.follow == nil || setup.Baseline == nil {
		return nil
	}
	paths, ok := w.entryPaths[setup]
	if !ok {
		seen := map[string]bool{}
		for _, e := range setup.Baseline.Entries {
			if !seen[e.Path] {
				seen[e.Path] = true
				paths = append(paths, e.Path)
			}
		}
		w.entryPaths[setup] = paths
	}
	for _, p := range paths {
		to, ok := w.follow.Lookup(w.opt.Prefix + p)
		if !ok {
			continue
		}
		if rel, in := strings.CutPrefix(to, w.opt.Prefix); in {
			if w.renamed == nil {
				w.renamed = map[string]string{}
			}
			w.renamed[p] = rel
		}
	}
	return nil
}

// tally replaces the touched files' part of the counts with what this
// commit's plain run reports for them, and finds what is new.
func (w *walker) tally(pl *plan) *Commit {
	setup := pl.setup
	// As a plain run: the baseline as it is, and if that leaves some
	// finding reported, with its entries renamed. Whether it does depends
	// on the touched files only; when that changes, the files whose
	// entries move are judged again too.
	w.judge(pl, pl.paths, nil)
	moved := len(pl.renamed) > 0 && w.totalU > 0
	paths := pl.paths
	if moved != w.moved && len(pl.extra) > 0 {
		paths = append(append([]string(nil), pl.paths...), pl.extra...)
		sort.Strings(paths)
	}
	w.moved = moved
	var fresh []*result.Finding
	w.judge(pl, paths, &fresh)
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
	return rep
}

// judge applies the baseline to the findings of paths: without out, it
// counts what each file reports with the baseline as it is (activeU,
// totalU); with out, it returns the findings as the commit reports them,
// with the entries renamed when w.moved.
func (w *walker) judge(pl *plan, paths []string, out *[]*result.Finding) {
	setup := pl.setup
	touched := map[string]bool{}
	var fresh []*result.Finding
	for _, p := range paths {
		touched[p] = true
		k, ok := pl.keys[p]
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
		b := setup.Baseline
		if out != nil && w.moved {
			b = b.Renamed(pl.renamed)
		}
		applyTo(b, setup, touched, fresh)
	}
	if out != nil {
		*out = fresh
		return
	}
	activeU := map[string]int{}
	for _, f := range fresh {
		if f.Suppression == nil {
			activeU[f.Path]++
		}
	}
	for _, p := range paths {
		w.totalU += activeU[p] - w.activeU[p]
		if activeU[p] > 0 {
			w.activeU[p] = activeU[p]
		} else {
			delete(w.activeU, p)
		}
	}
}

// applyTo applies the entries of b for the touched files to their findings.
func applyTo(b *baseline.File, setup *Setup, touched map[string]bool, fresh []*result.Finding) {
	part := &baseline.File{Version: b.Version}
	for _, e := range b.Entries {
		if touched[e.Path] && (setup.Ran == nil || setup.Ran(e)) {
			part.Entries = append(part.Entries, e)
		}
	}
	if len(part.Entries) > 0 {
		part.Apply(fresh, nil)
	}
}

// eventKey is a finding's identity across a commit, path left out so that a
// renamed or moved file brings nothing back.
func eventKey(f *result.Finding) string {
	return f.Rule.ID + "\x00" + f.Match + "\x00" + strings.TrimSpace(f.LineText)
}

// scan searches every blob the plans need and caches its findings. One
// goroutine reads the blobs through the cat-file process, asking for all
// of them at once; the others search them, each with a Searcher of its
// own. A big blob is searched as it is read, by the reading goroutine.
func (w *walker) scan() error {
	todo := w.todo
	w.todo = nil
	if len(todo) == 0 {
		return nil
	}
	ids := make([]string, len(todo))
	for i, t := range todo {
		ids[i] = t.key.blob
	}
	n := w.opt.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(min(n, len(todo)-1), 0)
	searcher := func(e *scanner.Engine, k int) *scanner.Searcher {
		ss := w.searchers[e]
		for len(ss) <= k {
			ss = append(ss, e.NewSearcher())
		}
		w.searchers[e] = ss
		return ss[k]
	}
	// Searchers are made here, in one goroutine, before any search starts.
	for _, t := range todo {
		searcher(t.engine, n)
	}
	found := make([][]*result.Finding, len(todo))
	errs := make([]error, len(todo))
	type job struct {
		i    int
		data []byte
	}
	jobs := make(chan job, 2*n+1)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				t := todo[j.i]
				found[j.i], errs[j.i] = w.searchers[t.engine][k].Search(t.path, bytes.NewReader(j.data))
			}
		}()
	}
	at := 0 // the blob being read
	err := w.blobs.Batch(ids, func(i int, size int64, r io.Reader) error {
		at = i
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if size > wholeMax || n == 0 {
			t := todo[i]
			found[i], errs[i] = w.searchers[t.engine][n].Search(t.path, r)
			return nil
		}
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
		jobs <- job{i, b}
		at = i + 1
		return nil
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		if ctxErr := w.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		t := todo[min(at, len(todo)-1)]
		return &ReadError{Commit: t.commit, Path: w.opt.Prefix + t.path, Err: err}
	}
	for i, t := range todo {
		if errs[i] != nil {
			return &ReadError{Commit: t.commit, Path: w.opt.Prefix + t.path, Err: errs[i]}
		}
		w.cache[t.key] = found[i]
	}
	w.res.BlobsScanned += len(todo)
	return nil
}

// wholeMax is the largest blob read whole and handed to a searching
// goroutine; a bigger one is searched as it is read.
const wholeMax = 1 << 20

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
