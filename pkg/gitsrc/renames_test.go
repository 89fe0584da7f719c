package gitsrc

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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

// RenameMap follows files commit by commit: a chain of renames, a rename
// back (none), a swap, a deletion, a new file at a path whose file moved
// or was deleted (not the old one).
func TestRenameMap(t *testing.T) {
	m := NewRenameMap()
	m.Apply([][2]string{{"a", "b"}, {"x", "y"}, {"s", "t"}, {"t", "s"}}, []string{"gone"})
	m.Apply([][2]string{{"b", "c"}, {"y", "x"}}, nil)
	m.Apply([][2]string{{"a", "new a"}, {"gone", "back"}}, []string{"t"})
	want := map[string]string{"a": "c", "t": "s"} // s's file is gone, t's is at s
	if got := m.Map(); !reflect.DeepEqual(got, want) {
		t.Fatalf("map %q, want %q", got, want)
	}
	if to, ok := m.Lookup("a"); !ok || to != "c" {
		t.Fatalf("lookup a: %q %v", to, ok)
	}
	if _, ok := m.Lookup("x"); ok {
		t.Fatal("x was renamed back: not renamed")
	}
	if m.Apply(nil, []string{"c", "s"}); len(m.Map()) != 0 {
		t.Fatalf("after c's deletion: %q", m.Map())
	}
	if m.Apply(nil, nil) {
		t.Fatal("no change reported as one")
	}
}

// RenamesSince follows the renames of the commits since the file last
// changed, names with spaces, newlines and quotes included, and only along
// the first parent; it is not ok for a file git does not track, nor in a
// shallow clone whose history stops before the file's last change.
func TestRenamesSince(t *testing.T) {
	dir := newRepo(t)
	body := strings.Repeat("line\n", 20)
	odd := "dir with space/new\nline \"q\" 'x'.php"
	write(t, dir, "a.php", body+"a\n")
	write(t, dir, "b.php", body+"b\n")
	write(t, dir, "base.json", "1")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "mv", "a.php", "c.php")
	git(t, dir, "commit", "-q", "-m", "one")
	os.MkdirAll(filepath.Join(dir, "dir with space"), 0o755)
	git(t, dir, "mv", "c.php", odd)
	git(t, dir, "commit", "-q", "-m", "two")
	ctx := context.Background()
	m, ok, err := RenamesSince(ctx, dir, "HEAD", "base.json")
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	if got := m.Map(); !reflect.DeepEqual(got, map[string]string{"a.php": odd}) {
		t.Fatalf("renames %q", got)
	}
	if m, ok, err = RenamesSince(ctx, dir, "HEAD~1", "base.json"); err != nil || !ok || m.Map()["a.php"] != "c.php" {
		t.Fatalf("at HEAD~1: %q, %v, %v", m.Map(), ok, err)
	}
	write(t, dir, "base.json", "2")
	git(t, dir, "commit", "-q", "-am", "baseline")
	if m, ok, err = RenamesSince(ctx, dir, "HEAD", "base.json"); err != nil || !ok || len(m.Map()) != 0 {
		t.Fatalf("after the baseline's commit: %q, %v, %v", m.Map(), ok, err)
	}
	if _, ok, err := RenamesSince(ctx, dir, "HEAD", "untracked.json"); err != nil || ok {
		t.Fatalf("untracked: ok %v, err %v", ok, err)
	}

	// A merge counts against its first parent: the side branch's rename
	// and baseline change arrive with it.
	git(t, dir, "checkout", "-q", "-b", "side")
	git(t, dir, "mv", "b.php", "side.php")
	write(t, dir, "base.json", "3")
	git(t, dir, "commit", "-q", "-am", "side")
	git(t, dir, "checkout", "-q", "-")
	git(t, dir, "merge", "-q", "--no-ff", "-m", "merge", "side")
	if m, ok, err = RenamesSince(ctx, dir, "HEAD", "base.json"); err != nil || !ok || len(m.Map()) != 0 {
		t.Fatalf("after the merge: %q, %v, %v", m.Map(), ok, err)
	}
	git(t, dir, "mv", "side.php", "main.php")
	git(t, dir, "commit", "-q", "-m", "after the merge")
	if m, ok, err = RenamesSince(ctx, dir, "HEAD", "base.json"); err != nil || !ok || !reflect.DeepEqual(m.Map(), map[string]string{"side.php": "main.php"}) {
		t.Fatalf("after the merge and a rename: %q, %v, %v", m.Map(), ok, err)
	}

	// A shallow clone that holds the rename but not the baseline's commit.
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, dir, "clone", "-q", "--depth", "1", "file://"+dir, clone)
	if m, ok, err = RenamesSince(ctx, clone, "HEAD", "base.json"); err != nil || ok {
		t.Fatalf("shallow: %v, %v", ok, err)
	}
}

// Log with Renames lists a rename as its old path deleted and its new one
// added, and names both, however odd.
func TestLogRenames(t *testing.T) {
	dir := newRepo(t)
	odd := "new\n\t\"name\".php"
	write(t, dir, "a.php", strings.Repeat("line\n", 20))
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "mv", "a.php", odd)
	git(t, dir, "commit", "-q", "-m", "rename")
	var got [][2]string
	var changes []TreeEntry
	err := Log(context.Background(), dir, LogSpec{Revs: []string{"HEAD~1..HEAD"}, Renames: true}, func(c *Commit) error {
		got, changes = c.Renames, c.Changes
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, [][2]string{{"a.php", odd}}) || len(changes) != 2 || changes[0].Path != "a.php" || changes[0].Mode != "" || changes[1].Path != odd || changes[1].Mode != "100644" {
		t.Fatalf("renames %q, changes %+v", got, changes)
	}
}

// EverChanged finds a file in the history of the revisions' tips, also when
// a range leaves out the commit that added it, and says false only for a
// file no commit reachable from them ever had.
func TestEverChanged(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "a.php", "a\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	git(t, dir, "tag", "one")
	write(t, dir, "base.json", "1")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "two")
	git(t, dir, "tag", "two")
	write(t, dir, "a.php", "b\n")
	git(t, dir, "commit", "-q", "-am", "three")
	ctx := context.Background()
	for _, c := range []struct {
		revs []string
		path string
		want bool
	}{
		{nil, "base.json", true},
		{nil, "never.json", false},
		{[]string{"two..HEAD"}, "base.json", true}, // added before the range, there in its commits
		{[]string{"^two", "HEAD"}, "base.json", true},
		{[]string{"one"}, "base.json", false},
		{[]string{"HEAD~2"}, "base.json", false},
		{[]string{"HEAD@{0}"}, "never.json", true}, // not taken apart: the safe answer
		{[]string{"one"}, "dir with space/x \"q\".json", false},
	} {
		if got, err := EverChanged(ctx, dir, c.revs, c.path); err != nil || got != c.want {
			t.Errorf("%q %s: %v, %v; want %v", c.revs, c.path, got, err, c.want)
		}
	}
}

// EverChanged runs no program the repository's config names: with
// log.showSignature on and a signed commit, a plain git log runs
// gpg.program to verify it, EverChanged does not.
func TestEverChangedRunsNoGPG(t *testing.T) {
	dir := newRepo(t)
	marker := filepath.Join(t.TempDir(), "gpg-ran")
	gpg := filepath.Join(t.TempDir(), "gpg")
	// Signs anything (for the commit), and leaves the marker when asked to verify.
	script := "#!/bin/sh\nfor a; do [ \"$a\" = --verify ] && : > '" + marker + "'; done\n" +
		"cat > /dev/null\necho '[GNUPG:] SIG_CREATED ' >&2\n" +
		"printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nx\\n-----END PGP SIGNATURE-----\\n'\n"
	if err := os.WriteFile(gpg, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "base.json", "1")
	git(t, dir, "add", ".")
	git(t, dir, "-c", "gpg.program="+gpg, "-c", "user.signingkey=k", "commit", "-q", "-S", "-m", "signed")
	git(t, dir, "config", "gpg.program", gpg)
	git(t, dir, "config", "log.showSignature", "true")
	if got, err := EverChanged(context.Background(), dir, nil, "base.json"); err != nil || !got {
		t.Fatalf("%v, %v", got, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("EverChanged ran the repository's gpg.program")
	}
	// The check can fail: git log itself runs it here.
	git(t, dir, "log", "-1", "--format=%H")
	if _, err := os.Stat(marker); err != nil {
		t.Skip("this git does not verify signatures in log; nothing to check")
	}
}
