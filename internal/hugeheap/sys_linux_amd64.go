package hugeheap

// System calls without package syscall: importing it would make this
// package's init wait for syscall's and for internal/godebug's, whose
// allocations then fault page by page (a --version run 1.25x a hello-world
// binary instead of 1.15x).
const (
	sysRead    = 0
	sysClose   = 3
	sysMadvise = 28
	sysOpenat  = 257
)

// raw is syscall.RawSyscall: a quick system call that does not block.
func raw(trap, a1, a2, a3 uintptr) (r1, errno uintptr)
