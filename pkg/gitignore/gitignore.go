// Package gitignore decides which files git ignores, as git 2.39 does: its pattern files, their precedence and wildmatch.
package gitignore

import "strings"

// pattern is one line of a pattern file, parsed as git's parse_path_pattern.
type pattern struct {
	// text is without a leading '!' or a trailing '/'; a pattern with a
	// slash (!noDir) is anchored at its file's folder, and its leading '/'
	// is dropped too, as git's match_pathname drops it.
	text      string
	literal   int  // length of the leading part of text without glob characters
	negative  bool // "!": re-includes
	mustBeDir bool // trailing "/": folders only
	noDir     bool // no slash: matches a base name at any depth
	endsWith  bool // "*literal": a suffix test
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
// at a NUL byte (git handles lines as C strings). The list keeps one copy of
// data, which the patterns share, and nothing else of any size: in a short
// run every fresh allocation is a page fault's worth.
func Parse(data []byte, base string) *List {
	text := strings.TrimPrefix(string(data), "\xef\xbb\xbf")
	n := 0
	for rest := text; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line != "" && line[0] != '#' {
			n++
		}
	}
	l := &List{Base: base, patterns: make([]pattern, 0, n)}
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimSuffix(line, "\r")
		if i := strings.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		l.patterns = append(l.patterns, parsePattern(trimTrailingSpaces(line)))
	}
	return l
}

// trimTrailingSpaces drops trailing spaces that no backslash escapes.
func trimTrailingSpaces(s string) string {
	last := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if last < 0 {
				last = i
			}
		case '\\':
			i++
			if i == len(s) {
				return s
			}
			last = -1
		default:
			last = -1
		}
	}
	if last >= 0 {
		return s[:last]
	}
	return s
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
	pt.endsWith = strings.HasPrefix(p, "*") && literalLen(p[1:]) == len(p)-1
	if !pt.noDir {
		p = strings.TrimPrefix(p, "/")
	}
	pt.literal = literalLen(p)
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
// top, no trailing slash, base its last name), or nil.
func (l *List) match(path, base string, isDir, fold bool) *pattern {
	// Patterns with a slash match the path below the list's folder: found
	// once for them all.
	rel, below := l.below(path, fold)
	for i := len(l.patterns) - 1; i >= 0; i-- {
		p := &l.patterns[i]
		switch {
		case p.mustBeDir && !isDir:
		case p.noDir:
			if matchBasename(base, p, fold) {
				return p
			}
		case below && matchPathname(rel, p, fold):
			return p
		}
	}
	return nil
}

// below returns path relative to the list's folder, and whether path is
// below that folder at all (as git's match_pathname checks).
func (l *List) below(path string, fold bool) (string, bool) {
	base := strings.TrimSuffix(l.Base, "/")
	if len(path) < len(base)+1 || (base != "" && path[len(base)] != '/') || !equal(path[:len(base)], base, fold) {
		return "", false
	}
	if base != "" {
		return path[len(base)+1:], true
	}
	return path, true
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

// matchPathname matches a pattern with a slash against name, the path
// below the pattern file's folder.
func matchPathname(name string, p *pattern, fold bool) bool {
	pat, prefix := p.text, p.literal
	if prefix > 0 {
		// The first byte first: most patterns differ from most paths there.
		if prefix > len(name) || !fold && pat[0] != name[0] || !equal(pat[:prefix], name[:prefix], fold) {
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
