// Package cpuid says which x86-64 instructions the CPU and the operating
// system support, for the code paths in assembly: the anchor finder's AVX2
// (pkg/scanner) and the SHA-256 block functions (internal/sha256). It asks
// the CPU on first use, not in a package init.
//
// golang.org/x/sys/cpu, which it replaces, detects every feature in its
// init and reads GODEBUG there (building the process's environment map),
// at every start of the binary, --version included. The features here are
// decided as x/sys/cpu decides them (AVX and AVX2 need the OS to save the
// YMM registers, as XGETBV says), and a test holds them to it; GODEBUG's
// cpu.* settings are not read (Go's own packages still obey them).
//
// On other architectures the package is empty.
package cpuid
