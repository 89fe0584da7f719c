package scanner

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// task is a folder to read, a batch of listed files in one folder, or one
// file (named on the command line, or with contents from an Opener).
type task struct {
	rel string // root-relative slash path; "" is the root
	dir bool
	st  []globState // folder: its own state; file: its folder's state
	// A folder walked for a Walker: its parent's chooser (nil for a
	// folder the source listed).
	walked bool
	parent Chooser
	// A batch of listed files in folder rel, scanned like a folder's files.
	names   []string
	regular []bool
	chunk   *chunkTask // a chunk of a big file (chunk.go)
}

// scan is the shared state of one Scan call: a stack of work that workers
// pop from and push folders onto, and that the source adds to.
type scan struct {
	e       *Engine
	opt     Options
	opener  Opener // nil: contents come from the file system
	walker  Walker // nil: no folder is walked for the source
	stopped atomic.Bool

	mu        sync.Mutex
	cond      *sync.Cond
	stack     []task
	chunks    []task             // big files' chunks, taken before the stack
	big       []*bigFile         // the files they read (chunk.go)
	busy      int                // tasks being worked on, and the listing
	errs      []result.FileError // errors found while queueing
	skip      map[string]bool
	dirMemo   map[string][]globState
	namedSeen map[string]bool // the named paths queued
	// grow, when set, starts the rest of the workers once growAfter tasks
	// have been taken (popped counts them).
	grow   func()
	popped int

	bufSize    int   // of each worker's read buffer
	namedBytes int64 // the sizes of the named files queued
}

// Few files are searched by one worker in the scan's own goroutine; a
// pre-commit hook names a handful. Past these, a second worker pays for
// its thread.
const (
	fewFiles = 64
	fewBytes = 1 << 20
)

// few reports whether the queue holds only named files, at most fewFiles of
// at most fewBytes in all: no folder to walk, no big file.
func (s *scan) few() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.stack) > fewFiles || len(s.chunks) > 0 || s.namedBytes > fewBytes {
		return false
	}
	for _, t := range s.stack {
		if t.dir || t.names != nil || t.chunk != nil {
			return false
		}
	}
	return true
}

// growAfter is how many tasks (folders, batches, files, chunks) a scan
// takes before its remaining workers start: Monica's 1,161 files in scope
// are about 430 folders, a pre-commit run's 20 files are 20 tasks.
const growAfter = 1024

func newScan(e *Engine, opt Options, src Source) *scan {
	s := &scan{e: e, opt: opt, skip: map[string]bool{}, dirMemo: map[string][]globState{}, namedSeen: map[string]bool{}, busy: 1}
	s.cond = sync.NewCond(&s.mu)
	s.opener, _ = src.(Opener)
	s.walker, _ = src.(Walker)
	for _, p := range opt.Skip {
		s.skip[p] = true
	}
	return s
}

func (s *scan) abs(rel string) string {
	if rel == "" {
		return s.opt.Root
	}
	return filepath.Join(s.opt.Root, filepath.FromSlash(rel))
}

// dirState computes a folder's state from the root down. s.mu is held.
func (s *scan) dirState(dir string) []globState {
	if dir == "" || dir == "." {
		return s.e.sc.root()
	}
	if st, ok := s.dirMemo[dir]; ok {
		return st
	}
	st := s.e.sc.child(s.dirState(path.Dir(dir)), dir)
	s.dirMemo[dir] = st
	return st
}

// pruned reports whether dir or any folder above it is out of scope.
func (s *scan) pruned(dir string) bool {
	for d := dir; d != "" && d != "."; d = path.Dir(d) {
		if s.e.sc.prune(s.dirState(d)) {
			return true
		}
	}
	return false
}

// add queues a batch of entries from the source, from any goroutine.
func (s *scan) add(es []Entry) {
	s.mu.Lock()
	var tasks []task
	listed := make([]Entry, 0, len(es))
	for _, e := range es {
		switch {
		case e.Walk && s.walker != nil:
			tasks = s.walk(e.Path, tasks)
		case e.Named && s.opener == nil:
			tasks = s.named(e.Path, tasks)
		default:
			listed = append(listed, e)
		}
	}
	tasks = append(tasks, s.batches(listed)...)
	// Newest first on the stack, so that workers take a batch's folders in
	// list order, which keeps reads local.
	for i, j := 0, len(tasks)-1; i < j; i, j = i+1, j-1 {
		tasks[i], tasks[j] = tasks[j], tasks[i]
	}
	s.stack = append(s.stack, tasks...)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// named queues a path the user named: a folder to walk or a file to scan.
// s.mu is held.
func (s *scan) named(p string, tasks []task) []task {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if inGitDir(p) || s.namedSeen[p] {
		return tasks // named twice (a.php ./a.php): searched once
	}
	s.namedSeen[p] = true
	fi, err := os.Lstat(s.abs(p))
	switch {
	case err != nil:
		if s.opt.Shard.Has(p) {
			s.errs = append(s.errs, result.FileError{Path: displayPath(p), Err: unwrapPathError(err)})
		}
	case fi.IsDir():
		if p == "" || !s.pruned(p) {
			tasks = append(tasks, task{rel: p, dir: true, st: s.dirState(p)})
		}
	case fi.Mode().IsRegular():
		if dir := path.Dir(p); !s.pruned(dir) {
			tasks = append(tasks, task{rel: p, st: s.dirState(dir)})
			s.namedBytes += fi.Size()
		}
	}
	return tasks
}

// walk queues a folder to walk for the Walker, if it is there. s.mu is held.
func (s *scan) walk(p string, tasks []task) []task {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if inGitDir(p) || (p != "" && s.pruned(p)) {
		return tasks
	}
	fi, err := os.Lstat(s.abs(p))
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
	case err != nil:
		if s.opt.Shard.Has(p) {
			s.errs = append(s.errs, result.FileError{Path: displayPath(p), Err: unwrapPathError(err)})
		}
	case fi.IsDir():
		tasks = append(tasks, task{rel: p, dir: true, st: s.dirState(p), walked: true})
	}
	return tasks
}

// batches turns listed files into tasks, sorted and without duplicates: the
// files of one folder go in one task, scanned by the same loop as a walked
// folder's files, unless an Opener supplies the contents. s.mu is held.
func (s *scan) batches(es []Entry) []task {
	sort.SliceStable(es, func(a, b int) bool { return es[a].Path < es[b].Path })
	var tasks []task
	for k, e := range es {
		f := e.Path
		if k > 0 && es[k-1].Path == f {
			continue // listed twice
		}
		if !insideRoot(f) {
			// Not a clean path inside the root (a corrupt or hand-made
			// index; git ls-files prints it as it is): never read outside
			// the root, nor twice under two spellings.
			if s.opt.Shard.Has(f) {
				s.errs = append(s.errs, result.FileError{Path: f, Err: errListedPath})
			}
			continue
		}
		dir := path.Dir(f)
		if inGitDir(f) || s.pruned(dir) {
			continue // out of scope
		}
		if s.opener != nil {
			tasks = append(tasks, task{rel: f, st: s.dirState(dir)})
			continue
		}
		if dir == "." {
			dir = ""
		}
		if n := len(tasks); n == 0 || tasks[n-1].rel != dir {
			tasks = append(tasks, task{rel: dir, st: s.dirState(dir)})
		}
		t := &tasks[len(tasks)-1]
		t.names = append(t.names, path.Base(f))
		t.regular = append(t.regular, e.Regular)
	}
	return tasks
}

// errListedPath is a listed path that is not a clean path inside the root.
var errListedPath = errors.New("listed as a path that leaves the root or is not clean: the git index is corrupt (git read-tree HEAD rebuilds it)")

// insideRoot reports whether a listed path is a clean relative path: no
// leading slash, no "", "." or ".." segment. (A trailing slash is git's
// mark of a folder, which is not opened as a file.)
func insideRoot(p string) bool {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return false
	}
	for p != "" {
		seg, rest, _ := strings.Cut(p, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		p = rest
	}
	return true
}

// inGitDir reports whether a path is inside a .git folder, which is never read.
func inGitDir(p string) bool {
	for p != "" {
		seg, rest, _ := strings.Cut(p, "/")
		if seg == ".git" {
			return true
		}
		p = rest
	}
	return false
}

func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pop blocks until there is work or all work is done.
func (s *scan) pop() (task, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.stack) == 0 && len(s.chunks) == 0 {
		if s.busy == 0 {
			return task{}, false
		}
		s.cond.Wait()
	}
	var t task
	if n := len(s.chunks); n > 0 {
		// Big files first, so that none is the tail of a scan.
		t, s.chunks = s.chunks[n-1], s.chunks[:n-1]
	} else {
		t, s.stack = s.stack[len(s.stack)-1], s.stack[:len(s.stack)-1]
	}
	s.busy++
	if s.popped++; s.popped == growAfter && s.grow != nil {
		s.grow()
		s.grow = nil
	}
	return t, true
}

func (s *scan) done(push []task) {
	s.mu.Lock()
	s.stack = append(s.stack, push...)
	s.busy--
	if len(push) > 0 || s.busy == 0 {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}
