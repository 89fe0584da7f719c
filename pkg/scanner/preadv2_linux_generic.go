//go:build linux && (arm64 || riscv64 || loong64) && !portableread

package scanner

// sysPreadv2 is preadv2's number in Linux's generic system call table.
const sysPreadv2 = 286
