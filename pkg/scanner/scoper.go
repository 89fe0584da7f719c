package scanner

import (
	"path"
	"strings"
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
	if inGitDir(p) {
		return "", false
	}
	dir := path.Dir(p)
	for d := dir; d != "" && d != "."; d = path.Dir(d) {
		if s.e.sc.prune(s.state(d)) {
			return "", false
		}
	}
	in, active := s.e.sc.file(s.state(dir), p, s.buf)
	if !in {
		return "", false
	}
	if active == nil {
		return "*", true
	}
	s.buf = active
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
