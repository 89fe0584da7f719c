//go:build !purego

package sha256

import (
	"sync"

	"github.com/tenantatlas/nolegacyruns/internal/cpuid"
)

//go:noescape
func blockAVX2(dig *digest, p []byte)

//go:noescape
func blockSHANI(dig *digest, p []byte)

// The implementation, chosen on first use as crypto/sha256 chooses it in
// its init: SHA-NI, else AVX2, else Go. (Tests set them to run each.)
var (
	chooseOnce sync.Once
	useSHANI   bool
	useAVX2    bool
)

func choose() {
	x := cpuid.X86()
	useSHANI = x.AVX && x.SHA && x.SSE41 && x.SSSE3
	useAVX2 = x.AVX && x.AVX2 && x.BMI2
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
