// Package sha256 computes SHA-256 as crypto/sha256 does, for the report
// fingerprints, without crypto's package inits.
//
// Linking crypto/sha256 links the FIPS 140 module with it: about fifteen
// packages whose inits run at every start of the binary, --version
// included, and cost it more than a tenth of its start-up (measured). The
// block functions here are Go's own (block.go, and block_amd64.s with the
// AVX2 and SHA-NI versions, copied from Go 1.26 under its BSD licence, in
// LICENSE), chosen on first use instead of in package init. Tests hold
// every implementation to crypto/sha256.
package sha256

const (
	chunk      = 64
	maxAsmSize = 64 << 10 // assembly is not preemptible: at most 64 KiB per call, as crypto/sha256 does

	init0 = 0x6A09E667
	init1 = 0xBB67AE85
	init2 = 0x3C6EF372
	init3 = 0xA54FF53A
	init4 = 0x510E527F
	init5 = 0x9B05688C
	init6 = 0x1F83D9AB
	init7 = 0x5BE0CD19
)

// digest is the hash state the block functions update; the assembly
// expects h at offset 0.
type digest struct {
	h [8]uint32
}

// Sum256 returns the SHA-256 checksum of data. It allocates nothing: block
// is called directly, not through a func value, so that the state and the
// padding stay on the stack (a million fingerprints are a million sums).
func Sum256(data []byte) [32]byte {
	d := digest{h: [8]uint32{init0, init1, init2, init3, init4, init5, init6, init7}}
	full := len(data) &^ (chunk - 1)
	for p := data[:full]; len(p) > 0; {
		n := min(len(p), maxAsmSize)
		block(&d, p[:n])
		p = p[n:]
	}
	// The padding: 0x80, zeros, and the length in bits, big-endian, to a
	// multiple of the block size.
	var tail [2 * chunk]byte
	r := copy(tail[:], data[full:])
	tail[r] = 0x80
	t := chunk
	if r >= chunk-8 {
		t = 2 * chunk
	}
	putUint64(tail[t-8:t], uint64(len(data))<<3)
	block(&d, tail[:t])
	var out [32]byte
	for i, v := range d.h {
		out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	return out
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}
