//go:build linux && !amd64

package hugeheap

import "syscall"

// On other processors the init waits for package syscall's (see
// sys_linux_amd64.go).
const (
	sysRead    = syscall.SYS_READ
	sysClose   = syscall.SYS_CLOSE
	sysMadvise = syscall.SYS_MADVISE
	sysOpenat  = syscall.SYS_OPENAT
)

func raw(trap, a1, a2, a3 uintptr) (r1, errno uintptr) {
	r1, _, e := syscall.RawSyscall(trap, a1, a2, a3)
	return r1, uintptr(e)
}
