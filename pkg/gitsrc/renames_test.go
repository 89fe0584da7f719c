package gitsrc

import (
	"context"
	"strings"
	"testing"
)

// TestChanges: renames are found in the index and the work tree, with the
// base version's blob; a hostile name (a newline, a tab, a quote) comes
// through as it is; diff settings in the repository change nothing.
func TestChanges(t *testing.T) {
	dir := newRepo(t)
	body := strings.Repeat("line\n", 20)
	write(t, dir, "a.php", body+"InventorySyncRun\n")
	write(t, dir, "keep.php", "x\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	base := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	old := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD:a.php"))
	git(t, dir, "config", "diff.renames", "false")
	git(t, dir, "config", "diff.noprefix", "true")
	odd := "new\n\t\"name.php"
	git(t, dir, "mv", "a.php", odd)
	write(t, dir, "keep.php", "y\n")
	for _, staged := range []bool{false, true} {
		cs, err := Changes(context.Background(), dir, base, staged, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := Renames(cs)
		if len(m) != 1 || m["a.php"] != odd {
			t.Fatalf("staged %v: renames %q from %+v", staged, m, cs)
		}
		for _, c := range cs {
			if c.Status == 'R' && (c.OldID != old || !c.OldRegular()) {
				t.Fatalf("rename %+v, want old blob %s", c, old)
			}
		}
	}
	if _, err := Changes(context.Background(), dir, "--output=/tmp/x", false, nil); err == nil {
		t.Fatal("a ref that starts with - was passed to git")
	}
}

func TestParseRawChanges(t *testing.T) {
	for _, bad := range []string{"x", ":100644 100644 a b M", ":100644 100644 a b\x00p\x00", ":100644 100644 a b R100\x00old\x00"} {
		if _, err := parseRawChanges([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
