package scanner

import (
	"encoding/binary"
	"strings"
	"sync"
	"unicode/utf8"
)

// lowerFinder is the fast path for case-insensitive ASCII tokens (every
// spelling of a term, most case_sensitive: false tokens): the text is
// lowered, eight bytes at a time, into a scratch buffer, and an exact
// finder looks there for the lowered tokens. Lowering keeps every offset,
// and an ASCII token equals lowered text only where the text is ASCII, so
// the occurrences are exactly those of a simple-fold comparison, but for
// the two non-ASCII runes that fold to ASCII letters: the Kelvin sign
// (k) and the long s (s). A text that holds one of them is searched by the
// byte-table foldFinder instead.
type lowerFinder struct {
	fa      *anchorFinder // the groups' prefixes, found without lowering the text; or nil
	low     finder        // over the groups' lowered common prefixes, when fa is nil
	groups  [][]lowTok    // group id -> the lowered tokens that start with its prefix
	special bool          // some case-insensitive token holds k or s
	span    int           // the longest token
	// For texts with K or ſ: the byte-table finder of the case-insensitive
	// tokens and an exact finder of the case-sensitive ones, built when
	// first needed.
	pats       []pattern
	fold, sens []int32
	once       sync.Once
	slow       *foldFinder
	slowExact  finder
}

// lowTok is one lowered token of a group. An exact (case-sensitive) token
// has no capital, so it occurs where its lowered text does and the
// original bytes equal it.
type lowTok struct {
	tok   string
	id    int32
	exact bool
}

// asciiFold reports whether a case-insensitive token can take the fast
// path: ASCII only.
func asciiFold(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// newLowerFinder groups the tokens of one term spelling in both numbers
// (inventory_sync_run, inventory_sync_runs) under their common prefix, so
// that the exact finder looks for one prefix per spelling: few enough
// patterns for the SIMD anchor finder. A hit of a prefix is a hit of each
// of its tokens that the lowered text holds there.
//
// sens are case-sensitive tokens without capitals (lowerCaseToken), found
// in the same pass.
func newLowerFinder(pats []pattern, ids, sens []int32) *lowerFinder {
	return newLowerFinderWith(pats, ids, sens, fastFoldBlock)
}

// newLowerFinderWith is newLowerFinder with a choice of folding scan
// (fastFoldBlock, blockGenericFold, or nil for lowering the text).
func newLowerFinderWith(pats []pattern, ids, sens []int32, foldBlock func(lead bool) blockFunc) *lowerFinder {
	f := &lowerFinder{pats: pats, fold: ids, sens: sens}
	lowered := func(id int32) string { return strings.ToLower(pats[id].tok) }
	// all[k] is a token's pattern id, core[k] what the finder looks for:
	// the folded tokens (ids) lowered, then the case-sensitive ones (sens)
	// as they are.
	all := make([]int32, 0, len(ids)+len(sens))
	all = append(append(all, ids...), sens...)
	core := make([]string, len(all))
	for k, id := range all {
		if k < len(ids) {
			core[k] = lowered(id)
			if strings.ContainsAny(core[k], "ks") {
				f.special = true
			}
		} else {
			core[k] = pats[id].tok
		}
	}
	// A term's spellings come in pairs (given number, other number) with
	// the same separator: pair each with the next that shares its words but
	// the last, and give both their common prefix.
	for i := 0; i+1 < len(ids); i++ {
		a, b := &pats[ids[i]], &pats[ids[i+1]]
		if a.words == nil || b.words == nil || a.rule != b.rule || a.sep != b.sep || len(a.words) != len(b.words) {
			continue
		}
		ta, tb := core[i], core[i+1]
		n := 0
		for n < len(ta) && n < len(tb) && ta[n] == tb[n] {
			n++
		}
		if n >= anchorLen && n >= len(ta)-len(a.words[len(a.words)-1]) {
			core[i], core[i+1] = ta[:n], ta[:n]
			i++
		}
	}
	byCore := make(map[string]int32, len(all))
	cpats := make([]pattern, 0, len(all))
	cids := make([]int32, 0, len(all))
	f.groups = make([][]lowTok, 0, len(all))
	for k, id := range all {
		c := core[k]
		g, ok := byCore[c]
		if !ok {
			g = int32(len(f.groups))
			byCore[c] = g
			f.groups = append(f.groups, nil)
			cpats = append(cpats, pattern{tok: c})
			cids = append(cids, g)
		}
		exact := k >= len(ids)
		tok := core[k] // lowered already, unless cut to a shared prefix
		if exact || len(tok) != len(pats[id].tok) {
			tok = lowered(id)
		}
		f.groups[g] = append(f.groups[g], lowTok{tok: tok, id: id, exact: exact})
		f.span = max(f.span, len(pats[id].tok))
	}
	// The SIMD anchor scan folds case as it reads the text, which spares
	// lowering it into a scratch buffer first; for more prefixes than the
	// anchor scan takes, or without SIMD, the text is lowered.
	if foldBlock != nil && len(cids) <= maxAnchorTokens {
		if block := foldBlock(f.special); block != nil {
			f.fa = newFoldAnchorFinder(cpats, cids, f.special, block)
		}
	}
	if f.fa == nil {
		f.low = newExactFinder(cpats, cids)
	}
	return f
}

// anchored reports whether the finder runs on the SIMD anchor scan.
func (f *lowerFinder) anchored() bool { return f.fa != nil || isAnchor(f.low) }

// lowWindow is how much text is lowered at a time: a small scratch buffer
// per worker (a page-faulted 256 KiB one cost more than the lowering).
const lowWindow = 16 << 10

// find is finder's find, with the caller's scratch buffer for the lowered
// text (one per worker: the finder is shared). The text is lowered and
// searched a window at a time; a window reads span-1 bytes past its end so
// that a token that starts in it is whole.
func (f *lowerFinder) find(hay []byte, from int, dst []occ, bp *[]byte) []occ {
	if f.fa != nil {
		return f.findFolding(hay, from, dst)
	}
	if bp == nil {
		bp = new([]byte)
	}
	if cap(*bp) < lowWindow+f.span {
		*bp = make([]byte, lowWindow+f.span) // once per worker, never grown
	}
	k := len(dst)
	for s := from; s < len(hay); s += lowWindow {
		e := min(len(hay), s+lowWindow+f.span-1)
		low := (*bp)[:e-s]
		if lowerASCII(low, hay[s:e], f.special) {
			return f.findSlow(hay, from, dst[:k])
		}
		w := len(dst)
		dst = f.low.find(low, 0, dst)
		hits := len(dst)
		for i := w; i < hits; i++ {
			p := dst[i].start
			if p >= lowWindow {
				continue // the next window's
			}
			for _, t := range f.groups[dst[i].pat] {
				if p+len(t.tok) <= len(low) && string(low[p:p+len(t.tok)]) == t.tok &&
					(!t.exact || string(hay[s+p:s+p+len(t.tok)]) == t.tok) {
					dst = append(dst, occ{start: s + p, end: s + p + len(t.tok), pat: t.id})
				}
			}
		}
		// The prefixes' hits were scaffolding: keep the tokens' occurrences.
		dst = append(dst[:w], dst[hits:]...)
	}
	return dst
}

// findFolding is find on the folding anchor scan: the prefixes' hits are
// expanded to the tokens of their groups that the text holds there.
func (f *lowerFinder) findFolding(hay []byte, from int, dst []occ) []occ {
	k := len(dst)
	dst, folds := f.fa.findFold(hay, from, dst)
	if folds {
		return f.findSlow(hay, from, dst[:k])
	}
	hits := len(dst)
	for i := k; i < hits; i++ {
		p := dst[i].start
		for _, t := range f.groups[dst[i].pat] {
			if e := p + len(t.tok); e <= len(hay) && (t.exact && string(hay[p:e]) == t.tok || !t.exact && equalLowered(hay[p:e], t.tok)) {
				dst = append(dst, occ{start: p, end: e, pat: t.id})
			}
		}
	}
	return append(dst[:k], dst[hits:]...)
}

// findSlow finds the tokens in a text that holds a non-ASCII rune that
// folds to an ASCII letter.
func (f *lowerFinder) findSlow(hay []byte, from int, dst []occ) []occ {
	f.once.Do(func() {
		if len(f.fold) > 0 {
			f.slow = newFoldFinder(f.pats, f.fold)
		}
		if len(f.sens) > 0 {
			f.slowExact = newExactFinder(f.pats, f.sens)
		}
	})
	if f.slow != nil {
		dst = f.slow.find(hay, from, dst)
	}
	if f.slowExact != nil {
		dst = f.slowExact.find(hay, from, dst)
	}
	return dst
}

// lowerCaseToken reports whether a case-sensitive token can join the
// lowered search: ASCII without capitals.
func lowerCaseToken(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// lowerASCII writes src to dst with ASCII capitals lowered; every other
// byte is copied as it is. Eight bytes at a time: a byte is a capital when
// its low seven bits are at least 'A' and at most 'Z' and its top bit is
// clear. With special, it reports whether src holds a Kelvin sign or a
// long s (looked for only in the 16-byte blocks that are not ASCII).
func lowerASCII(dst, src []byte, special bool) bool {
	found := false
	dst = dst[:len(src)]
	for len(src) >= 16 {
		w0 := binary.LittleEndian.Uint64(src)
		w1 := binary.LittleEndian.Uint64(src[8:])
		if (w0|w1)&highs != 0 && special && !found {
			found = foldsToASCII(src, 16)
		}
		binary.LittleEndian.PutUint64(dst, w0|capitals(w0)>>2)
		binary.LittleEndian.PutUint64(dst[8:], w1|capitals(w1)>>2)
		src, dst = src[16:], dst[16:]
	}
	if special && !found {
		found = foldsToASCII(src, len(src))
	}
	for i, c := range src {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return found
}

// foldsToASCII reports whether one of the first n bytes of b starts a
// Kelvin sign (E2 84 AA) or a long s (C5 BF), the non-ASCII runes that
// fold to ASCII letters.
func foldsToASCII(b []byte, n int) bool {
	for j := 0; j < n; j++ {
		switch b[j] {
		case 0xC5:
			if j+1 < len(b) && b[j+1] == 0xBF {
				return true
			}
		case 0xE2:
			if j+2 < len(b) && b[j+1] == 0x84 && b[j+2] == 0xAA {
				return true
			}
		}
	}
	return false
}

// capitals has the top bit of each byte of w set where that byte is an
// ASCII capital.
func capitals(w uint64) uint64 {
	h := w &^ highs
	ge := h + (0x80-'A')*ones   // top bit: byte >= 'A'
	gt := h + (0x80-'Z'-1)*ones // top bit: byte > 'Z'
	return ge &^ gt &^ w & highs
}
