package sha256

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

// impls are the block functions this machine can run; every one must
// give crypto/sha256's sums.
func impls() map[string]func(*digest, []byte) {
	m := map[string]func(*digest, []byte){"generic": blockGeneric, "chosen": block}
	addAsm(m)
	return m
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

func TestMatchesCryptoSHA256(t *testing.T) {
	for name, impl := range impls() {
		for _, in := range inputs() {
			if got, want := sum256(in, impl), sha256.Sum256(in); got != want {
				t.Fatalf("%s: sum of %d bytes is %x, crypto/sha256 says %x", name, len(in), got, want)
			}
		}
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
		for name, impl := range impls() {
			if got := sum256(in, impl); got != want {
				t.Fatalf("%s: sum of %q is %x, crypto/sha256 says %x", name, in, got, want)
			}
		}
	})
}

func BenchmarkSum256(b *testing.B) {
	in := make([]byte, 1024)
	for name, impl := range impls() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				sum256(in, impl)
			}
		})
	}
	b.Run("crypto/sha256", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			sha256.Sum256(in)
		}
	})
}
