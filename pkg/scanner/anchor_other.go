//go:build !amd64

package scanner

import "math/bits"

// fastBlock is nil: without SIMD the Aho-Corasick automaton is faster than
// the scalar anchor loop.
func fastBlock() blockFunc { return nil }

func fastFoldBlock(lead bool) blockFunc { return nil }

func trailingZeros(x uint32) int { return bits.TrailingZeros32(x) }
