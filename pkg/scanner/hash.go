package scanner

import (
	"encoding/binary"
	"math/bits"
)

// hashFinder is the path for many case-sensitive tokens. Every token's first
// L bytes (L = the shortest token's length, at most 8) form its window; at
// each position of the text the L-byte window is hashed and looked up in a
// bitmap small enough to stay in L1 cache. Unlike an automaton walk, the
// positions are independent of each other, so the CPU overlaps them.
type hashFinder struct {
	l     int
	mask  uint64
	shift uint
	bits  []uint64
	heads []int32 // hash -> 1 + first entry in chain
	chain []hashEntry
	pats  []pattern
}

type hashEntry struct {
	w    uint64
	id   int32
	next int32
}

const (
	minHashWindow = 4
	hashMul       = 0x9E3779B97F4A7C15
)

// newHashFinder returns nil if a token is shorter than minHashWindow.
func newHashFinder(pats []pattern, ids []int32) *hashFinder {
	l := 8
	for _, id := range ids {
		l = min(l, len(pats[id].tok))
	}
	if l < minHashWindow {
		return nil
	}
	// About 64 bitmap bits per token keep false candidates near 1.5%.
	logBits := max(12, min(22, bits.Len(uint(len(ids)))+6))
	f := &hashFinder{
		l:     l,
		mask:  ^uint64(0) >> (64 - 8*uint(l)),
		shift: uint(64 - logBits),
		bits:  make([]uint64, 1<<logBits/64),
		heads: make([]int32, 1<<logBits),
		pats:  pats,
	}
	for _, id := range ids {
		w := window(pats[id].tok[:l])
		h := f.hash(w)
		f.bits[h>>6] |= 1 << (h & 63)
		f.chain = append(f.chain, hashEntry{w: w, id: id, next: f.heads[h]})
		f.heads[h] = int32(len(f.chain))
	}
	return f
}

func window(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.LittleEndian.Uint64(b[:])
}

func (f *hashFinder) hash(w uint64) uint64 { return (w * hashMul) >> f.shift }

func (f *hashFinder) find(hay []byte, from int, dst []occ) []occ {
	i := from
	for {
		i = f.next(hay, i)
		if i+8 > len(hay) {
			break
		}
		w := binary.LittleEndian.Uint64(hay[i:]) & f.mask
		dst = f.verify(hay, i, w, f.hash(w), dst)
		i++
	}
	var tail [8]byte
	for ; i+f.l <= len(hay); i++ {
		tail = [8]byte{}
		copy(tail[:], hay[i:])
		w := binary.LittleEndian.Uint64(tail[:]) & f.mask
		h := f.hash(w)
		if f.bits[h>>6]&(1<<(h&63)) != 0 {
			dst = f.verify(hay, i, w, h, dst)
		}
	}
	return dst
}

// next returns the first position at or after i whose 8-byte window hits the
// bitmap, or the first position without 8 bytes left. Eight positions are
// tested from two loads: the window at i+k is lo>>8k | hi<<(64-8k).
func (f *hashFinder) next(hay []byte, i int) int {
	mask, shift, bm := f.mask, f.shift&63, f.bits
	hit := func(w uint64) bool { return inBitmap(bm, ((w&mask)*hashMul)>>shift) }
	for ; i+16 <= len(hay); i += 8 {
		lo := binary.LittleEndian.Uint64(hay[i:])
		hi := binary.LittleEndian.Uint64(hay[i+8:])
		switch {
		case hit(lo):
			return i
		case hit(lo>>8 | hi<<56):
			return i + 1
		case hit(lo>>16 | hi<<48):
			return i + 2
		case hit(lo>>24 | hi<<40):
			return i + 3
		case hit(lo>>32 | hi<<32):
			return i + 4
		case hit(lo>>40 | hi<<24):
			return i + 5
		case hit(lo>>48 | hi<<16):
			return i + 6
		case hit(lo>>56 | hi<<8):
			return i + 7
		}
	}
	for ; i+8 <= len(hay); i++ {
		if hit(binary.LittleEndian.Uint64(hay[i:])) {
			return i
		}
	}
	return i
}

func inBitmap(bm []uint64, h uint64) bool { return bm[h>>6]&(1<<(h&63)) != 0 }

func (f *hashFinder) verify(hay []byte, i int, w, h uint64, dst []occ) []occ {
	for e := f.heads[h]; e != 0; {
		ent := &f.chain[e-1]
		if ent.w == w {
			tok := f.pats[ent.id].tok
			if i+len(tok) <= len(hay) && string(hay[i:i+len(tok)]) == tok {
				dst = append(dst, occ{start: i, end: i + len(tok), pat: ent.id})
			}
		}
		e = ent.next
	}
	return dst
}
