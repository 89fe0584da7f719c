package scanner

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// occ is one occurrence of a pattern: hay[start:end] matched pattern pat.
type occ struct {
	start, end int
	pat        int32
}

type pattern struct {
	tok    string
	rule   int32
	dotted bool // tok contains '.': see wordBounded
	lit    bool // a regex rule's required literal: it marks a candidate line, no finding
	// A term rule's spelling: its words (runes of the text each), and its
	// separator; see termBounded.
	words []string
	sep   string
}

// matcher finds every occurrence of every token, then picks each rule's
// leftmost-longest, non-overlapping valid matches.
type matcher struct {
	rules  []rules.Rule
	pats   []pattern
	word   []bool // per rule
	term   []bool // per rule
	allow  [][]string
	exact  finder       // case-sensitive patterns; nil if none
	fold   *foldFinder  // case-insensitive patterns with non-ASCII bytes; nil if none
	lower  *lowerFinder // case-insensitive ASCII patterns; nil if none
	maxLen int          // most bytes one match can span, or a directive is read
	behind int          // bytes before a match that deciding and reporting it read

	directive int32 // the pseudo-rule of the suppression marker, or -1

	rx     []*rxRule  // the regex rules, in rule order
	rxPool *sync.Pool // of *rxFile, the per-file state of regex rules
}

// boundary is how many bytes past either end of a match its word check
// reads: a rune, or for a dotted token a '.' and a rune; a term's end
// check reads two runes (an acronym's last capital, then a lowercase).
const boundary = 2 * utf8.UTFMax

// minBuf is the smallest read buffer that makes progress: a round carries
// maxLen+boundary bytes after its cut and behind bytes before it.
func (m *matcher) minBuf() int { return m.maxLen + boundary + m.behind + 1 }

// finder reports every occurrence of its patterns that starts at or after from.
type finder interface {
	find(hay []byte, from int, dst []occ) []occ
}

// newMatcher compiles the rules' tokens; with directives, it also finds the
// suppression marker, as a pattern of the pseudo-rule len(rs).
func newMatcher(rs []rules.Rule, directives bool, notRun map[string]bool) *matcher {
	// A finding's line text reaches maxLineText bytes back, which also
	// covers a word boundary.
	m := &matcher{rules: rs, word: make([]bool, len(rs)+1), term: make([]bool, len(rs)+1),
		allow: make([][]string, len(rs)+1), behind: maxLineText, directive: -1}
	var exact, fold []int32
	maxAllow, n := 0, 1
	for _, r := range rs {
		n += len(r.Tokens)
		if r.Match == rules.Term {
			n += 9 * len(r.Tokens) // five separators, two numbers
		}
	}
	m.pats = make([]pattern, 0, n)
	if directives {
		m.directive = int32(len(rs))
		exact = append(exact, int32(len(m.pats)))
		m.pats = append(m.pats, pattern{tok: Directive, rule: m.directive})
		m.maxLen = directiveSpan
		m.behind = max(m.behind, directiveSpan) // the directive's line before its marker
	}
	for ri := range rs {
		r := &rs[ri] // not a copy: the frame is on the stack while finders build
		if notRun[r.ID] {
			continue
		}
		if len(r.Allow) > 0 {
			m.allow[ri] = r.Allow
			for _, a := range r.Allow {
				// Deciding a match reads its allow strings' length around it.
				maxAllow = max(maxAllow, len(a))
			}
		}
		if r.Match == rules.Term {
			m.term[ri] = true
			type spelled struct{ sep, tok string }
			seen := make(map[spelled]bool, 10*len(r.Tokens))
			for _, t := range r.Tokens {
				for _, sp := range term.Spellings(t) {
					tok := sp.Text()
					if seen[spelled{sp.Sep, tok}] {
						continue
					}
					seen[spelled{sp.Sep, tok}] = true
					id := int32(len(m.pats))
					m.pats = append(m.pats, pattern{tok: tok, rule: int32(ri), words: sp.Words, sep: sp.Sep})
					fold = append(fold, id)
					m.maxLen = max(m.maxLen, foldSpan(tok))
				}
			}
			continue
		}
		if r.Match == rules.Regex {
			rr, lits := compileRegexRule(r, int32(ri))
			m.rx = append(m.rx, rr)
			for _, l := range lits {
				id := int32(len(m.pats))
				m.pats = append(m.pats, pattern{tok: l.s, rule: int32(ri), lit: true})
				n := len(l.s)
				if l.fold {
					fold = append(fold, id)
					n = foldSpan(l.s)
				} else {
					exact = append(exact, id)
				}
				m.maxLen = max(m.maxLen, n)
			}
			continue
		}
		m.word[ri] = r.Match == rules.Word
		for _, t := range r.Tokens {
			id := int32(len(m.pats))
			m.pats = append(m.pats, pattern{tok: t, rule: int32(ri), dotted: strings.IndexByte(t, '.') >= 0})
			n := len(t)
			if r.IgnoreCase {
				fold = append(fold, id)
				n = foldSpan(t)
			} else {
				exact = append(exact, id)
			}
			m.maxLen = max(m.maxLen, n)
		}
	}
	m.maxLen += maxAllow
	m.behind = max(m.behind, maxAllow)
	if len(m.rx) > 0 {
		m.rxPool = new(sync.Pool)
	}
	var ascii, other []int32
	for _, id := range fold {
		if asciiFold(m.pats[id].tok) {
			ascii = append(ascii, id)
		} else {
			other = append(other, id)
		}
	}
	if len(ascii) > 0 {
		if len(exact) > 0 && !slices.ContainsFunc(exact, func(id int32) bool { return !lowerCaseToken(m.pats[id].tok) }) {
			// The text is lowered anyway: one pass can find the
			// case-sensitive tokens too (the directive, dotted run types),
			// if the lowered search stays on the SIMD anchor finder.
			if both := newLowerFinder(m.pats, ascii, exact); both.anchored() || fastBlock() == nil {
				m.lower, exact = both, nil
			}
		}
		if m.lower == nil {
			m.lower = newLowerFinder(m.pats, ascii, nil)
		}
	}
	if len(other) > 0 {
		m.fold = newFoldFinder(m.pats, other)
	}
	if len(exact) > 0 {
		m.exact = newExactFinder(m.pats, exact)
	}
	return m
}

// occurrences appends to dst every occurrence starting in [from, len(hay)).
// scratch, if not nil, is the caller's buffer for the lowered text.
func (m *matcher) occurrences(hay []byte, from int, dst []occ, scratch *[]byte) []occ {
	if m.exact != nil {
		dst = m.exact.find(hay, from, dst)
	}
	if m.lower != nil {
		dst = m.lower.find(hay, from, dst, scratch)
	}
	if m.fold != nil {
		dst = m.fold.find(hay, from, dst)
	}
	return dst
}

// selectMatches keeps, per rule, the leftmost-longest valid matches that start
// in [from, cut) and at or after next[rule]; next is updated. Kept matches are
// compacted to the front of occs in (start, rule) order.
func (m *matcher) selectMatches(hay []byte, occs []occ, cut int, active func(rule int32) bool, next map[int32]int, base int) []occ {
	if len(occs) == 0 {
		return occs
	}
	sort.Slice(occs, func(i, j int) bool {
		a, b := occs[i], occs[j]
		ra, rb := m.pats[a.pat].rule, m.pats[b.pat].rule
		if ra != rb {
			return ra < rb
		}
		if a.start != b.start {
			return a.start < b.start
		}
		return a.end > b.end
	})
	out := occs[:0]
	for _, o := range occs {
		r := m.pats[o.pat].rule
		if o.start >= cut || o.start+base < next[r] || (active != nil && !active(r)) {
			continue
		}
		if m.word[r] && !wordBounded(hay, o.start, o.end, m.pats[o.pat].dotted) ||
			m.term[r] && !termBounded(hay, o.start, o.end, &m.pats[o.pat]) {
			continue
		}
		next[r] = o.end + base
		out = append(out, o)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// termBounded reports whether hay[start:end], a case-insensitive
// occurrence of the spelling p, is a match of its term: joined words start
// with an uppercase letter after the first, and the runes around it do not
// continue a word. Before the match: none, or not a letter or digit, or a
// lowercase letter or digit when the match starts with an uppercase
// letter. After it: none, or not a letter or digit, or an uppercase letter
// when the match ends with a lowercase letter or digit.
func termBounded(hay []byte, start, end int, p *pattern) bool {
	if p.sep == "" && len(p.words) > 1 {
		pos := start
		for i, w := range p.words {
			if i > 0 && !unicode.IsUpper(firstRune(hay[pos:])) {
				return false
			}
			// The occurrence folds rune for rune: one text rune a word rune.
			for range w {
				_, n := utf8.DecodeRune(hay[pos:])
				pos += n
			}
		}
	}
	if start > 0 && !wordSplit(lastRune(hay[:start]), hay[start:]) {
		return false
	}
	if end < len(hay) && !wordSplit(lastRune(hay[:end]), hay[end:]) {
		return false
	}
	return true
}

// wordSplit reports whether a term's words may part between the rune b
// and the text after, as term.Words parts them: where either is no letter
// or digit, or at a case change (term.Splits).
func wordSplit(b rune, after []byte) bool {
	a, n := utf8.DecodeRune(after)
	if !term.IsWordRune(b) || !term.IsWordRune(a) {
		return true
	}
	c, _ := utf8.DecodeRune(after[n:]) // RuneError at the end: not lowercase
	return term.Splits(b, a, c)
}

func isAnchor(f finder) bool {
	_, ok := f.(*anchorFinder)
	return ok
}

// allowed reports whether hay[start:end] lies inside an occurrence of one of
// the allow strings.
func allowed(hay []byte, start, end int, allow []string) bool {
	for _, a := range allow {
		for p := max(0, end-len(a)); p <= start && p+len(a) <= len(hay); p++ {
			if string(hay[p:p+len(a)]) == a {
				return true
			}
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordBounded reports whether hay[start:end] is a whole word: the runes just
// before and after it are not word runes. For a dotted token (one that holds
// a '.') a '.' next to it also continues the name when a word rune is on its
// far side, so inventory.sync is no word in inventory.sync.index or
// app.inventory.sync, but is one in 'inventory.sync' and "inventory.sync.".
func wordBounded(hay []byte, start, end int, dotted bool) bool {
	if start > 0 {
		r := lastRune(hay[:start])
		if isWordRune(r) || dotted && r == '.' && start > 1 && isWordRune(lastRune(hay[:start-1])) {
			return false
		}
	}
	if end < len(hay) {
		r := firstRune(hay[end:])
		if isWordRune(r) || dotted && r == '.' && end+1 < len(hay) && isWordRune(firstRune(hay[end+1:])) {
			return false
		}
	}
	return true
}

func lastRune(b []byte) rune {
	if c := b[len(b)-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeLastRune(b)
	return r
}

func firstRune(b []byte) rune {
	if c := b[0]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeRune(b)
	return r
}

// foldFinder finds case-insensitive patterns: a table of the bytes that can
// start a match, then a rune-by-rune fold comparison.
type foldFinder struct {
	pats  []pattern
	first [256][]int32
}

func newFoldFinder(pats []pattern, ids []int32) *foldFinder {
	f := &foldFinder{pats: pats}
	var enc [utf8.UTFMax]byte
	for _, id := range ids {
		r, _ := utf8.DecodeRuneInString(pats[id].tok)
		seen := map[byte]bool{}
		for x := r; ; {
			utf8.EncodeRune(enc[:], x)
			if !seen[enc[0]] {
				seen[enc[0]] = true
				f.first[enc[0]] = append(f.first[enc[0]], id)
			}
			if x = unicode.SimpleFold(x); x == r {
				break
			}
		}
	}
	return f
}

func (f *foldFinder) find(hay []byte, from int, dst []occ) []occ {
	for i := from; i < len(hay); i++ {
		ids := f.first[hay[i]]
		for _, id := range ids {
			if n, ok := foldPrefix(hay[i:], f.pats[id].tok); ok {
				dst = append(dst, occ{start: i, end: i + n, pat: id})
			}
		}
	}
	return dst
}

// foldPrefix reports whether hay starts with tok under Unicode simple case
// folding, and how many bytes of hay the match spans.
func foldPrefix(hay []byte, tok string) (int, bool) {
	i := 0
	for _, tr := range tok {
		if i >= len(hay) {
			return 0, false
		}
		r, n := rune(hay[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(hay[i:])
			if r == utf8.RuneError && n == 1 {
				return 0, false
			}
		}
		if r != tr && !foldEqual(r, tr) {
			return 0, false
		}
		i += n
	}
	return i, true
}

func foldEqual(a, b rune) bool {
	for x := unicode.SimpleFold(a); x != a; x = unicode.SimpleFold(x) {
		if x == b {
			return true
		}
	}
	return false
}

// foldSpan is the most bytes a case-insensitive match of tok can span.
func foldSpan(tok string) int {
	n := 0
	for _, r := range tok {
		w := utf8.RuneLen(r)
		for x := unicode.SimpleFold(r); x != r; x = unicode.SimpleFold(x) {
			w = max(w, utf8.RuneLen(x))
		}
		n += w
	}
	return n
}
