package scanner

import (
	"encoding/binary"
	"math/bits"
)

// wmFinder is Wu-Manber skipping in front of the hashed-window verifier:
// every token's first m bytes (m = the shortest token's length) form its
// prefix, and a table over 3-byte blocks says how far the end of an m-byte
// window may move before it could end such a prefix. Only windows whose
// last block ends some prefix are looked up in the hashFinder; with long
// identifiers, most of the text is skipped several bytes at a time.
type wmFinder struct {
	m     int
	shift []uint8 // hash of a 3-byte block -> safe move of the window's end
	hbits uint
	h     *hashFinder
}

const (
	wmBlock = 3
	// minWMPrefix: below it the shifts are too short to pay for the table.
	minWMPrefix = 6
	maxWMPrefix = 64
)

func newWMFinder(pats []pattern, ids []int32, h *hashFinder) *wmFinder {
	m := maxWMPrefix
	for _, id := range ids {
		m = min(m, len(pats[id].tok))
	}
	if m < minWMPrefix || h == nil {
		return nil
	}
	// About eight table slots per block keep most text blocks at full shift.
	hb := uint(max(12, min(20, bits.Len(uint(len(ids)*(m-wmBlock+1)))+3)))
	f := &wmFinder{m: m, hbits: hb, shift: make([]uint8, 1<<hb), h: h}
	full := uint8(m - wmBlock + 1)
	for i := range f.shift {
		f.shift[i] = full
	}
	for _, id := range ids {
		t := pats[id].tok
		for q := wmBlock - 1; q < m; q++ {
			k := f.hash(block(t[q-wmBlock+1:]))
			f.shift[k] = min(f.shift[k], uint8(m-1-q))
		}
	}
	return f
}

func block(b string) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

func (f *wmFinder) hash(b uint32) uint32 { return (b * 0x9E3779B1) >> (32 - f.hbits) }

func (f *wmFinder) find(hay []byte, from int, dst []occ) []occ {
	m, shift, hb := f.m, f.shift, 32-f.hbits
	for end := from + m - 1; end < len(hay); {
		b := uint32(hay[end-2]) | uint32(hay[end-1])<<8 | uint32(hay[end])<<16
		if s := shift[(b*0x9E3779B1)>>hb]; s > 0 {
			end += int(s)
			continue
		}
		// The window [end-m+1, end] may start a token: ask the verifier.
		dst = f.h.at(hay, end-m+1, dst)
		end++
	}
	return dst
}

// at appends the tokens that start at position i.
func (f *hashFinder) at(hay []byte, i int, dst []occ) []occ {
	if i+f.l > len(hay) {
		return dst
	}
	var w uint64
	if i+8 <= len(hay) {
		w = binary.LittleEndian.Uint64(hay[i:])
	} else {
		var tail [8]byte
		copy(tail[:], hay[i:])
		w = binary.LittleEndian.Uint64(tail[:])
	}
	w &= f.mask
	h := f.hash(w)
	if !inBitmap(f.bits, h) {
		return dst
	}
	return f.verify(hay, i, w, h, dst)
}
