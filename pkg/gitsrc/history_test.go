package gitsrc

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Log reads what each first-parent commit changed: additions, mode
// changes, deletions, symlinks, odd names, subjects that look like raw
// records, empty commits and a merge (against its first parent).
func TestLog(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "a.php", "a")
	write(t, dir, "odd\nname.php", "x")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", ":100644 100644 looks like a record")
	os.Chmod(filepath.Join(dir, "a.php"), 0o755)
	os.Symlink("a.php", filepath.Join(dir, "link"))
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "mode and link")
	git(t, dir, "commit", "-q", "--allow-empty", "--allow-empty-message", "-m", "")
	git(t, dir, "checkout", "-q", "-b", "side")
	write(t, dir, "side.php", "s")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "side")
	git(t, dir, "checkout", "-q", "-")
	git(t, dir, "rm", "-q", "odd\nname.php")
	git(t, dir, "commit", "-q", "-m", "delete")
	git(t, dir, "merge", "-q", "--no-ff", "-m", "merge", "side")

	var got []string
	err := Log(context.Background(), dir, LogSpec{}, func(c *Commit) error {
		s := c.Subject + " |"
		for _, e := range c.Changes {
			s += " " + e.Mode + ":" + e.Path
			if (e.Mode == "") != (e.ID == "") || e.ID != "" && !isObjectID(e.ID) {
				t.Errorf("%s: %+v", c.Subject, e)
			}
		}
		if !isObjectID(c.ID) || !strings.HasPrefix(c.Date, "20") {
			t.Errorf("%q: id %q, date %q", c.Subject, c.ID, c.Date)
		}
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"merge | 100644:side.php",
		"delete | :odd\nname.php",
		" |",
		"mode and link | 100755:a.php 120000:link",
		":100644 100644 looks like a record | 100644:a.php 100644:odd\nname.php",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = nil
	if err := Log(context.Background(), dir, LogSpec{MaxCount: 2}, func(c *Commit) error { got = append(got, c.Subject); return nil }); err != nil || len(got) != 2 {
		t.Errorf("--max-count 2: %q, %v", got, err)
	}
	for _, bad := range []string{"-p", "--output=/tmp/x", ""} {
		if err := Log(context.Background(), dir, LogSpec{Revs: []string{bad}}, func(*Commit) error { return nil }); err == nil {
			t.Errorf("revision %q: no error", bad)
		}
	}
}

// Batch reads blobs in order without a round trip each; a missing one
// fails the batch, and the next batch works (a new process).
func TestBatch(t *testing.T) {
	dir := newRepo(t)
	write(t, dir, "a", "alpha")
	write(t, dir, "b", strings.Repeat("b", 3<<20))
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "init")
	a := strings.TrimSpace(git(t, dir, "rev-parse", ":a"))
	b := strings.TrimSpace(git(t, dir, "rev-parse", ":b"))
	br, err := NewBlobReader(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	var got []string
	err = br.Batch([]string{a, b, a}, func(i int, size int64, r io.Reader) error {
		buf := make([]byte, 5) // read a part only: the rest is skipped
		n, _ := io.ReadFull(r, buf)
		got = append(got, string(buf[:n]))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []string{"alpha", "bbbbb", "alpha"}) {
		t.Fatalf("%q, %v", got, err)
	}
	missing := "0123456789abcdef0123456789abcdef01234567"
	err = br.Batch([]string{a, missing, a}, func(int, int64, io.Reader) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing object: %v", err)
	}
	if got := readAll(t, br, a); got != "alpha" {
		t.Errorf("after the failed batch: %q", got)
	}
	if err := br.Batch([]string{"HEAD"}, func(int, int64, io.Reader) error { return nil }); err == nil {
		t.Error("a name that is not an object id: no error")
	}
}

// CheckDate accepts what git log --since reads as a date, however loose,
// and refuses what it would silently read as now.
func TestCheckDate(t *testing.T) {
	dir := newRepo(t)
	for _, d := range []string{"2024-06-30", "2024-06-30 14:00", "2 weeks ago", "3.weeks", "yesterday", "midnight",
		"last friday", "@1719705600", "never", "now", "garbage 2", "Jun 30 2024", "2024-06-30T14:00:00+02:00"} {
		if err := CheckDate(context.Background(), dir, d); err != nil {
			t.Errorf("%q: %v", d, err)
		}
	}
	for _, d := range []string{"garbage", "today", "all", "false", "x", "soon", "all ", "\n"} {
		err := CheckDate(context.Background(), dir, d)
		if de, ok := err.(*DateError); !ok || de.Date != d {
			t.Errorf("%q: %v, want a DateError", d, err)
		}
	}
}

// Unborn tells a branch without commits from one with them, and names a
// revision that has commits when there is one.
func TestUnborn(t *testing.T) {
	dir := newRepo(t)
	ctx := context.Background()
	if b, other, ok := Unborn(ctx, dir); !ok || other != "" || b == "" {
		t.Errorf("new repository: %q %q %v", b, other, ok)
	}
	write(t, dir, "a", "a")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "a")
	if _, _, ok := Unborn(ctx, dir); ok {
		t.Error("a branch with a commit is unborn")
	}
	base := strings.TrimSpace(git(t, dir, "symbolic-ref", "--short", "HEAD"))
	git(t, dir, "checkout", "-q", "--orphan", "new")
	if b, other, ok := Unborn(ctx, dir); !ok || b != "new" || other != base {
		t.Errorf("orphan branch: %q %q %v", b, other, ok)
	}
}
