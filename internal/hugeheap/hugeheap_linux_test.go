package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

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
	switch err := syscall.Errno(errno); {
	case errno == notAllowed:
		t.Skip("transparent huge pages are off or missing here")
	case err == syscall.EINVAL, err == syscall.EAGAIN, err == syscall.ENOMEM, err == syscall.EPERM:
		t.Skipf("the kernel did not collapse the range: %v", err)
	case errno != 0:
		t.Fatal(err)
	}
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
