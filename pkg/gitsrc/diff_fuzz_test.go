package gitsrc

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzLines are the lines edits insert: the ones a diff parser could take
// for headers, hunk headers or markers.
var fuzzLines = []string{
	"+", "-", "@@", "@@ -1 +1 @@", "@@ -1,2 +1,2 @@ f", "++ x", "-- x", "--- a/x", "+++ b/x",
	"++ b/f.txt", "-- a/f.txt", "++ /dev/null", "-- /dev/null", "diff --git a/f.txt b/f.txt",
	`\ No newline at end of file`, "* Unmerged path f.txt", "Binary files a/f.txt and b/f.txt differ",
	"", " ", "a", "b", "InventorySyncRun::x();",
}

// fuzzEdit applies the program edits to old's lines: each pair of bytes is
// an operation and its argument. The lines that are left over are kept; an
// odd last byte's low bit drops the new version's final newline.
func fuzzEdit(old string, edits []byte) string {
	lines := splitLines(old)
	var b strings.Builder
	next := 0
	take := func() (string, bool) {
		if next >= len(lines) {
			return "", false
		}
		next++
		return lines[next-1], true
	}
	for i := 0; i+1 < len(edits); i += 2 {
		arg := int(edits[i+1])
		switch edits[i] % 5 {
		case 0: // keep
			l, _ := take()
			b.WriteString(l)
		case 1: // delete
			take()
		case 2: // insert
			b.WriteString(fuzzLines[arg%len(fuzzLines)] + "\n")
		case 3: // replace
			take()
			b.WriteString(fuzzLines[arg%len(fuzzLines)] + "\n")
		case 4: // copy an old line here (moves, duplicates)
			if len(lines) > 0 {
				l := lines[arg%len(lines)]
				b.WriteString(strings.TrimSuffix(l, "\n") + "\n")
			}
		}
	}
	for l, ok := take(); ok; l, ok = take() {
		b.WriteString(l)
	}
	s := b.String()
	if len(edits)%2 == 1 && edits[len(edits)-1]&1 == 1 {
		s = strings.TrimSuffix(s, "\n")
	}
	return s
}

// splitLines cuts s into lines, each with its newline (the last may have
// none): git compares them so.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func lcs(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// writeObject stores a loose object the way git does, without running git.
func writeObject(t testing.TB, gitDir, kind string, data []byte) string {
	t.Helper()
	obj := append([]byte(fmt.Sprintf("%s %d\x00", kind, len(data))), data...)
	sum := sha1.Sum(obj)
	id := hex.EncodeToString(sum[:])
	p := filepath.Join(gitDir, "objects", id[:2], id[2:])
	if _, err := os.Stat(p); err == nil {
		return id
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(obj)
	w.Close()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, z.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	return id
}

// fuzzTree stores a tree that holds old as f.txt and nu as g.txt (the
// same edit, backwards), and returns its id.
func fuzzTree(t testing.TB, gitDir, old, nu string) string {
	f, _ := hex.DecodeString(writeObject(t, gitDir, "blob", []byte(old)))
	g, _ := hex.DecodeString(writeObject(t, gitDir, "blob", []byte(nu)))
	tree := append([]byte("100644 f.txt\x00"), f...)
	tree = append(append(tree, "100644 g.txt\x00"...), g...)
	return writeObject(t, gitDir, "tree", tree)
}

// FuzzDiff writes two versions of a file into a repository and checks
// Diff's changed lines against a reference: the lines it leaves unchanged
// are, in order, lines of the old version (nothing added hides), and there
// are exactly as many changed lines as a longest common subsequence leaves.
// A version git calls binary (a NUL in its first 8000 bytes) counts whole.
// Each input is checked both ways, old to new (f.txt) and new to old
// (g.txt), in one Diff.
func FuzzDiff(f *testing.F) {
	dir := testRepo(f)
	gitDir := filepath.Join(dir, ".git")
	// Index entries with no stat data are never stat-clean: git reads the
	// work tree's files every time, and writes nothing back.
	empty := writeObject(f, gitDir, "blob", nil)
	for _, name := range []string{"f.txt", "g.txt"} {
		git(f, dir, "update-index", "--add", "--cacheinfo", "100644,"+empty+","+name)
	}
	for _, s := range []struct {
		old   string
		edits []byte
	}{
		{"a\nb\nc\n", []byte{0, 0, 2, 8, 2, 5, 0, 0, 3, 7}},
		{"a\nb", []byte{0, 0, 2, 0, 2, 1, 1}},
		{"", []byte{2, 0, 2, 1, 2, 2, 2, 3, 2, 4, 2, 5}},
		{"x\n", []byte{3, 13, 2, 12, 2, 14, 2, 11, 2, 10}},
		{"a\x00b\n", []byte{2, 21}},
		{"a\na\na\nb\n", []byte{1, 0, 4, 3, 0, 0, 2, 17}},
	} {
		f.Add(s.old, s.edits)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, old string, edits []byte) {
		// At most 100 operations: an edit cost under 256, below which
		// git's Myers diff takes no shortcut.
		if len(old) > 4096 || len(edits) > 201 {
			t.Skip("too big")
		}
		nu := fuzzEdit(old, edits)
		for name, content := range map[string]string{"f.txt": nu, "g.txt": old} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Diff(ctx, dir, fuzzTree(t, gitDir, old, nu), false)
		if err != nil {
			t.Fatal(err)
		}
		for p := range got {
			if p != "f.txt" && p != "g.txt" {
				t.Fatalf("Diff names %q", p)
			}
		}
		checkChanged(t, got, "f.txt", old, nu)
		checkChanged(t, got, "g.txt", nu, old)
	})
}

// checkChanged checks Diff's lines for path, changed from old to nu.
func checkChanged(t *testing.T, got Changed, path, old, nu string) {
	t.Helper()
	rs := got[path]
	oldL, newL := splitLines(old), splitLines(nu)
	binary := func(s string) bool { return strings.IndexByte(s[:min(len(s), 8000)], 0) >= 0 }
	switch {
	case old == nu:
		if len(rs) > 0 {
			t.Fatalf("%s: no change, but %v", path, rs)
		}
		return
	case binary(old) || binary(nu):
		if len(rs) != 1 || rs[0] != WholeFile() {
			t.Fatalf("%s: binary, but %v", path, rs)
		}
		return
	}
	changed := 0
	var kept []string
	for i, l := range newL {
		if got.Has(path, i+1) {
			changed++
		} else {
			kept = append(kept, l)
		}
	}
	for i, r := range rs {
		if r.From < 1 || r.To > len(newL) || r.From > r.To || (i > 0 && r.From <= rs[i-1].To+1) {
			t.Fatalf("%s: bad ranges %v for %d lines", path, rs, len(newL))
		}
	}
	j := 0
	for _, l := range oldL {
		if j < len(kept) && kept[j] == l {
			j++
		}
	}
	if j < len(kept) {
		t.Fatalf("%s: unchanged line %q is not from the old version\nold %q\nnew %q\nranges %v", path, kept[j], old, nu, rs)
	}
	if want := len(newL) - lcs(oldL, newL); changed != want {
		t.Fatalf("%s: %d changed lines, want %d\nold %q\nnew %q\nranges %v", path, changed, want, old, nu, rs)
	}
}
