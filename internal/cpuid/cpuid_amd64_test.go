package cpuid

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// The features are x/sys/cpu's, which only this test links.
func TestSameAsSysCPU(t *testing.T) {
	if strings.Contains(os.Getenv("GODEBUG"), "cpu.") {
		t.Skip("GODEBUG turns x/sys/cpu's features off; this package does not read it")
	}
	got := X86()
	want := Features{
		AVX:   cpu.X86.HasAVX,
		AVX2:  cpu.X86.HasAVX2,
		BMI2:  cpu.X86.HasBMI2,
		SSE41: cpu.X86.HasSSE41,
		SSSE3: cpu.X86.HasSSSE3,
		SHA:   got.SHA, // x/sys/cpu does not say: checked below
	}
	if got != want {
		t.Errorf("X86() = %+v, x/sys/cpu says %+v", got, want)
	}
	t.Logf("%+v", got)
}

// SHA, which x/sys/cpu does not report, against what Linux says of the CPU
// (/proc/cpuinfo's sha_ni flag); the other features too.
func TestSameAsProcCPUInfo(t *testing.T) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("/proc/cpuinfo has no flags line")
	}
	got := X86()
	// Linux lists avx and avx2 only where it saves the YMM registers.
	want := Features{AVX: flags["avx"], AVX2: flags["avx2"], BMI2: flags["bmi2"], SHA: flags["sha_ni"], SSE41: flags["sse4_1"], SSSE3: flags["ssse3"]}
	if got != want {
		t.Errorf("X86() = %+v, /proc/cpuinfo says %+v", got, want)
	}
}

// X86 is the same on every call, and the first one may be concurrent.
func TestOnce(t *testing.T) {
	done := make(chan Features)
	for range 4 {
		go func() { done <- X86() }()
	}
	first := X86()
	for range 4 {
		if f := <-done; f != first {
			t.Errorf("X86() = %+v, then %+v", first, f)
		}
	}
}
