package scanner

import (
	"strings"
	"testing"
)

// lowerASCII lowers exactly the 26 capitals, at every offset of a word.
func TestLowerASCII(t *testing.T) {
	src := make([]byte, 256+13)
	for i := range src {
		src[i] = byte(i * 7)
	}
	for i := 0; i < 256; i++ {
		src[i] = byte(i)
	}
	for off := 0; off < 8; off++ {
		in := src[off:]
		got := make([]byte, len(in))
		lowerASCII(got, in, false)
		for i, c := range in {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if got[i] != want {
				t.Fatalf("offset %d: byte %#x lowered to %#x, want %#x", off, c, got[i], want)
			}
		}
	}
}

func BenchmarkLowerASCII(b *testing.B) {
	src := []byte(strings.Repeat("public function InventorySyncRuns(): HasMany { return $this->hasMany(X::class); }\n", 4000))
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		lowerASCII(dst, src, true)
	}
}

// The Kelvin sign and the long s are found in any block, also across the
// end of a 16-byte block.
func TestFoldsToASCII(t *testing.T) {
	for _, r := range []string{"\u212a", "\u017f"} {
		for pad := 0; pad < 40; pad++ {
			src := []byte(strings.Repeat("é", pad/2) + strings.Repeat("x", pad%2) + r + "tail")
			if !lowerASCII(make([]byte, len(src)), src, true) {
				t.Errorf("%q after %d bytes not seen", r, pad)
			}
		}
	}
	src := []byte(strings.Repeat("é€ K s \u212b", 20))
	if lowerASCII(make([]byte, len(src)), src, true) {
		t.Error("found a rune that folds to ASCII where there is none")
	}
}
