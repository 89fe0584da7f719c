package gitindex

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// An index truncated by another process while it is mapped is an error,
// not a crash (SIGBUS).
func TestReadFileShrinks(t *testing.T) {
	es := sample(false)
	for i := 0; i < 2000; i++ {
		es = append(es, Entry{Path: "z/" + strings.Repeat("x", 40) + strconv.Itoa(i), Mode: ModeRegular})
	}
	slices.SortFunc(es, func(a, b Entry) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Stage, b.Stage))
	})
	path := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(path, encode(2, 20, es), 0o644); err != nil {
		t.Fatal(err)
	}
	data, release, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if len(data) < 3*4096 {
		t.Fatalf("the index has %d bytes, want pages to lose", len(data))
	}
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	idx, err := Config{}.readGuarded(path, data, 20)
	if err == nil || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("got %v entries, error %v; want the shrank error", idx, err)
	}
	// The guard is off again after it.
	if _, err := Read(encode(2, 20, sample(false)), 20); err != nil {
		t.Fatal(err)
	}
}
