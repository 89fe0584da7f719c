//go:build !portableread

package scanner

// sysPreadv2 is preadv2's number on linux/amd64 (the syscall package has none).
const sysPreadv2 = 327
