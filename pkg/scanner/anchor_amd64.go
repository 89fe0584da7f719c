package scanner

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

//go:generate go run gen_anchor.go

// blockAVX2 has the contract of blockGeneric; anchor_amd64.s is generated.
//
//go:noescape
func blockAVX2(hay []byte, i int, t *anchorTab) (int, uint32)

// fastBlock is the SIMD block scanner, or nil where the CPU lacks AVX2.
func fastBlock() func([]byte, int, *anchorTab) (int, uint32) {
	if cpu.X86.HasAVX2 {
		return blockAVX2
	}
	return nil
}

func trailingZeros(x uint32) int { return bits.TrailingZeros32(x) }
