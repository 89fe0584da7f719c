package scanner

import (
	"encoding/binary"
	"slices"
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
	// A hit's anchor is slot[(w*mult)>>(32-slotBits)]-1 for its word w, if
	// the anchors' words fall in distinct slots under mult (index); a loop
	// over the anchors took a branch that no predictor guesses, the hits of
	// two anchors interleaving at random, and was a third of verify.
	mult uint32
	slot [1 << slotBits]uint8
}

const slotBits = 5

// index looks for a multiplier that puts the anchors' words in distinct
// slots; mult stays 0 (verify loops) if two words are equal, or if no
// multiplier of the fixed sequence tried does it.
func (f *anchorFinder) index() {
	f.mult = 0
	x := uint32(0x9E3779B1)
	for range 256 {
		var slot [1 << slotBits]uint8
		ok := true
		for i := range f.anchors {
			h := (f.words[i] * x) >> (32 - slotBits)
			if slot[h] != 0 {
				ok = false
				break
			}
			slot[h] = uint8(i + 1)
		}
		if ok {
			f.mult, f.slot = x, slot
			return
		}
		x = (x*0x01000193 + 0x7F4A7C15) | 1
	}
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
	// keys[k] is two bytes of pats[k]'s token next to the anchor (ORed
	// with 0x2020 when folding): the two before it, or, when after is
	// set, the two after it; 1<<16 for a token too short there, which is
	// always checked. The tokens behind one anchor mostly differ there (the word
	// before "sync" and its separator; the separator after "backup"), so
	// verifyAnchor sets a hit in everyday text aside with a compare per
	// token, in a loop short enough to stay in registers.
	keys  []uint32
	after bool
}

// setKeys fills in keys: with the bytes before the anchor if every token
// has two there, else after it if every token has two there, else before
// it where a token has them.
func (a *anchor) setKeys(pats []pattern, fold bool) {
	before, after := true, true
	for _, ap := range a.pats {
		before = before && ap.off >= 2
		after = after && ap.off+anchorLen+2 <= int(ap.n)
	}
	a.after = !before && after
	a.keys = make([]uint32, len(a.pats))
	for k, ap := range a.pats {
		tok := pats[ap.id].tok
		switch {
		case a.after:
			q := ap.off + anchorLen
			a.keys[k] = uint32(keyOf(tok[q], tok[q+1], fold))
		case ap.off >= 2:
			a.keys[k] = uint32(keyOf(tok[ap.off-2], tok[ap.off-1], fold))
		default:
			a.keys[k] = 1 << 16
		}
	}
}

// keyOf is the value of two bytes of the text or of a token in keys.
func keyOf(a, b byte, fold bool) uint16 {
	k := uint16(a) | uint16(b)<<8
	if fold {
		k |= 0x2020
	}
	return k
}

// byteFreq approximates how common each byte is in source code, in parts
// per 10,000 (0 stands for 1: control and high bytes are rare); the anchor
// chooser wants windows of rare bytes. A capital is a third as common as
// its small letter. Read only: a literal, so that building a finder
// computes nothing for it.
var byteFreq = [256]float64{
	'\t': 200,
	'\n': 300,
	'\r': 10,
	' ':  1500,
	'!':  20,
	'"':  60,
	'#':  10,
	'$':  100,
	'%':  5,
	'&':  20,
	'\'': 80,
	'(':  150,
	')':  150,
	'*':  30,
	'+':  20,
	',':  100,
	'-':  100,
	'.':  100,
	'/':  60,
	'0':  60,
	'1':  50,
	'2':  40,
	'3':  20,
	'4':  15,
	'5':  15,
	'6':  12,
	'7':  10,
	'8':  10,
	'9':  10,
	':':  60,
	';':  100,
	'<':  50,
	'=':  120,
	'>':  80,
	'?':  10,
	'@':  10,
	'A':  480.0 / 3,
	'B':  80.0 / 3,
	'C':  250.0 / 3,
	'D':  200.0 / 3,
	'E':  700.0 / 3,
	'F':  120.0 / 3,
	'G':  120.0 / 3,
	'H':  150.0 / 3,
	'I':  450.0 / 3,
	'J':  10.0 / 3,
	'K':  40.0 / 3,
	'L':  300.0 / 3,
	'M':  160.0 / 3,
	'N':  450.0 / 3,
	'O':  430.0 / 3,
	'P':  170.0 / 3,
	'Q':  10.0 / 3,
	'R':  450.0 / 3,
	'S':  400.0 / 3,
	'T':  550.0 / 3,
	'U':  200.0 / 3,
	'V':  60.0 / 3,
	'W':  70.0 / 3,
	'X':  40.0 / 3,
	'Y':  90.0 / 3,
	'Z':  8.0 / 3,
	'[':  30,
	'\\': 20,
	']':  30,
	'^':  2,
	'_':  90,
	'`':  2,
	'a':  480,
	'b':  80,
	'c':  250,
	'd':  200,
	'e':  700,
	'f':  120,
	'g':  120,
	'h':  150,
	'i':  450,
	'j':  10,
	'k':  40,
	'l':  300,
	'm':  160,
	'n':  450,
	'o':  430,
	'p':  170,
	'q':  10,
	'r':  450,
	's':  400,
	't':  550,
	'u':  200,
	'v':  60,
	'w':  70,
	'x':  40,
	'y':  90,
	'z':  8,
	'{':  40,
	'|':  15,
	'}':  40,
	'~':  2,
}

// windowScore estimates the chance that a window of source code matches.
// Identifiers are made of everyday words (Sync, backup, Run), and become
// specific where two words join: a window across a camelCase or snake_case
// join ("ncRu", "c_ru") is much rarer than its bytes suggest.
func windowScore(freq *[256]float64, w string) float64 {
	s := 1.0
	join, runs := false, 0 // runs: maximal runs of letters
	for i := 0; i < len(w); i++ {
		s *= max(freq[w[i]], 1) / 10000
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
	// Windows are numbered in sorted order (deterministic ties), and each
	// token knows its distinct windows' numbers: the rounds only count.
	// A window is its four bytes as a big-endian word, which sorts as the
	// string does.
	n := 0
	for _, id := range ids {
		n += len(pats[id].tok) - anchorLen + 1
	}
	all := make([]uint32, 0, n)
	for _, id := range ids {
		t := pats[id].tok
		for i := 0; i+anchorLen <= len(t); i++ {
			all = append(all, windowKey(t[i:]))
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	cost := make([]float64, len(all))
	for k, w := range all {
		// One more anchor in the SIMD loop, plus verifying the false
		// candidates it lets through (about 400 times dearer per byte).
		b := windowBytes(w)
		cost[k] = 1 + 400*windowScore(&byteFreq, string(b[:]))
	}
	// wins[off[j]:off[j+1]] are the numbers of token ids[j]'s windows.
	wins, off := make([]int32, 0, n), make([]int32, len(ids)+1)
	for j, id := range ids {
		t := pats[id].tok
		for i := 0; i+anchorLen <= len(t); i++ {
			k, _ := slices.BinarySearch(all, windowKey(t[i:]))
			if !slices.Contains(wins[off[j]:], int32(k)) {
				wins = append(wins, int32(k))
			}
		}
		off[j+1] = int32(len(wins))
	}
	var anchors []anchor
	left := make([]int, len(ids)) // positions in ids
	for j := range left {
		left[j] = j
	}
	rest := make([]int, 0, len(ids))
	count := make([]int32, len(all))
	for len(left) > 0 {
		best, bestVal := -1, -1.0
		clear(count)
		for _, j := range left {
			for _, k := range wins[off[j]:off[j+1]] {
				count[k]++
			}
		}
		for k, c := range count {
			if c > 0 {
				if v := float64(c) / cost[k]; v > bestVal {
					best, bestVal = k, v
				}
			}
		}
		if len(anchors) == maxAnchors {
			return nil
		}
		a := anchor{b: windowBytes(all[best])}
		for _, j := range left {
			id := ids[j]
			if off := indexOf(pats[id].tok, string(a.b[:])); off >= 0 {
				ap := anchored{id: id, off: off}
				ap.headOf(pats[id].tok, false)
				a.pats = append(a.pats, ap)
			} else {
				rest = append(rest, j)
			}
		}
		a.setKeys(pats, false)
		anchors = append(anchors, a)
		left, rest = rest, left[:0]
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
	f.index()
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
		f.anchors[i].setKeys(pats, true)
	}
	f.index() // the words changed
	for k := range blockLen {
		f.tab.fold[k], f.tab.lead[0][k], f.tab.lead[1][k] = 0x20, 0xC5, 0xE2
	}
	return f
}

// windowKey is the window at the start of t as a big-endian word.
func windowKey(t string) uint32 {
	return uint32(t[0])<<24 | uint32(t[1])<<16 | uint32(t[2])<<8 | uint32(t[3])
}

// windowBytes is the window of a windowKey.
func windowBytes(k uint32) [anchorLen]byte {
	return [anchorLen]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}
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
	if f.mult != 0 {
		// Distinct words: at most one anchor, found without a loop.
		ai := int(f.slot[(w*f.mult)>>(32-slotBits)]) - 1
		if ai < 0 || f.words[ai] != w {
			return dst
		}
		return f.verifyAnchor(hay, p, from, ai, dst)
	}
	for ai := range f.anchors {
		if w == f.words[ai] {
			dst = f.verifyAnchor(hay, p, from, ai, dst)
		}
	}
	return dst
}

// verifyAnchor checks the tokens behind anchor ai, which matches at p.
func (f *anchorFinder) verifyAnchor(hay []byte, p, from, ai int, dst []occ) []occ {
	a := &f.anchors[ai]
	// Where the text has no two bytes, no token that has a key fits.
	var key uint16
	if q := p + anchorLen; a.after && q+2 <= len(hay) {
		key = keyOf(hay[q], hay[q+1], f.fold)
	} else if !a.after && p >= 2 {
		key = keyOf(hay[p-2], hay[p-1], f.fold)
	}
	for k, kk := range a.keys {
		if uint16(kk) == key || kk>>16 != 0 {
			dst = f.check(hay, p, from, &a.pats[k], dst)
		}
	}
	return dst
}

// check appends ap's token if it occurs where its anchor is at p.
func (f *anchorFinder) check(hay []byte, p, from int, ap *anchored, dst []occ) []occ {
	s := p - ap.off
	e := s + int(ap.n)
	if s < from || e > len(hay) {
		return dst
	}
	if s+8 <= len(hay) {
		if (binary.LittleEndian.Uint64(hay[s:])|ap.fold)&ap.keep != ap.head {
			return dst
		}
		if ap.n <= 8 {
			return append(dst, occ{start: s, end: e, pat: ap.id})
		}
	}
	tok := f.pats[ap.id].tok
	if f.fold && equalLowered(hay[s:e], tok) || !f.fold && string(hay[s:e]) == tok {
		dst = append(dst, occ{start: s, end: e, pat: ap.id})
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
