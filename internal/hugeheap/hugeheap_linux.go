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

// The kernel's settings, as C strings. Each reads "always [madvise]
// never", with the one chosen in brackets; the one for 2 MiB pages (Linux
// 6.8) may also read "[inherit]", the first one's choice.
const (
	thpEnabled = "/sys/kernel/mm/transparent_hugepage/enabled\x00"
	thp2MiB    = "/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled\x00"
)

// allowed reports whether transparent huge pages are there and not
// turned off, for all sizes or for 2 MiB.
func allowed() bool {
	var all, size [64]byte
	return allowedBy(setting(thpEnabled, &all), setting(thp2MiB, &size))
}

// allowedBy is allowed's decision on the two settings' texts (nil: no such
// file).
func allowedBy(all, size []byte) bool {
	return len(all) > 0 && !contains(all, "[never]") && !contains(size, "[never]")
}

// setting reads the file at path (a C string) into buf, or nothing when
// it cannot.
func setting(path string, buf *[64]byte) []byte {
	fd, errno := raw(sysOpenat, atFDCWD, uintptr(unsafe.Pointer(unsafe.StringData(path))), oCloexec)
	if errno != 0 {
		return nil
	}
	n, errno := raw(sysRead, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	raw(sysClose, fd, 0, 0)
	if errno != 0 || n > uintptr(len(buf)) {
		return nil
	}
	return buf[:n]
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
