package scanner

import (
	"math/bits"

	"github.com/tenantatlas/nolegacyruns/internal/cpuid"
)

//go:generate go run gen_anchor.go

// blockAVX2 has the contract of blockGeneric; anchor_amd64.s is generated.
//
//go:noescape
func blockAVX2(hay []byte, i int, t *anchorTab) (int, uint32)

//go:noescape
func blockAVX2Fold(hay []byte, i int, t *anchorTab) (int, uint32)

//go:noescape
func blockAVX2FoldLead(hay []byte, i int, t *anchorTab) (int, uint32)

// fastBlock is the SIMD block scanner, or nil where the CPU lacks AVX2.
func fastBlock() blockFunc {
	if cpuid.X86().AVX2 {
		return blockAVX2
	}
	return nil
}

// fastFoldBlock is the folding SIMD block scanner (with lead, the one that
// also reports 0xC5 and 0xE2), or nil where the CPU lacks AVX2.
func fastFoldBlock(lead bool) blockFunc {
	switch {
	case !cpuid.X86().AVX2:
		return nil
	case lead:
		return blockAVX2FoldLead
	}
	return blockAVX2Fold
}

func trailingZeros(x uint32) int { return bits.TrailingZeros32(x) }
