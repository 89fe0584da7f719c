package scanner

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// A glob matches a path when it matches the path itself or any folder above
// it, so "vendor" and "vendor/**" both cover everything under vendor/.
//
// While walking, each folder carries one globState per glob, so that a glob
// already known to cover (or to never reach) a folder costs nothing for the
// files below it.
type globState uint8

const (
	gMaybe globState = iota // decided per file
	gAll                    // matches every path below
	gNone                   // matches no path below
)

type glob struct {
	pat  string
	segs []string // nil when segment-wise reasoning is unsafe (braces with slashes)
}

type ruleScope struct{ inc, exc []int }

type scope struct {
	globs  []glob
	inc    []int // global includes; empty means every file
	exc    []int
	rules  []ruleScope
	scoped bool // some rule has its own include or exclude
}

func newScope(rs *rules.Set) *scope {
	sc := &scope{}
	index := map[string]int{}
	add := func(list []string) []int {
		var ids []int
		for _, p := range list {
			i, ok := index[p]
			if !ok {
				i = len(sc.globs)
				index[p] = i
				g := glob{pat: p}
				if !strings.ContainsAny(p, "{}") {
					g.segs = strings.Split(p, "/")
				}
				sc.globs = append(sc.globs, g)
			}
			ids = append(ids, i)
		}
		return ids
	}
	sc.inc = add(rs.Include)
	sc.exc = add(rs.Exclude)
	for _, r := range rs.Rules {
		rsc := ruleScope{inc: add(r.Include), exc: add(r.Exclude)}
		sc.scoped = sc.scoped || len(rsc.inc) > 0 || len(rsc.exc) > 0
		sc.rules = append(sc.rules, rsc)
	}
	return sc
}

// root is the state of the root folder: nothing is decided yet.
func (sc *scope) root() []globState { return make([]globState, len(sc.globs)) }

// child computes a folder's state from its parent's.
func (sc *scope) child(parent []globState, dir string) []globState {
	st := make([]globState, len(parent))
	for i, p := range parent {
		if p != gMaybe {
			st[i] = p
			continue
		}
		g := &sc.globs[i]
		switch {
		case matchGlob(g.pat, dir):
			st[i] = gAll
		case !g.canMatchBelow(dir):
			st[i] = gNone
		}
	}
	return st
}

// prune reports whether nothing below a folder in this state can be scanned.
func (sc *scope) prune(st []globState) bool {
	for _, i := range sc.exc {
		if st[i] == gAll {
			return true
		}
	}
	if len(sc.inc) == 0 {
		return false
	}
	for _, i := range sc.inc {
		if st[i] != gNone {
			return false
		}
	}
	return true
}

// needsPath reports whether deciding on a file in a folder of this state
// needs the file's path: some glob is still undecided.
func (sc *scope) needsPath(st []globState) bool {
	for _, g := range st {
		if g == gMaybe {
			return true
		}
	}
	return false
}

func (sc *scope) matches(st []globState, i int, file string) bool {
	switch st[i] {
	case gAll:
		return true
	case gNone:
		return false
	}
	return matchGlob(sc.globs[i].pat, file)
}

func (sc *scope) any(st []globState, ids []int, file string) bool {
	for _, i := range ids {
		if sc.matches(st, i, file) {
			return true
		}
	}
	return false
}

// file reports whether a file in a folder of state st is in scope, and which
// rules apply to it (nil means all of them). The rules' flags are written
// into buf, reused across files, when it is long enough.
func (sc *scope) file(st []globState, file string, buf []bool) (bool, []bool) {
	if len(sc.inc) > 0 && !sc.any(st, sc.inc, file) {
		return false, nil
	}
	if sc.any(st, sc.exc, file) {
		return false, nil
	}
	if !sc.scoped {
		return true, nil
	}
	active := buf
	if len(active) < len(sc.rules) {
		active = make([]bool, len(sc.rules))
	}
	active = active[:len(sc.rules)]
	some := false
	for r, rs := range sc.rules {
		active[r] = (len(rs.inc) == 0 || sc.any(st, rs.inc, file)) && !sc.any(st, rs.exc, file)
		some = some || active[r]
	}
	return some, active
}

func matchGlob(pat, name string) bool {
	ok, _ := doublestar.Match(pat, name)
	return ok
}

// canMatchBelow reports whether the glob might match some path strictly
// below dir. It errs on the side of true.
func (g *glob) canMatchBelow(dir string) bool {
	if g.segs == nil {
		return true
	}
	ds := strings.Split(dir, "/")
	for j, d := range ds {
		if j >= len(g.segs) {
			return false
		}
		s := g.segs[j]
		if s == "**" {
			return true
		}
		if !matchGlob(s, d) {
			return false
		}
	}
	return len(g.segs) > len(ds)
}
