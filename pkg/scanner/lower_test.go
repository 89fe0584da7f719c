package scanner

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
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

// TestFoldingScan holds the ways of finding case-insensitive tokens (the
// text lowered, or the anchor scan folding case, portable and SIMD) to the
// reference on texts built from spellings in every case, the non-ASCII
// runes that fold to ASCII letters (which send the search to the slow
// path wherever they stand, the last bytes of the text included), and
// near misses, at every offset of the 32- and 64-byte SIMD blocks.
func TestFoldingScan(t *testing.T) {
	pieces := []string{"BAC\u212aUP_SCHEDULE", "\u212aelvin", "BACKUP_SCHEDULE", "backup_Schedule", "ſync", "SYNC", "\u212a", "\u017f", "é", "x", " ", "_", "backup_schedul", "Sy", "nc", "\xc5", "\xe2\x84", "DEL\x7f"}
	r := rules.Rule{ID: "r", IgnoreCase: true, Tokens: []string{"backup_schedule", "sync", "Kelvin"}}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		var b strings.Builder
		b.WriteString(strings.Repeat("a", n%67))
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := []byte(b.String())
		want := naiveFind(r, text)
		if got := fastFind(t, r, text); !reflect.DeepEqual(got, want) {
			t.Fatalf("text %q: matcher %v, reference %v", text, got, want)
		}
	}
}

// The folding scans read the tab at the offsets gen_anchor.go gives them.
func TestAnchorTabLayout(t *testing.T) {
	var tab anchorTab
	if o := unsafe.Offsetof(tab.vec); o != 32 {
		t.Errorf("vec at %d, want 32", o)
	}
	if o := unsafe.Offsetof(tab.fold); o != 32+maxAnchors*anchorLen*blockLen {
		t.Errorf("fold at %d", o)
	}
	if o := unsafe.Offsetof(tab.lead); o != 64+maxAnchors*anchorLen*blockLen {
		t.Errorf("lead at %d", o)
	}
}
