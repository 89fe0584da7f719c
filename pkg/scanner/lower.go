package scanner

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
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
	low     finder      // over the lowered tokens, same pattern ids
	slow    *foldFinder // the same patterns, for texts with K or ſ
	special bool        // some token holds k or s
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

func newLowerFinder(pats []pattern, ids []int32) *lowerFinder {
	low := make([]pattern, len(pats))
	f := &lowerFinder{slow: newFoldFinder(pats, ids)}
	for _, id := range ids {
		low[id] = pats[id]
		low[id].tok = strings.ToLower(pats[id].tok)
		if strings.ContainsAny(low[id].tok, "ks") {
			f.special = true
		}
	}
	f.low = newExactFinder(low, ids)
	return f
}

var (
	kelvin = []byte(string(unicode.SimpleFold('k'))) // U+212A
	longS  = []byte(string(unicode.SimpleFold('s'))) // U+017F
)

// find is finder's find, with the caller's scratch buffer for the lowered
// text (one per worker: the finder is shared).
func (f *lowerFinder) find(hay []byte, from int, dst []occ, bp *[]byte) []occ {
	if f.special && (bytes.Contains(hay[from:], kelvin) || bytes.Contains(hay[from:], longS)) {
		return f.slow.find(hay, from, dst)
	}
	if bp == nil {
		bp = new([]byte)
	}
	n := len(hay) - from
	if cap(*bp) < n {
		*bp = make([]byte, max(n, 2*cap(*bp)))
	}
	low := (*bp)[:n]
	lowerASCII(low, hay[from:])
	k := len(dst)
	dst = f.low.find(low, 0, dst)
	for i := k; i < len(dst); i++ {
		dst[i].start += from
		dst[i].end += from
	}
	return dst
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// lowerASCII writes src to dst with ASCII capitals lowered; every other
// byte is copied as it is. Eight bytes at a time: a byte is a capital when
// its low seven bits are at least 'A' and at most 'Z' and its top bit is
// clear.
func lowerASCII(dst, src []byte) {
	i := 0
	for ; i+8 <= len(src); i += 8 {
		w := binary.LittleEndian.Uint64(src[i:])
		h := w &^ highs
		ge := h + (0x80-'A')*ones   // top bit: byte >= 'A'
		gt := h + (0x80-'Z'-1)*ones // top bit: byte > 'Z'
		upper := ge &^ gt &^ w & highs
		binary.LittleEndian.PutUint64(dst[i:], w|upper>>2)
	}
	for ; i < len(src); i++ {
		c := src[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
}
