package scanner

import (
	"encoding/binary"
	"slices"
	"sort"
	"unicode/utf8"
)

// anchorFinder is the fast path for a handful of case-sensitive tokens. Each
// token is given one rare 4-byte window (its anchor), and tokens share anchors
// where they can. A SIMD loop tests 32 positions at a time against every
// anchor; only the rare positions where an anchor matches are verified.
type anchorFinder struct {
	tab     anchorTab
	anchors []anchor
	pats    []pattern
	block   blockFunc
	// A folding finder (newFoldAnchorFinder) looks for lowered ASCII
	// tokens in text that is not lowered: each byte is ORed with 0x20
	// before the compares, which makes an ASCII capital equal its small
	// letter; the candidates are then checked exactly.
	fold  bool
	lead  bool               // the scan also reports 0xC5 and 0xE2 (findFold)
	words [maxAnchors]uint32 // each anchor's bytes as a word, ORed with 0x20 when folding
}

// blockFunc finds, from i, the first 32-byte block with a candidate: see
// blockGeneric.
type blockFunc func(hay []byte, i int, t *anchorTab) (int, uint32)

const (
	// Each anchor hit is verified against every token behind it, so the
	// SIMD path is kept for small sets.
	maxAnchorTokens = 40 // the default rules: 30 spelling prefixes, the directive, 6 run types
	maxAnchors      = 10
	anchorLen       = 4
	blockLen        = 32
)

// anchorTab is read by the assembly: the anchor count, then for each anchor
// four 32-byte vectors, each one byte of the anchor repeated; then for the
// folding scans a vector of 0x20s, and the vectors of 0xC5s and 0xE2s, the
// first bytes of the long s and the Kelvin sign (gen_anchor.go has the
// offsets).
type anchorTab struct {
	k    int64
	_    [24]byte
	vec  [maxAnchors][anchorLen][blockLen]byte
	fold [blockLen]byte
	lead [2][blockLen]byte
}

type anchored struct {
	id  int32
	n   int32 // the token's length
	off int   // the anchor's offset in the token
	// The token's first eight bytes (or fewer: keep) as a word, and when
	// folding the 0x20 bits of its letters: a text word w starts the token
	// only if (w|fold)&keep == head, one compare before the whole one.
	head, fold, keep uint64
}

// headOf fills in ap's head word for tok; with fold, letters match in
// either case.
func (ap *anchored) headOf(tok string, fold bool) {
	ap.head, ap.fold, ap.keep, ap.n = 0, 0, 0, int32(len(tok))
	for i := 0; i < len(tok) && i < 8; i++ {
		ap.head |= uint64(tok[i]) << (8 * i)
		ap.keep |= 0xFF << (8 * i)
		if fold && isLetter(tok[i]) {
			ap.fold |= 0x20 << (8 * i)
		}
	}
}

type anchor struct {
	b    [anchorLen]byte
	pats []anchored
}

// byteFrequencies approximates how common each byte is in source code, in
// parts per 10,000; the anchor chooser wants windows of rare bytes.
func byteFrequencies() (f [256]float64) {
	for i := range f {
		f[i] = 1 // control and high bytes: rare
	}
	common := map[string]float64{
		" ": 1500, "\n": 300, "\t": 200, "e": 700, "t": 550, "a": 480, "r": 450, "i": 450, "n": 450, "o": 430,
		"s": 400, "l": 300, "c": 250, "u": 200, "d": 200, "p": 170, "m": 160, "h": 150, "g": 120, "f": 120,
		"y": 90, "b": 80, "w": 70, "v": 60, "k": 40, "x": 40, "q": 10, "j": 10, "z": 8,
		"(": 150, ")": 150, ";": 100, "=": 120, ",": 100, ".": 100, "$": 100, "-": 100, ">": 80, "<": 50,
		"_": 90, "'": 80, "\"": 60, "/": 60, ":": 60, "{": 40, "}": 40, "[": 30, "]": 30, "*": 30, "0": 60,
		"1": 50, "2": 40, "3": 20, "4": 15, "5": 15, "6": 12, "7": 10, "8": 10, "9": 10, "#": 10, "@": 10,
		"!": 20, "&": 20, "|": 15, "+": 20, "\\": 20, "%": 5, "?": 10, "^": 2, "~": 2, "`": 2, "\r": 10,
	}
	for s, v := range common {
		f[s[0]] = v
	}
	for c := 'A'; c <= 'Z'; c++ {
		f[c] = f[c+'a'-'A'] / 3
	}
	return f
}

// windowScore estimates the chance that a window of source code matches.
// Identifiers are made of everyday words (Sync, backup, Run), and become
// specific where two words join: a window across a camelCase or snake_case
// join ("ncRu", "c_ru") is much rarer than its bytes suggest.
func windowScore(freq *[256]float64, w string) float64 {
	s := 1.0
	join, runs := false, 0 // runs: maximal runs of letters
	for i := 0; i < len(w); i++ {
		s *= freq[w[i]] / 10000
		if isLetter(w[i]) && (i == 0 || !isLetter(w[i-1])) {
			runs++
		}
		if i > 0 && isLower(w[i-1]) && isUpper(w[i]) {
			s *= 0.02
			join = true
		}
		if i > 0 && i+1 < len(w) && w[i] == '_' && isLetter(w[i-1]) && isLetter(w[i+1]) {
			s *= 0.02
			join = true
		}
	}
	if runs == 1 && !join {
		// Inside one word ("ckup" of backup, "_run") the bytes are far
		// from independent: everyday words make such windows common.
		s = max(s, 3e-3)
	}
	return s
}

func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isLetter(c byte) bool { return isLower(c) || isUpper(c) }

// newAnchorFinder returns nil when the tokens do not suit the fast path: a
// token shorter than an anchor, or more anchors than the SIMD loop takes.
func newAnchorFinder(pats []pattern, ids []int32, block blockFunc) *anchorFinder {
	for _, id := range ids {
		if len(pats[id].tok) < anchorLen {
			return nil
		}
	}
	// Greedy set cover: repeatedly take the window that covers the most
	// uncovered tokens per unit of cost (a pass plus its false candidates).
	freq := byteFrequencies()
	chosen := map[string]int{} // window -> anchor index
	var anchors []anchor
	left := append([]int32(nil), ids...)
	// Each token's distinct windows, and every window in sorted order
	// (deterministic ties) with its cost, once: the rounds only count.
	wins := make(map[int32][]string, len(ids))
	cost := map[string]float64{}
	for _, id := range ids {
		t := pats[id].tok
		for i := 0; i+anchorLen <= len(t); i++ {
			w := t[i : i+anchorLen]
			if !slices.Contains(wins[id], w) {
				wins[id] = append(wins[id], w)
			}
			if _, ok := cost[w]; !ok {
				// One more anchor in the SIMD loop, plus verifying the false
				// candidates it lets through (about 400 times dearer per byte).
				cost[w] = 1 + 400*windowScore(&freq, w)
			}
		}
	}
	keys := make([]string, 0, len(cost))
	for w := range cost {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	count := make(map[string]int, len(keys))
	for len(left) > 0 {
		best, bestVal := "", -1.0
		clear(count)
		for _, id := range left {
			for _, w := range wins[id] {
				count[w]++
			}
		}
		for _, w := range keys {
			if c := count[w]; c > 0 {
				if v := float64(c) / cost[w]; v > bestVal {
					best, bestVal = w, v
				}
			}
		}
		if len(anchors) == maxAnchors {
			return nil
		}
		a := anchor{}
		copy(a.b[:], best)
		chosen[best] = len(anchors)
		var rest []int32
		for _, id := range left {
			if off := indexOf(pats[id].tok, best); off >= 0 {
				ap := anchored{id: id, off: off}
				ap.headOf(pats[id].tok, false)
				a.pats = append(a.pats, ap)
			} else {
				rest = append(rest, id)
			}
		}
		anchors = append(anchors, a)
		left = rest
	}
	f := &anchorFinder{anchors: anchors, pats: pats, block: block}
	f.tab.k = int64(len(anchors))
	for i, a := range anchors {
		for j := 0; j < anchorLen; j++ {
			for k := range f.tab.vec[i][j] {
				f.tab.vec[i][j][k] = a.b[j]
			}
		}
		f.words[i] = binary.LittleEndian.Uint32(a.b[:])
	}
	return f
}

// newFoldAnchorFinder is newAnchorFinder for tokens that are ASCII without
// capitals, found in any case: a token occurs where the text, its ASCII
// capitals lowered, equals it. block is a folding scan (blockAVX2Fold, or
// with lead blockAVX2FoldLead: findFold then also reports a text that holds
// a long s or a Kelvin sign, the non-ASCII runes that fold to ASCII
// letters).
func newFoldAnchorFinder(pats []pattern, ids []int32, lead bool, block blockFunc) *anchorFinder {
	f := newAnchorFinder(pats, ids, block)
	if f == nil {
		return nil
	}
	f.fold, f.lead = true, lead
	for i := range f.anchors {
		for j := range f.tab.vec[i] {
			for k := range f.tab.vec[i][j] {
				f.tab.vec[i][j][k] |= 0x20
			}
		}
		f.words[i] |= 0x20202020
		for j := range f.anchors[i].pats {
			ap := &f.anchors[i].pats[j]
			ap.headOf(pats[ap.id].tok, true)
		}
	}
	for k := range blockLen {
		f.tab.fold[k], f.tab.lead[0][k], f.tab.lead[1][k] = 0x20, 0xC5, 0xE2
	}
	return f
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func (f *anchorFinder) find(hay []byte, from int, dst []occ) []occ {
	i := from
	// The SIMD loop reads 32 bytes at i, i+1, i+2 and i+3.
	for i+blockLen+anchorLen-1 <= len(hay) {
		var mask uint32
		i, mask = f.block(hay, i, &f.tab)
		for mask != 0 {
			j := trailingZeros(mask)
			mask &= mask - 1
			dst = f.verify(hay, i+j, from, dst)
		}
		if i+blockLen+anchorLen-1 > len(hay) {
			break
		}
		i += blockLen
	}
	for ; i+anchorLen <= len(hay); i++ {
		dst = f.verify(hay, i, from, dst)
	}
	return dst
}

// findFold is find for a folding finder. It reports true, and stops, at a
// long s or a Kelvin sign at or after from if the finder has lead.
func (f *anchorFinder) findFold(hay []byte, from int, dst []occ) ([]occ, bool) {
	i := from
	for i+blockLen+anchorLen-1 <= len(hay) {
		var mask uint32
		i, mask = f.block(hay, i, &f.tab)
		for mask != 0 {
			p := i + trailingZeros(mask)
			mask &= mask - 1
			if hay[p] >= utf8.RuneSelf {
				// A lead byte (a folded ASCII anchor never equals a high byte).
				if foldsAt(hay, p) {
					return dst, true
				}
				continue
			}
			dst = f.verify(hay, p, from, dst)
		}
		if i+blockLen+anchorLen-1 > len(hay) {
			break
		}
		i += blockLen
	}
	for ; i < len(hay); i++ {
		if f.lead && foldsAt(hay, i) {
			return dst, true
		}
		if i+anchorLen <= len(hay) {
			dst = f.verify(hay, i, from, dst)
		}
	}
	return dst, false
}

// foldsAt reports whether a long s (C5 BF) or a Kelvin sign (E2 84 AA)
// starts at p.
func foldsAt(hay []byte, p int) bool {
	switch hay[p] {
	case 0xC5:
		return p+1 < len(hay) && hay[p+1] == 0xBF
	case 0xE2:
		return p+2 < len(hay) && hay[p+1] == 0x84 && hay[p+2] == 0xAA
	}
	return false
}

// verify checks every anchor at position p and every token behind it.
func (f *anchorFinder) verify(hay []byte, p, from int, dst []occ) []occ {
	w := binary.LittleEndian.Uint32(hay[p:])
	if f.fold {
		w |= 0x20202020
	}
	for ai := range f.anchors {
		if w != f.words[ai] {
			continue
		}
		pats := f.anchors[ai].pats
		for k := range pats {
			ap := &pats[k]
			s := p - ap.off
			e := s + int(ap.n)
			if s < from || e > len(hay) {
				continue
			}
			if s+8 <= len(hay) {
				if (binary.LittleEndian.Uint64(hay[s:])|ap.fold)&ap.keep != ap.head {
					continue
				}
				if ap.n <= 8 {
					dst = append(dst, occ{start: s, end: e, pat: ap.id})
					continue
				}
			}
			tok := f.pats[ap.id].tok
			if f.fold && equalLowered(hay[s:e], tok) || !f.fold && string(hay[s:e]) == tok {
				dst = append(dst, occ{start: s, end: e, pat: ap.id})
			}
		}
	}
	return dst
}

// equalLowered reports whether b, its ASCII capitals lowered, equals low.
func equalLowered(b []byte, low string) bool {
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		l := uint64(low[0]) | uint64(low[1])<<8 | uint64(low[2])<<16 | uint64(low[3])<<24 |
			uint64(low[4])<<32 | uint64(low[5])<<40 | uint64(low[6])<<48 | uint64(low[7])<<56
		if w|capitals(w)>>2 != l {
			return false
		}
		b, low = b[8:], low[8:]
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != low[i] {
			return false
		}
	}
	return true
}

// blockGenericFold is the portable twin of the folding scans.
func blockGenericFold(lead bool) blockFunc {
	return func(hay []byte, i int, t *anchorTab) (int, uint32) {
		for ; i+blockLen+anchorLen-1 <= len(hay); i += blockLen {
			var mask uint32
			for j := 0; j < blockLen; j++ {
				if c := hay[i+j]; lead && (c == 0xC5 || c == 0xE2) {
					mask |= 1 << j
					continue
				}
				for a := 0; a < int(t.k); a++ {
					v := &t.vec[a]
					if hay[i+j]|0x20 == v[0][0] && hay[i+j+1]|0x20 == v[1][0] && hay[i+j+2]|0x20 == v[2][0] && hay[i+j+3]|0x20 == v[3][0] {
						mask |= 1 << j
						break
					}
				}
			}
			if mask != 0 {
				return i, mask
			}
		}
		return i, 0
	}
}

// blockGeneric is the portable twin of the assembly: starting at i, it finds
// the first 32-byte block with a candidate and returns its start and mask, or
// the first block start that does not fit with a zero mask.
func blockGeneric(hay []byte, i int, t *anchorTab) (int, uint32) {
	for ; i+blockLen+anchorLen-1 <= len(hay); i += blockLen {
		var mask uint32
		for j := 0; j < blockLen; j++ {
			for a := 0; a < int(t.k); a++ {
				v := &t.vec[a]
				if hay[i+j] == v[0][0] && hay[i+j+1] == v[1][0] && hay[i+j+2] == v[2][0] && hay[i+j+3] == v[3][0] {
					mask |= 1 << j
					break
				}
			}
		}
		if mask != 0 {
			return i, mask
		}
	}
	return i, 0
}
