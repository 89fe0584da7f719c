package hugeheap

import "unsafe"

const (
	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1
	hugePage     = 2 << 20
	atFDCWD      = ^uintptr(99) // -100
	oCloexec     = 0x80000      // O_RDONLY is 0
	notAllowed   = ^uintptr(0)  // collapse's errno when the setting is never
)

func init() { collapse() }

// collapse backs the 2 MiB around the calling goroutine's stack with a
// huge page: the runtime's first heap spans and stacks are there (a stack
// address, not a new object, so that the init allocates nothing). It
// returns the start of that range and 0, or the kernel's errno (notAllowed
// when transparent huge pages are off).
func collapse() (base, errno uintptr) {
	if !allowed() {
		return 0, notAllowed
	}
	var here byte
	base = uintptr(unsafe.Pointer(&here)) &^ (hugePage - 1)
	if _, errno = raw(sysMadvise, base, hugePage, madvCollapse); errno != 0 {
		return 0, errno
	}
	return base, 0
}

// thpEnabled is the kernel's setting, as a C string; it reads
// "always [madvise] never", with the one chosen in brackets.
var thpEnabled = [...]byte{'/', 's', 'y', 's', '/', 'k', 'e', 'r', 'n', 'e', 'l', '/', 'm', 'm', '/',
	't', 'r', 'a', 'n', 's', 'p', 'a', 'r', 'e', 'n', 't', '_', 'h', 'u', 'g', 'e', 'p', 'a', 'g', 'e', '/',
	'e', 'n', 'a', 'b', 'l', 'e', 'd', 0}

// allowed reports whether transparent huge pages are there and not
// turned off.
func allowed() bool {
	fd, errno := raw(sysOpenat, atFDCWD, uintptr(unsafe.Pointer(&thpEnabled[0])), oCloexec)
	if errno != 0 {
		return false
	}
	var buf [64]byte
	n, errno := raw(sysRead, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	raw(sysClose, fd, 0, 0)
	return errno == 0 && n > 0 && n <= uintptr(len(buf)) && !contains(buf[:n], "[never]")
}

// contains is bytes.Contains, which would make this package's init wait
// for package unicode's (its tables take 16 heap allocations).
func contains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}
