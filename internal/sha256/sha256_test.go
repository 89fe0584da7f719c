package sha256

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

// impls are the block functions this machine can run, each as a function
// that makes Sum256 use it; every one must give crypto/sha256's sums.
func impls() map[string]func() {
	m := map[string]func(){"chosen": func() {}}
	addImpls(m)
	return m
}

// using runs fn with Sum256 on the implementation that use selects, and
// puts the chosen one back.
func using(use func(), fn func()) {
	defer restoreImpl(saveImpl())
	use()
	fn()
}

func inputs() [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][]byte
	for n := range 300 { // every padding case, and one to four blocks
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		out = append(out, b)
	}
	for _, n := range []int{1023, 1024, 1025, 4096, 65535, 65536, 65537, 3*65536 + 17} { // past maxAsmSize
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		out = append(out, b)
	}
	return append(out, []byte("abc"), bytes.Repeat([]byte{0xff}, 200))
}

func TestSum256AllocatesNothing(t *testing.T) {
	in := make([]byte, 1041)
	if n := testing.AllocsPerRun(100, func() { Sum256(in) }); n != 0 {
		t.Errorf("Sum256 allocates %v times a call", n)
	}
}

func TestMatchesCryptoSHA256(t *testing.T) {
	for name, use := range impls() {
		using(use, func() {
			for _, in := range inputs() {
				if got, want := Sum256(in), sha256.Sum256(in); got != want {
					t.Fatalf("%s: sum of %d bytes is %x, crypto/sha256 says %x", name, len(in), got, want)
				}
			}
		})
	}
	if got, want := Sum256(nil), sha256.Sum256(nil); got != want {
		t.Fatalf("Sum256(nil) = %x, want %x", got, want)
	}
}

func FuzzMatchesCryptoSHA256(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("legacy-run-symbols\x00app/Models/Item.php\x00InventorySyncRun\x00return InventorySyncRun::query();\x000"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := sha256.Sum256(in)
		for name, use := range impls() {
			using(use, func() {
				if got := Sum256(in); got != want {
					t.Fatalf("%s: sum of %q is %x, crypto/sha256 says %x", name, in, got, want)
				}
			})
		}
	})
}

func BenchmarkSum256(b *testing.B) {
	in := make([]byte, 1024)
	for name, use := range impls() {
		using(use, func() {
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				for b.Loop() {
					Sum256(in)
				}
			})
		})
	}
	b.Run("crypto/sha256", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			sha256.Sum256(in)
		}
	})
}
