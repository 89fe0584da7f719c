package scanner

import (
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// A Scoper says, path by path, what a scan would decide about a file listed
// at that path: whether it is searched, and which rules apply to it. It
// remembers the folders it has seen, so it belongs to one goroutine.
type Scoper struct {
	e    *Engine
	dirs map[string][]globState
	buf  []bool
}

// NewScoper returns a Scoper for e's scope globs.
func (e *Engine) NewScoper() *Scoper {
	return &Scoper{e: e, dirs: map[string][]globState{}}
}

// File reports whether a scan would search a regular file listed at p (a
// root-relative slash path), and a key that two paths share exactly when
// the same rules apply to them: a file's findings depend only on its
// contents and that key.
func (s *Scoper) File(p string) (key string, ok bool) {
	in, active := s.active(p)
	if !in {
		return "", false
	}
	if active == nil {
		return "*", true
	}
	var b strings.Builder
	for _, a := range active {
		if a {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String(), true
}

// active is the scan's decision on p: in scope, and the rules that apply
// (nil: all). The slice is reused by the next call.
func (s *Scoper) active(p string) (bool, []bool) {
	if inGitDir(p) {
		return false, nil
	}
	dir := path.Dir(p)
	for d := dir; d != "" && d != "."; d = path.Dir(d) {
		if s.e.sc.prune(s.state(d)) {
			return false, nil
		}
	}
	in, active := s.e.sc.file(s.state(dir), p, s.buf)
	if active != nil {
		s.buf = active
	}
	return in, active
}

// state is a folder's glob state, computed from the root down as the walk
// and the listing's batches do.
func (s *Scoper) state(dir string) []globState {
	if dir == "" || dir == "." {
		return s.e.sc.root()
	}
	if st, ok := s.dirs[dir]; ok {
		return st
	}
	st := s.e.sc.child(s.state(path.Dir(dir)), dir)
	s.dirs[dir] = st
	return st
}

// A Searcher searches one file's contents at a time, in the caller's
// goroutine, with buffers it keeps from file to file: for callers that
// hold many small contents themselves (the history's blobs), for which a
// Scan each would cost more than the search. It belongs to one goroutine.
type Searcher struct {
	w  *worker
	sc *Scoper
}

// NewSearcher returns a Searcher with the engine's rules.
func (e *Engine) NewSearcher() *Searcher {
	s := newScan(e, Options{}, Files(nil))
	size := max(bufSize, 8*(e.m.maxLen+utf8.UTFMax))
	return &Searcher{w: &worker{s: s, buf: make([]byte, size)}, sc: e.NewScoper()}
}

// Search searches what r reads as the regular file at p (root-relative),
// as a scan that listed it would: nothing if p is out of scope, nothing
// for a binary file, the findings sorted otherwise, suppressions settled.
// An error is a read error.
func (s *Searcher) Search(p string, r io.Reader) ([]*result.Finding, error) {
	in, active := s.sc.active(p)
	if !in {
		return nil, nil
	}
	w := s.w
	w.findings, w.errs = w.findings[:0], w.errs[:0]
	w.search(p, active, r)
	if len(w.errs) > 0 {
		return nil, w.errs[0].Err
	}
	out := make([]*result.Finding, len(w.findings))
	copy(out, w.findings)
	result.Sort(out)
	return out, nil
}
