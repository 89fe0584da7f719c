//go:build unix

package fileio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// long is a file name of NAME_MAX bytes.
var long = strings.Repeat("a", 250) + ".json"

func noTemps(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, TempPrefix+"*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Replace keeps the setuid, setgid and sticky bits, and as root the owner
// too: the mode is set after the chown, which would clear setuid.
func TestReplaceKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, long)
	os.WriteFile(name, []byte("old"), 0o644)
	mode := 0o750 | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.Chown(name, 65534, 65534)
		os.Chmod(name, mode)
	}
	before, _ := os.Stat(name)
	if before.Mode() != mode {
		t.Skipf("file system keeps %v of %v", before.Mode(), mode)
	}
	if err := Replace(name, []byte("new"), before, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(name)
	if after.Mode() != mode {
		t.Errorf("mode %v, want %v", after.Mode(), mode)
	}
	if got, _ := os.ReadFile(name); string(got) != "new" {
		t.Errorf("content %q", got)
	}
	if b, a := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t); b.Uid != a.Uid || b.Gid != a.Gid {
		t.Errorf("owner %d:%d, was %d:%d", a.Uid, a.Gid, b.Uid, b.Gid)
	}
	noTemps(t, dir)
}

// A file with other hard links is refused, not split from them.
func TestReplaceRefusesHardLinks(t *testing.T) {
	dir := t.TempDir()
	name, other := filepath.Join(dir, "a.php"), filepath.Join(dir, "b.php")
	os.WriteFile(name, []byte("old"), 0o644)
	if err := os.Link(name, other); err != nil {
		t.Skip("no hard links:", err)
	}
	fi, _ := os.Stat(name)
	if err := Replace(name, []byte("new"), fi, nil); !errors.Is(err, ErrHardLinks) {
		t.Fatalf("err %v", err)
	}
	a, _ := os.ReadFile(name)
	b, _ := os.ReadFile(other)
	if string(a) != "old" || string(b) != "old" {
		t.Fatalf("contents %q and %q", a, b)
	}
	if fa, _ := os.Stat(name); !os.SameFile(fa, fi) {
		t.Fatal("a.php was replaced")
	}
}

// A rename that fails, and a veto, leave no temporary file and are
// reported without its name.
func TestReplaceFailures(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.php")
	os.WriteFile(name, []byte("old"), 0o644)
	fi, _ := os.Stat(name)
	veto := errors.New("changed")
	if err := Replace(name, []byte("new"), fi, func() error { return veto }); err != veto {
		t.Fatalf("veto: %v", err)
	}
	// It became a folder after it was read: the rename fails.
	os.Remove(name)
	os.Mkdir(name, 0o755)
	os.WriteFile(filepath.Join(name, "x"), nil, 0o644)
	err := Replace(name, []byte("new"), fi, nil)
	if err == nil || strings.Contains(err.Error(), TempPrefix) {
		t.Fatalf("rename over a folder: %v", err)
	}
	noTemps(t, dir)
}
