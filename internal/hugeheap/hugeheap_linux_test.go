package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestAllowedBy(t *testing.T) {
	for _, tt := range []struct {
		all, size string
		want      bool
	}{
		{"always [madvise] never\n", "always [inherit] madvise never\n", true},
		{"[always] madvise never\n", "", true},
		{"always madvise [never]\n", "always [inherit] madvise never\n", false},
		{"always [madvise] never\n", "always inherit madvise [never]\n", false},
		{"always madvise [never]\n", "[always] inherit madvise never\n", false},
		{"", "", false}, // no transparent huge pages in this kernel
	} {
		var size []byte
		if tt.size != "" {
			size = []byte(tt.size)
		}
		if got := allowedBy([]byte(tt.all), size); got != tt.want {
			t.Errorf("allowedBy(%q, %q) = %v, want %v", tt.all, tt.size, got, tt.want)
		}
	}
}

func TestContains(t *testing.T) {
	for _, tt := range []struct {
		b    string
		want bool
	}{
		{"always [madvise] never\n", false},
		{"always madvise [never]\n", true},
		{"[never]", true},
		{"[never", false},
		{"", false},
	} {
		if got := contains([]byte(tt.b), "[never]"); got != tt.want {
			t.Errorf("contains(%q) = %v, want %v", tt.b, got, tt.want)
		}
	}
}

// TestCollapse: where the kernel does it, the heap's first 2 MiB become one
// huge page and keep what they held.
func TestCollapse(t *testing.T) {
	before := make([]*[64]byte, 256)
	for i := range before {
		before[i] = new([64]byte)
		for j := range before[i] {
			before[i][j] = byte(i + j)
		}
	}
	base, errno := collapse()
	checkErrno(t, errno)
	for i := range before {
		for j := range before[i] {
			if before[i][j] != byte(i+j) {
				t.Fatalf("object %d changed at byte %d", i, j)
			}
		}
	}
	kb, err := anonHuge(base)
	if err != nil {
		t.Fatal(err)
	}
	if kb < hugePage>>10 {
		t.Fatalf("the mapping at %#x has %d kB in huge pages, want at least %d", base, kb, hugePage>>10)
	}
}

// TestCollapseKeepsContents: on a fresh mapping, where no huge page was
// made before (the heap's range was, by the init), the pages written are
// copied into the huge page and the others read as zeros.
func TestCollapseKeepsContents(t *testing.T) {
	if b, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); strings.Contains(string(b), "[always]") {
		t.Skip("with transparent huge pages always on, the first write already makes the huge page")
	}
	if !allowed() {
		t.Skip("transparent huge pages are off or missing here")
	}
	// An aligned 2 MiB between inaccessible pages: a mapping of its own,
	// merged with no neighbour that may have huge pages.
	m, err := syscall.Mmap(-1, 0, 3*hugePage, syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	off := int(-uintptr(unsafe.Pointer(&m[0]))&(hugePage-1)) + hugePage
	r := m[off : off+hugePage]
	if err := syscall.Mprotect(r, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatal(err)
	}
	const page = 4096
	written := []int{0, 5, 300, hugePage/page - 1}
	for _, p := range written {
		for i := p * page; i < (p+1)*page; i++ {
			r[i] = byte(p + i)
		}
	}
	base := uintptr(unsafe.Pointer(&r[0]))
	if kb, err := anonHuge(base); err != nil || kb != 0 {
		t.Fatalf("the fresh mapping has %d kB in huge pages (%v), want 0", kb, err)
	}
	_, errno := raw(sysMadvise, base, hugePage, madvCollapse)
	checkErrno(t, errno)
	for i := range r {
		want := byte(0)
		if slices.Contains(written, i/page) {
			want = byte(i/page + i)
		}
		if r[i] != want {
			t.Fatalf("byte %d (page %d) is %d after the collapse, want %d", i, i/page, r[i], want)
		}
	}
	if kb, err := anonHuge(base); err != nil || kb < hugePage>>10 {
		t.Fatalf("the mapping at %#x has %d kB in huge pages (%v), want at least %d", base, kb, err, hugePage>>10)
	}
}

// checkErrno skips a test where the kernel has a reason to refuse the
// collapse, and fails it otherwise: EINVAL from a kernel that knows
// MADV_COLLAPSE, in a process that may use huge pages, is a wrong advice
// or range of ours.
func checkErrno(t *testing.T, errno uintptr) {
	t.Helper()
	switch err := syscall.Errno(errno); {
	case errno == 0:
		if r := refused(); r != "" {
			t.Skipf("the kernel answered 0, but %s", r)
		}
	case errno == notAllowed:
		t.Skip("transparent huge pages are off or missing here")
	case err == syscall.EAGAIN, err == syscall.ENOMEM, err == syscall.EBUSY:
		t.Skipf("the kernel found no huge page to collapse into: %v", err)
	case err == syscall.EINVAL && refused() != "":
		t.Skipf("the kernel did not collapse the range: %v (%s)", err, refused())
	default:
		t.Fatalf("madvise(MADV_COLLAPSE): %v", err)
	}
}

// refused says why this kernel or process refuses MADV_COLLAPSE, or "".
func refused() string {
	if b, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"); strings.TrimSpace(string(b)) != strconv.Itoa(hugePage) {
		// 64 KiB pages on arm64 make 512 MiB ones, which no 2 MiB range
		// holds: the kernel answers 0 or EINVAL and makes none.
		return fmt.Sprintf("huge pages here are of %q bytes, not 2 MiB", strings.TrimSpace(string(b)))
	}
	const prGetTHPDisable = 42
	if v, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTHPDisable, 0, 0); e == 0 && v != 0 {
		return "huge pages are disabled for this process (prctl PR_SET_THP_DISABLE)"
	}
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "no kernel release"
	}
	var rel []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	major, rest, _ := strings.Cut(string(rel), ".")
	minor, _, _ := strings.Cut(rest, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 6 || ma == 6 && mi < 1 {
		return "Linux " + string(rel) + " has no MADV_COLLAPSE (6.1)"
	}
	return ""
}

// anonHuge is the AnonHugePages of the mapping that holds addr, from
// /proc/self/smaps.
func anonHuge(addr uintptr) (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= a && uint64(addr) < b
			continue
		}
		if in && fields[0] == "AnonHugePages:" && len(fields) >= 2 {
			return strconv.Atoi(fields[1])
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no mapping holds %#x", addr)
}
