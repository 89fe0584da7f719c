package gitsrc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// isolateGit keeps the user's and the system's git configuration out of a test.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"} {
		t.Setenv(k, "t")
	}
	for _, k := range []string{"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"} {
		t.Setenv(k, "t@example.com")
	}
}

// newRepo makes an empty repository in a temporary folder.
func newRepo(t *testing.T) string {
	t.Helper()
	isolateGit(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	return dir
}

// What git prints on standard error while it lists files is never dropped:
// a folder it cannot open fails the listing, named; any other warning too.
// A fake git stands in, so that this runs as root as well.
func TestListingWarningsAreErrors(t *testing.T) {
	fake := t.TempDir()
	script := "#!/bin/sh\n" +
		"case \"$*\" in\n" +
		"*--others*) printf 'app/new.php\\0' ;;\n" +
		"*) printf '100644 0123456789abcdef0123456789abcdef01234567 0\\tapp/x.php\\0' ;;\n" +
		"esac\n" +
		"printf '%s' \"$FAKE_STDERR\" >&2\n" +
		"exit ${FAKE_EXIT:-0}\n"
	if err := os.WriteFile(filepath.Join(fake, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", fake)
	for _, c := range []struct {
		name, stderr, exit string
		want               string // "" for no error
	}{
		{"quiet", "", "0", ""},
		{"unreadable folder", "warning: could not open directory 'app/secret/': Permission denied\n", "0",
			"app/secret: permission denied (git could not list this folder)"},
		{"two unreadable folders", "warning: could not open directory 'app/a b/': Permission denied\nwarning: could not open directory 'lib/': Permission denied\n", "0",
			"app/a b: permission denied (git could not list this folder), and 1 more folder"},
		{"other warning", "warning: unable to access '/root/.config/git/ignore': Permission denied\n", "0",
			"git ls-files: warning: unable to access '/root/.config/git/ignore': Permission denied"},
		{"failure", "fatal: not a git repository\n", "128", "git ls-files: not a git repository"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("FAKE_STDERR", c.stderr)
			t.Setenv("FAKE_EXIT", c.exit)
			files, err := ListFiles(context.Background(), t.TempDir(), nil)
			if c.want == "" {
				want := []File{{Path: "app/new.php"}, {Path: "app/x.php", Mode: "100644"}}
				if err != nil || !reflect.DeepEqual(files, want) {
					t.Fatalf("got %v, %v; want %v", files, err, want)
				}
				return
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("got error %v, want %q", err, c.want)
			}
		})
	}
}

// An untracked file whose name reads like an ls-files --stage record is
// listed under its own name: the call, not the text, says what a record is.
func TestRecordLikeNames(t *testing.T) {
	dir := newRepo(t)
	record := "100644 0123456789abcdef0123456789abcdef01234567 0\tapp/x.php"
	names := []string{
		record, // a folder "100644 ... 0\tapp" holding x.php
		"100755 " + strings.Repeat("ab", 32) + " 2\tnew\nline.php", // SHA-256 length, stage 2
		"tab\there.php",
	}
	for _, n := range names {
		write(t, dir, n, "<?php\n")
	}
	write(t, dir, "tracked\t100644.php", "<?php\n")
	git(t, dir, "add", "tracked\t100644.php")
	files, err := ListFiles(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Path: names[0]},
		{Path: names[1]},
		{Path: "tab\there.php"},
		{Path: "tracked\t100644.php", Mode: "100644"},
	}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("got  %q\nwant %q", files, want)
	}
}

func TestParseStage(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		rec  string
		want stageRecord
	}{
		{"100644 " + id + " 0\tapp/x.php", stageRecord{mode: "100644", id: id, path: "app/x.php", stage: '0'}},
		{"120000 " + id + " 0\ta\tb", stageRecord{mode: "120000", id: id, path: "a\tb", stage: '0'}},
		{"100644 " + strings.Repeat("f", 64) + " 3\tx", stageRecord{mode: "100644", id: strings.Repeat("f", 64), path: "x", stage: '3'}},
	} {
		got, err := parseStage(c.rec)
		if err != nil || got != c.want {
			t.Errorf("%q: %+v %v", c.rec, got, err)
		}
	}
	for _, rec := range []string{
		"app/x.php",
		"100644 " + id + " 0",
		"100644 " + id + " 0\t",
		"100644 " + id + " 4\tx",
		"100648 " + id + " 0\tx",
		"100644 " + strings.ToUpper(id) + " 0\tx",
		"100644 " + id[:39] + " 0\tx",
		"100644  " + id + " 0\tx",
	} {
		if _, err := parseStage(rec); err == nil {
			t.Errorf("accepted %q", rec)
		}
	}
}
