//go:build !purego

package sha256

import (
	"testing"

	"golang.org/x/sys/cpu"
)

func addAsm(m map[string]func(*digest, []byte)) {
	chooseOnce.Do(choose)
	if cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasBMI2 {
		m["avx2"] = blockAVX2
	}
	if useSHANI {
		m["sha-ni"] = blockSHANI
	}
}

// This machine's implementations are all tested, by name.
func TestImplementations(t *testing.T) {
	chooseOnce.Do(choose)
	t.Logf("SHA-NI %v, AVX2 %v; testing %d implementations", useSHANI, useAVX2, len(impls()))
}
