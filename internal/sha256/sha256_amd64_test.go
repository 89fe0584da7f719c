//go:build !purego

package sha256

import (
	"testing"

	"github.com/tenantatlas/nolegacyruns/internal/cpuid"
)

func addImpls(m map[string]func()) {
	chooseOnce.Do(choose)
	m["generic"] = func() { useSHANI, useAVX2 = false, false }
	if x := cpuid.X86(); x.AVX && x.AVX2 && x.BMI2 {
		m["avx2"] = func() { useSHANI, useAVX2 = false, true }
	}
	if useSHANI {
		m["sha-ni"] = func() { useSHANI, useAVX2 = true, false }
	}
}

func saveImpl() [2]bool       { chooseOnce.Do(choose); return [2]bool{useSHANI, useAVX2} }
func restoreImpl(was [2]bool) { useSHANI, useAVX2 = was[0], was[1] }

// This machine's implementations are all tested, by name.
func TestImplementations(t *testing.T) {
	chooseOnce.Do(choose)
	t.Logf("SHA-NI %v, AVX2 %v; testing %d implementations", useSHANI, useAVX2, len(impls()))
}
