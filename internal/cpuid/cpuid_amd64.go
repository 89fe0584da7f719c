package cpuid

import "sync"

// Features are the instruction set extensions the assembly in this module
// uses.
type Features struct {
	AVX   bool // and the OS saves the YMM registers
	AVX2  bool // and the OS saves the YMM registers
	BMI2  bool
	SHA   bool // the SHA extensions (SHA-NI)
	SSE41 bool
	SSSE3 bool
}

var (
	once     sync.Once
	features Features
)

// X86 returns the CPU's features, detected on the first call.
func X86() Features {
	once.Do(func() { features = detect() })
	return features
}

// cpuid and xgetbv are in cpuid_amd64.s.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// detect reads the features as golang.org/x/sys/cpu's archInit does.
func detect() Features {
	var f Features
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 1 {
		return f
	}
	_, _, ecx1, _ := cpuid(1, 0)
	f.SSSE3 = ecx1&(1<<9) != 0
	f.SSE41 = ecx1&(1<<19) != 0
	// XGETBV needs OSXSAVE, which is enough for it: XCR0 bits 1 and 2
	// say that the OS saves the XMM and YMM registers.
	osAVX := false
	if ecx1&(1<<27) != 0 {
		xcr0, _ := xgetbv()
		osAVX = xcr0&(1<<1) != 0 && xcr0&(1<<2) != 0
	}
	f.AVX = ecx1&(1<<28) != 0 && osAVX
	if maxID < 7 {
		return f
	}
	_, ebx7, _, _ := cpuid(7, 0)
	f.AVX2 = ebx7&(1<<5) != 0 && osAVX
	f.BMI2 = ebx7&(1<<8) != 0
	f.SHA = ebx7&(1<<29) != 0
	return f
}
