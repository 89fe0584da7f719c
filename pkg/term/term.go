// Package term spells a name in every naming convention: it splits terms into words, gives a word's other number, and rewrites a spelling in the convention of another.
package term

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Seps are the separators a spelling joins its words with: none
// (camelCase, PascalCase), '_', '-', '.' and a space.
var Seps = [...]string{"", "_", "-", ".", " "}

// IsWordRune reports whether r belongs to a word: a letter or a digit.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Words splits a term into words: at every rune that is not a letter or
// digit, and at case changes (aB → a|B, 2B → 2|B, ABc → A|Bc). The words
// keep their case.
func Words(s string) []string {
	var out []string
	rs := []rune(s)
	start := -1
	for i, r := range rs {
		if !IsWordRune(r) {
			if start >= 0 {
				out = append(out, string(rs[start:i]))
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		next := utf8.RuneError
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if Splits(rs[i-1], r, next) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	if start >= 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

// Splits reports whether words part between the letters or digits p and
// r at a case change: aB, 2B, and ABc between A and Bc (the end of an
// acronym); next is the rune after r (utf8.RuneError at the end).
func Splits(p, r, next rune) bool {
	return unicode.IsUpper(r) && (unicode.IsLower(p) || unicode.IsDigit(p)) ||
		unicode.IsUpper(p) && unicode.IsUpper(r) && unicode.IsLower(next)
}

// IsPlural reports whether a lowercase word reads as a plural: it ends in
// s, but not in ss, us or is.
func IsPlural(w string) bool {
	return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is")
}

// Other returns a lowercase word in its other number: the singular of a
// plural (ies → y; sses, xes, zes, ches, shes → drop es; else drop s) and
// the plural of a singular (s, x, z, ch, sh, ss, us, is → +es; consonant+y
// → ies; else +s). It reports false when there is none (the word "s").
func Other(w string) (string, bool) {
	if IsPlural(w) {
		var s string
		switch {
		case strings.HasSuffix(w, "ies"):
			s = w[:len(w)-3] + "y"
		case hasAnySuffix(w, "sses", "xes", "zes", "ches", "shes"):
			s = w[:len(w)-2]
		default:
			s = w[:len(w)-1]
		}
		return s, s != ""
	}
	switch {
	case hasAnySuffix(w, "s", "x", "z", "ch", "sh"):
		return w + "es", true
	case strings.HasSuffix(w, "y") && len(w) > 1 && consonant(w[:len(w)-1]):
		return w[:len(w)-1] + "ies", true
	}
	return w + "s", true
}

func hasAnySuffix(w string, sufs ...string) bool {
	for _, s := range sufs {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// consonant reports whether the last rune of s is a letter other than a
// vowel.
func consonant(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) && !strings.ContainsRune("aeiou", r)
}

// Lower returns the term's words in lower case: each rune lowered where
// its lowercase equals it under simple case folding, which is how words
// compare. (U+0130, İ, lowers to i, which folding keeps apart from it: it
// stays, so that a term matches its own spelling and not another.)
func Lower(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.Map(lowerRune, w)
	}
	return out
}

func lowerRune(r rune) rune {
	if l := unicode.ToLower(r); l == r || FoldEqual(r, l) {
		return l
	}
	return r
}

// Spelling is one way of writing a term: its lowercase words joined by
// Sep; Other says the last word is in the term's other number.
type Spelling struct {
	Words []string
	Sep   string
	Other bool
}

// Text is the spelling as the matcher looks for it, without case.
func (s Spelling) Text() string { return strings.Join(s.Words, s.Sep) }

// Spellings lists the distinct spellings a term covers: each separator,
// each number of its last word. A one-word term has no separator.
func Spellings(t string) []Spelling {
	words := Lower(Words(t))
	if len(words) == 0 {
		return nil
	}
	forms := [][]string{words}
	if o, ok := Other(words[len(words)-1]); ok {
		ow := append(append([]string(nil), words[:len(words)-1]...), o)
		forms = append(forms, ow)
	}
	out := make([]Spelling, 0, len(Seps)*len(forms))
	for _, sep := range Seps {
		for i, ws := range forms {
			s := Spelling{Words: ws, Sep: sep, Other: i == 1}
			if len(ws) == 1 {
				s.Sep = ""
			}
			// The forms differ in their last word only, so two spellings
			// have the same text exactly when they have the same words
			// and separator.
			if !slices.ContainsFunc(out, func(o Spelling) bool { return o.Sep == s.Sep && slices.Equal(o.Words, s.Words) }) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Same reports whether two terms cover the same spellings: the same words
// without case, the last one in either number.
func Same(a, b string) bool {
	wa, wb := Lower(Words(a)), Lower(Words(b))
	if len(wa) != len(wb) || len(wa) == 0 {
		return false
	}
	for i := 0; i < len(wa)-1; i++ {
		if wa[i] != wb[i] {
			return false
		}
	}
	la, lb := wa[len(wa)-1], wb[len(wb)-1]
	if la == lb {
		return true
	}
	oa, _ := Other(la)
	ob, _ := Other(lb)
	return oa == lb || ob == la
}

// Example renders a spelling as one would write it: camelCase for no
// separator, lowercase otherwise.
func Example(s Spelling) string {
	if s.Sep != "" || len(s.Words) == 1 {
		return s.Text()
	}
	var b strings.Builder
	for i, w := range s.Words {
		if i == 0 {
			b.WriteString(w)
		} else {
			b.WriteString(title(w))
		}
	}
	return b.String()
}

// Parse reads text as a spelling of term t: the text's words (as they stand)
// and which spelling it is. ok is false if text is not exactly a spelling of
// t as the matcher accepts it (case-insensitive words, one separator kind,
// uppercase word starts when joined).
func Parse(t, text string) (words []string, sp Spelling, ok bool) {
	for _, s := range Spellings(t) {
		if ws, ok := parseAs(s, text); ok {
			return ws, s, true
		}
	}
	return nil, Spelling{}, false
}

func parseAs(s Spelling, text string) ([]string, bool) {
	var out []string
	rest := text
	for i, w := range s.Words {
		if i > 0 {
			if !strings.HasPrefix(rest, s.Sep) {
				return nil, false
			}
			rest = rest[len(s.Sep):]
			if s.Sep == "" {
				if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) {
					return nil, false
				}
			}
		}
		n, ok := foldPrefix(rest, w)
		if !ok {
			return nil, false
		}
		out = append(out, rest[:n])
		rest = rest[n:]
	}
	return out, rest == ""
}

// foldPrefix reports whether s starts with w under simple case folding,
// rune for rune, and how many bytes of s that takes.
func foldPrefix(s, w string) (int, bool) {
	i := 0
	for _, wr := range w {
		if i >= len(s) {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return 0, false
		}
		if r != wr && !FoldEqual(r, wr) {
			return 0, false
		}
		i += n
	}
	return i, true
}

// FoldEqual reports whether a and b are equal under simple case folding.
func FoldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for x := unicode.SimpleFold(a); x != a; x = unicode.SimpleFold(x) {
		if x == b {
			return true
		}
	}
	return false
}

type wcase uint8

const (
	lowerCase wcase = iota
	titleCase
	upperCase
)

func caseOf(w string) wcase {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return lowerCase
	}
	rest := w[n:]
	if rest != "" && strings.ToUpper(rest) == rest && strings.ToLower(rest) != rest {
		return upperCase
	}
	return titleCase
}

func apply(c wcase, w string) string {
	switch c {
	case upperCase:
		return strings.ToUpper(w)
	case titleCase:
		return title(w)
	}
	return strings.ToLower(w)
}

func title(w string) string {
	w = strings.ToLower(w)
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToTitle(r)) + w[n:]
}

// Rewrite spells the replacement term repl in the convention of text, a
// spelling of the term t: the same separator, the same case pattern (all
// upper stays upper; otherwise the first word takes the first matched
// word's case and the others the second's, Titlecase when joined), the same
// number on the last word. ok is false if text is no spelling of t.
func Rewrite(t, repl, text string) (string, bool) {
	words, sp, ok := Parse(t, text)
	if !ok {
		return "", false
	}
	rw := Lower(Words(repl))
	if len(rw) == 0 {
		return "", false
	}
	// The replacement takes the match's number, whichever number the term
	// and the replacement are written in.
	tw := Lower(Words(t))
	plural := IsPlural(tw[len(tw)-1]) != sp.Other
	if last := rw[len(rw)-1]; IsPlural(last) != plural {
		if o, ok := Other(last); ok {
			rw[len(rw)-1] = o
		}
	}
	sep := sp.Sep
	if len(words) == 1 {
		// One matched word shows no separator: keep the replacement's own.
		sep = ownSep(repl)
	}
	allUpper := strings.ToUpper(text) == text && strings.ToLower(text) != text
	first, others := caseOf(words[0]), lowerCase
	if len(words) > 1 {
		others = caseOf(words[1])
	} else if first == upperCase {
		others = upperCase
	}
	out := make([]string, len(rw))
	for i, w := range rw {
		switch {
		case allUpper:
			out[i] = strings.ToUpper(w)
		case i == 0:
			out[i] = apply(first, w)
		case sep == "" && others != upperCase:
			out[i] = title(w)
		default:
			out[i] = apply(others, w)
		}
	}
	return strings.Join(out, sep), true
}

// ownSep is the separator a term is written with, "" if joined.
func ownSep(s string) string {
	for _, sep := range Seps[1:] {
		if strings.Contains(s, sep) {
			return sep
		}
	}
	return ""
}
