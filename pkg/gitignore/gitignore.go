// Package gitignore decides which files git ignores, as git 2.39 does: its pattern files, their precedence and wildmatch.
package gitignore

import (
	"bytes"
	"strings"
)

// pattern is one line of a pattern file, parsed as git's parse_path_pattern.
type pattern struct {
	text      string // without a leading '!' or a trailing '/'
	literal   int    // length of the leading part without glob characters
	negative  bool   // "!": re-includes
	mustBeDir bool   // trailing "/": folders only
	noDir     bool   // no slash: matches a base name at any depth
	endsWith  bool   // "*literal": a suffix test
}

// List is the patterns of one file, in file order. Base is the folder the
// file is in, relative to the work tree's top, with a trailing slash ("" at
// the top): patterns with a slash are anchored there.
type List struct {
	Base     string
	patterns []pattern
}

// Parse reads a pattern file as git does: an optional UTF-8 byte order
// mark, lines split at '\n' with one '\r' before it dropped, blank lines and
// '#' comments skipped, unescaped trailing spaces trimmed, and each line cut
// at a NUL byte (git handles lines as C strings).
func Parse(data []byte, base string) *List {
	l := &List{Base: base}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		line = trimTrailingSpaces(line)
		l.patterns = append(l.patterns, parsePattern(string(line)))
	}
	return l
}

// trimTrailingSpaces drops trailing spaces that no backslash escapes.
func trimTrailingSpaces(b []byte) []byte {
	last := -1
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ':
			if last < 0 {
				last = i
			}
		case '\\':
			i++
			if i == len(b) {
				return b
			}
			last = -1
		default:
			last = -1
		}
	}
	if last >= 0 {
		return b[:last]
	}
	return b
}

func parsePattern(p string) pattern {
	var pt pattern
	if strings.HasPrefix(p, "!") {
		pt.negative = true
		p = p[1:]
	}
	if strings.HasSuffix(p, "/") {
		pt.mustBeDir = true
		p = p[:len(p)-1]
	}
	pt.noDir = !strings.Contains(p, "/")
	pt.literal = min(literalLen(p), len(p))
	pt.endsWith = strings.HasPrefix(p, "*") && literalLen(p[1:]) == len(p)-1
	pt.text = p
	return pt
}

// literalLen is the length of s up to its first glob character.
func literalLen(s string) int {
	for i := 0; i < len(s); i++ {
		if isGlobSpecial(s[i]) {
			return i
		}
	}
	return len(s)
}

// match returns the last pattern of l that matches path (relative to the
// top, no trailing slash), or nil.
func (l *List) match(path, base string, isDir, fold bool) *pattern {
	for i := len(l.patterns) - 1; i >= 0; i-- {
		p := &l.patterns[i]
		if p.mustBeDir && !isDir {
			continue
		}
		if p.noDir {
			if matchBasename(base, p, fold) {
				return p
			}
			continue
		}
		if matchPathname(path, strings.TrimSuffix(l.Base, "/"), p, fold) {
			return p
		}
	}
	return nil
}

func matchBasename(name string, p *pattern, fold bool) bool {
	switch {
	case p.literal == len(p.text):
		return equal(p.text, name, fold)
	case p.endsWith:
		n := len(p.text) - 1
		return n <= len(name) && equal(p.text[1:], name[len(name)-n:], fold)
	default:
		return wildmatch(p.text, name, false, fold)
	}
}

func matchPathname(path, base string, p *pattern, fold bool) bool {
	pat, prefix := p.text, p.literal
	if strings.HasPrefix(pat, "/") {
		pat, prefix = pat[1:], prefix-1
	}
	if len(path) < len(base)+1 || (base != "" && path[len(base)] != '/') || !equal(path[:len(base)], base, fold) {
		return false
	}
	name := path
	if base != "" {
		name = path[len(base)+1:]
	}
	if prefix > 0 {
		if prefix > len(name) || !equal(pat[:prefix], name[:prefix], fold) {
			return false
		}
		pat, name = pat[prefix:], name[prefix:]
		if pat == "" && name == "" {
			return true
		}
	}
	return wildmatch(pat, name, true, fold)
}

func equal(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// Stack is the pattern files in force in one folder: the .gitignore files
// from the top down to it, then the repository's exclude file and the
// user's excludes file. It is immutable; Push makes a child's.
type Stack struct {
	parent *Stack
	list   *List   // this folder's .gitignore; nil if it has none
	global []*List // info/exclude, then core.excludesFile
	fold   bool    // core.ignoreCase
}

// NewStack is the stack at the top of a work tree: the exclude files in
// order of precedence (info/exclude before core.excludesFile).
func NewStack(fold bool, global ...*List) *Stack {
	return &Stack{global: global, fold: fold}
}

// Push returns the stack of a folder below s with its own .gitignore (nil
// if none).
func (s *Stack) Push(l *List) *Stack {
	if l == nil || len(l.patterns) == 0 {
		return s
	}
	return &Stack{parent: s, list: l, global: s.global, fold: s.fold}
}

// Ignored reports whether git ignores path (relative to the top, no
// trailing slash), a folder if isDir, given that no folder above it is
// ignored: the deepest .gitignore with a matching pattern decides, its last
// matching pattern winning; then info/exclude; then core.excludesFile.
func (s *Stack) Ignored(path string, isDir bool) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	for t := s; t != nil; t = t.parent {
		if t.list == nil {
			continue
		}
		if p := t.list.match(path, base, isDir, s.fold); p != nil {
			return !p.negative
		}
	}
	for _, l := range s.global {
		if p := l.match(path, base, isDir, s.fold); p != nil {
			return !p.negative
		}
	}
	return false
}
