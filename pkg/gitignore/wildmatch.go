package gitignore

import "strings"

// This is git's wildmatch.c, line for line, on Go strings: the glob
// matcher behind .gitignore. Its quirks are git's and are kept: a class
// that is never closed aborts the match, "**" is special only between
// slashes, and the character classes are ASCII as in git's own ctype.

const (
	wmMatch = iota
	wmNoMatch
	wmAbortAll
	wmAbortToStarStar
)

// wildmatch reports whether text matches pattern. pathname makes '*' and
// '?' stop at '/' (WM_PATHNAME); fold compares ASCII letters without case.
func wildmatch(pattern, text string, pathname, fold bool) bool {
	return dowild(pattern, text, pathname, fold) == wmMatch
}

// at returns s[i], or 0 past the end: C's NUL terminator.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func dowild(pat, text string, pathname, fold bool) int {
	p, t := 0, 0
	for ; at(pat, p) != 0; t, p = t+1, p+1 {
		pch := pat[p]
		tch := at(text, t)
		if tch == 0 && pch != '*' {
			return wmAbortAll
		}
		if fold {
			tch, pch = lower(tch), lower(pch)
		}
		switch pch {
		case '\\':
			// A literal match with the next character; a trailing
			// backslash compares with the terminator and so fails.
			p++
			pch = at(pat, p)
			fallthrough
		default:
			// An escaped character is compared as written, even when
			// folding case: git's quirk.
			if tch != pch {
				return wmNoMatch
			}
			continue
		case '?':
			if pathname && tch == '/' {
				return wmNoMatch
			}
			continue
		case '*':
			var matchSlash bool
			p++
			if at(pat, p) == '*' {
				prev := p - 2
				for p++; at(pat, p) == '*'; p++ {
				}
				if (prev < 0 || pat[prev] == '/') &&
					(at(pat, p) == 0 || pat[p] == '/' || (pat[p] == '\\' && at(pat, p+1) == '/')) {
					// "**/" may match no folder at all.
					if at(pat, p) == '/' && dowild(pat[p+1:], text[t:], pathname, fold) == wmMatch {
						return wmMatch
					}
					matchSlash = true
				} else {
					matchSlash = false
				}
			} else {
				matchSlash = !pathname
			}
			if at(pat, p) == 0 {
				// A trailing "**" matches everything; a trailing "*" only
				// what has no more slashes.
				if !matchSlash && strings.IndexByte(text[t:], '/') >= 0 {
					return wmNoMatch
				}
				return wmMatch
			} else if !matchSlash && pat[p] == '/' {
				// One star and a slash match the next folder.
				i := strings.IndexByte(text[t:], '/')
				if i < 0 {
					return wmNoMatch
				}
				t += i
				// The slash is consumed by the loop, as pattern[p] is '/'.
				continue
			}
			for {
				if tch == 0 {
					break
				}
				// After a star, skip ahead to the next literal.
				if !isGlobSpecial(pat[p]) {
					pch = pat[p]
					if fold {
						pch = lower(pch)
					}
					for {
						tch = at(text, t)
						if tch == 0 || (!matchSlash && tch == '/') {
							break
						}
						if fold {
							tch = lower(tch)
						}
						if tch == pch {
							break
						}
						t++
					}
					if tch != pch {
						if matchSlash {
							return wmAbortAll
						}
						return wmAbortToStarStar
					}
				}
				if m := dowild(pat[p:], text[t:], pathname, fold); m != wmNoMatch {
					if !matchSlash || m != wmAbortToStarStar {
						return m
					}
				} else if !matchSlash && tch == '/' {
					return wmAbortToStarStar
				}
				t++
				tch = at(text, t)
				if fold {
					tch = lower(tch)
				}
			}
			return wmAbortAll
		case '[':
			p++
			pch = at(pat, p)
			if pch == '^' {
				pch = '!'
			}
			negated := pch == '!'
			if negated {
				p++
				pch = at(pat, p)
			}
			var prev byte
			matched := false
			for {
				if pch == 0 {
					return wmAbortAll
				}
				switch {
				case pch == '\\':
					p++
					pch = at(pat, p)
					if pch == 0 {
						return wmAbortAll
					}
					if tch == pch {
						matched = true
					}
				case pch == '-' && prev != 0 && at(pat, p+1) != 0 && at(pat, p+1) != ']':
					p++
					pch = pat[p]
					if pch == '\\' {
						p++
						pch = at(pat, p)
						if pch == 0 {
							return wmAbortAll
						}
					}
					if tch <= pch && tch >= prev {
						matched = true
					} else if fold && isLower(tch) {
						if u := tch - 'a' + 'A'; u <= pch && u >= prev {
							matched = true
						}
					}
					pch = 0 // so that prev becomes 0
				case pch == '[' && at(pat, p+1) == ':':
					p += 2
					s := p
					for at(pat, p) != 0 && pat[p] != ']' {
						p++
					}
					if at(pat, p) == 0 {
						return wmAbortAll
					}
					i := p - s - 1
					if i < 0 || pat[p-1] != ':' {
						// No ":]": a plain '[' in the set.
						p = s - 2
						pch = '['
						if tch == pch {
							matched = true
						}
						break
					}
					ok, known := class(pat[s:s+i], tch, fold)
					if !known {
						return wmAbortAll
					}
					if ok {
						matched = true
					}
					pch = 0
				default:
					if tch == pch {
						matched = true
					}
				}
				prev = pch
				p++
				pch = at(pat, p)
				if pch == ']' {
					break
				}
			}
			if matched == negated || (pathname && tch == '/') {
				return wmNoMatch
			}
			continue
		}
	}
	if t < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// class reports whether c is in the named POSIX class, and whether the
// name is one.
func class(name string, c byte, fold bool) (in, known bool) {
	switch name {
	case "alnum":
		return isAlpha(c) || isDigit(c), true
	case "alpha":
		return isAlpha(c), true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit(c), true
	case "graph":
		return c > 0x20 && c < 0x7f, true
	case "lower":
		return isLower(c), true
	case "print":
		return c >= 0x20 && c < 0x7f, true
	case "punct":
		return c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c), true
	case "space":
		// git's own ctype: no vertical tab or form feed.
		return c == ' ' || c == '\t' || c == '\n' || c == '\r', true
	case "upper":
		return isUpper(c) || (fold && isLower(c)), true
	case "xdigit":
		return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f'), true
	}
	return false, false
}

func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isLower(c byte) bool       { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool       { return c >= 'A' && c <= 'Z' }
func isAlpha(c byte) bool       { return isLower(c) || isUpper(c) }
func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

func lower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}
