//go:build linux && !amd64 && !arm64 && !riscv64 && !loong64 && !portableread

package scanner

// sysPreadv2 is 0 where preadCached is not used: every read is a plain pread.
const sysPreadv2 = 0
