//go:build !purego

package sha256

import (
	"sync"

	"golang.org/x/sys/cpu"
)

//go:noescape
func blockAVX2(dig *digest, p []byte)

//go:noescape
func blockSHANI(dig *digest, p []byte)

// cpuid is in cpuid_amd64.s: golang.org/x/sys/cpu does not say whether the
// CPU has the SHA extensions.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// The implementation, chosen on first use as crypto/sha256 chooses it in
// its init: SHA-NI, else AVX2, else Go. (Tests set them to run each.)
var (
	chooseOnce sync.Once
	useSHANI   bool
	useAVX2    bool
)

func choose() {
	hasSHA := false
	if maxID, _, _, _ := cpuid(0, 0); maxID >= 7 {
		_, ebx7, _, _ := cpuid(7, 0)
		hasSHA = ebx7&(1<<29) != 0
	}
	useSHANI = cpu.X86.HasAVX && hasSHA && cpu.X86.HasSSE41 && cpu.X86.HasSSSE3
	useAVX2 = cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasBMI2
}

func block(dig *digest, p []byte) {
	chooseOnce.Do(choose)
	switch {
	case useSHANI:
		blockSHANI(dig, p)
	case useAVX2:
		blockAVX2(dig, p)
	default:
		blockGeneric(dig, p)
	}
}
