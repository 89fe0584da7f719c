package gitsrc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"
)

// testHome points HOME at a fresh folder and clears what git reads from the
// environment, so that neither the machine's nor the caller's git setup
// leaks into a test. It returns the folder.
func testHome(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "t",
		"GIT_AUTHOR_EMAIL":    "t@example.com",
		"GIT_COMMITTER_NAME":  "t",
		"GIT_COMMITTER_EMAIL": "t@example.com",
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL",
		"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	return home
}

// testRepo makes an empty repository (branch main) under a fresh HOME.
func testRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(testHome(t), "repo")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

// git runs a plain git command (none of the package's protections) and
// returns its output.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Skipf("file system refuses %q: %v", name, err)
	}
}

func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// diffBoth runs Diff on the work tree, stages everything, and runs it on
// the index; both must give want.
func diffBoth(t *testing.T, dir, base string, want Changed) {
	t.Helper()
	got, err := Diff(context.Background(), dir, base, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("work tree:\n got %v\nwant %v", got, want)
	}
	git(t, dir, "add", "-A")
	if got, err = Diff(context.Background(), dir, base, true); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("index:\n got %v\nwant %v", got, want)
	}
}

var whole = []LineRange{WholeFile()}

// Files git calls binary have no hunks; they count whole, not as unchanged.
func TestDiffBinaryCountsWhole(t *testing.T) {
	dir := testRepo(t)
	write(t, dir, ".gitattributes", "nodiff.php -diff\nbinattr.php binary\n")
	write(t, dir, "nul.php", "a\x00\nb\n")
	write(t, dir, "nodiff.php", "<?php\n// a\n")
	write(t, dir, "binattr.php", "<?php\n// a\n")
	write(t, dir, "utf16.php", utf16le("<?php\n// a\n"))
	write(t, dir, "text.php", "<?php\n// a\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")

	write(t, dir, "nul.php", "a\x00\nb\nInventorySyncRun\n")
	write(t, dir, "nodiff.php", "<?php\n// a\nInventorySyncRun\n")
	write(t, dir, "binattr.php", "<?php\n// a\nInventorySyncRun\n")
	write(t, dir, "utf16.php", utf16le("<?php\n// a\nInventorySyncRun\n"))
	write(t, dir, "text.php", "<?php\n// a\nInventorySyncRun\n")
	write(t, dir, "new.bin", "\x00InventorySyncRun\n")
	git(t, dir, "add", "-N", "new.bin")
	diffBoth(t, dir, "HEAD", Changed{
		"nul.php": whole, "nodiff.php": whole, "binattr.php": whole, "utf16.php": whole,
		"new.bin": whole, "text.php": {{3, 3}},
	})
	if !(Changed{"x": whole}).Has("x", 1<<40) {
		t.Error("WholeFile does not cover every line")
	}
}

// Every way a regular file can come out of a change is in the set: a
// symlink that became a file (T), a file in conflict (U), an
// intent-to-add file; files that became symlinks and deleted files are not.
func TestDiffTypeChanges(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := testRepo(t)
	if err := os.Symlink("target", filepath.Join(dir, "was-link.php")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "was-file.php", "<?php\n")
	write(t, dir, "gone.php", "<?php\n")
	write(t, dir, "mode.sh", "echo\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")

	os.Remove(filepath.Join(dir, "was-link.php"))
	write(t, dir, "was-link.php", "<?php\nInventorySyncRun::x();\n")
	os.Remove(filepath.Join(dir, "was-file.php"))
	if err := os.Symlink("elsewhere", filepath.Join(dir, "was-file.php")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "gone.php"))
	if err := os.Chmod(filepath.Join(dir, "mode.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "ita.php", "<?php\nInventorySyncRun::x();\n")
	git(t, dir, "add", "-N", "ita.php")
	diffBoth(t, dir, "HEAD", Changed{
		"was-link.php": {{1, 2}}, "ita.php": {{1, 2}}, "mode.sh": nil,
	})
}

// In a conflicted merge the work tree's file (markers and all) is compared;
// the index has no one version of it, so it counts whole.
func TestDiffConflict(t *testing.T) {
	dir := testRepo(t)
	write(t, dir, "f.php", "a\nb\nc\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "checkout", "-q", "-b", "side")
	write(t, dir, "f.php", "a\nside\nc\n")
	git(t, dir, "commit", "-q", "-am", "side")
	git(t, dir, "checkout", "-q", "main")
	write(t, dir, "f.php", "a\nmain\nc\n")
	git(t, dir, "commit", "-q", "-am", "main")
	if err := exec.Command("git", "-C", dir, "merge", "-q", "side").Run(); err == nil {
		t.Fatal("the merge did not conflict")
	}
	ctx := context.Background()
	got, err := Diff(ctx, dir, "HEAD", false)
	if err != nil {
		t.Fatal(err)
	}
	// a, <<<<<<< HEAD, main, =======, side, >>>>>>> side, c: the base's
	// "main" line stays, the markers and "side" are new.
	if want := (Changed{"f.php": {{2, 2}, {4, 6}}}); !reflect.DeepEqual(got, want) {
		t.Errorf("work tree: got %v, want %v", got, want)
	}
	if got, err = Diff(ctx, dir, "HEAD", true); err != nil {
		t.Fatal(err)
	}
	if want := (Changed{"f.php": whole}); !reflect.DeepEqual(got, want) {
		t.Errorf("index: got %v, want %v", got, want)
	}
}

// Any name git allows comes back as itself, with its own lines.
func TestDiffHostileNames(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("names")
	}
	dir := testRepo(t)
	names := []string{
		"plain.php", "with space.php", "a b/c b.php", "b/x.php", "trailing space ", "tab\there",
		"new\nline", "carriage\rreturn", `back\slash`, `"quoted"`, "ünïcödé", "bad\xff\xfeutf8", "-dash", " b", "x b/x",
	}
	for _, n := range names {
		write(t, dir, n, "one\ntwo\n")
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	want := Changed{}
	for _, n := range names {
		write(t, dir, n, "one\n++ b/other\ntwo\n") // the diff line reads "+++ b/other"
		want[n] = []LineRange{{2, 2}}
	}
	diffBoth(t, dir, "HEAD", want)
}

// The same change reads the same with every diff setting turned hostile,
// in the repository's config, in HOME's and in the environment.
func TestDiffIgnoresConfig(t *testing.T) {
	dir := testRepo(t)
	home := os.Getenv("HOME")
	body := func(mid string) string {
		var b strings.Builder
		for i := 1; i <= 30; i++ {
			b.WriteString("line\n")
			if i == 10 || i == 14 {
				b.WriteString(mid)
			}
		}
		return b.String()
	}
	write(t, dir, "sub/x.php", body(""))
	write(t, dir, "w.php", "a\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	write(t, dir, "sub/x.php", body("\nnew\n"))
	write(t, dir, "w.php", "a\nb\n")
	want := Changed{"sub/x.php": {{11, 12}, {17, 18}}, "w.php": {{2, 2}}}

	marker := filepath.Join(home, "pwned")
	evil := filepath.Join(home, "evil.sh")
	write(t, home, "evil.sh", "#!/bin/sh\ntouch "+marker+"\n")
	if err := os.Chmod(evil, 0o755); err != nil {
		t.Fatal(err)
	}
	settings := [][2]string{
		{"diff.noprefix", "true"}, {"diff.mnemonicPrefix", "true"}, {"diff.srcPrefix", "x/"},
		{"diff.dstPrefix", "y/"}, {"diff.interHunkContext", "20"}, {"diff.context", "5"},
		{"diff.relative", "true"}, {"diff.algorithm", "patience"}, {"diff.indentHeuristic", "true"},
		{"diff.suppressBlankEmpty", "true"}, {"color.ui", "always"}, {"color.diff", "always"},
		{"diff.colorMoved", "zebra"}, {"diff.external", evil}, {"diff.renames", "copies"},
		{"diff.renameLimit", "1"}, {"core.quotePath", "true"}, {"diff.orderFile", filepath.Join(home, "nonexistent")},
		{"diff.submodule", "diff"}, {"core.bigFileThreshold", "1"}, {"diff.wsErrorHighlight", "all"},
		{"core.pager", evil}, {"pager.diff", evil}, {"diff.statGraphWidth", "1"},
	}
	for _, s := range settings {
		git(t, dir, "config", s[0], s[1])
		git(t, home, "config", "--global", s[0], s[1])
	}
	t.Setenv("GIT_DIFF_OPTS", "--unified=7")
	t.Setenv("GIT_EXTERNAL_DIFF", evil)
	t.Setenv("GIT_PAGER", evil)
	for _, sub := range []string{dir, filepath.Join(dir, "sub")} {
		// From a subfolder, diff.relative would cut the paths.
		got, err := Diff(context.Background(), sub, "HEAD", false)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("from %s:\n got %v\nwant %v", sub, got, want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("an external diff or pager ran")
	}
}

// No filter driver runs: a clean command that would leave a marker never
// does, however the driver is named, even if it is required. A plain git
// diff shows that the trap is real.
func TestDiffRunsNoFilter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts")
	}
	dir := testRepo(t)
	home := os.Getenv("HOME")
	marker := filepath.Join(home, "pwned")
	write(t, home, "evil.sh", "#!/bin/sh\ntouch "+marker+"\ncat\n")
	evil := filepath.Join(home, "evil.sh")
	if err := os.Chmod(evil, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".gitattributes", "*.php filter=evil\n*.inc filter=a=b.c\n*.txt filter=Global\n")
	write(t, dir, "x.php", "a\n")
	write(t, dir, "y.inc", "a\n")
	write(t, dir, "z.txt", "a\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	for _, drv := range []string{"evil", "a=b.c"} {
		for _, k := range []string{"clean", "smudge"} {
			git(t, dir, "config", "filter."+drv+"."+k, evil)
		}
		git(t, dir, "config", "filter."+drv+".required", "true")
	}
	git(t, dir, "config", "filter.evil.process", evil)
	git(t, home, "config", "--global", "filter.Global.clean", evil)
	// Stat-dirty and changed: git must read these through their filters.
	write(t, dir, "x.php", "a\nb\n")
	write(t, dir, "y.inc", "a\nb\n")
	write(t, dir, "z.txt", "a\nb\n")

	for _, staged := range []bool{false, true} {
		got, err := Diff(context.Background(), dir, "HEAD", staged)
		if err != nil {
			t.Fatal(err)
		}
		if staged {
			continue // the index holds what plain git add made of them
		}
		if want := (Changed{"x.php": {{2, 2}}, "y.inc": {{2, 2}}, "z.txt": {{2, 2}}}); !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatal("a filter ran")
		}
	}
	cmd := exec.Command("git", "diff", "HEAD")
	cmd.Dir = dir
	cmd.Run()
	if _, err := os.Stat(marker); err != nil {
		t.Error("plain git diff did not run the filter either: the test proves nothing")
	}
}

// A partial clone lacks the base's blobs. Diff fails with a
// MissingObjectError and never fetches: neither a remote helper nor a
// configured upload-pack command runs.
func TestDiffPartialClone(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts")
	}
	home := testHome(t)
	src := filepath.Join(home, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, src, "init", "-q", "-b", "main")
	write(t, src, "f.php", "a\n")
	git(t, src, "add", "-A")
	git(t, src, "commit", "-q", "-m", "base")
	write(t, src, "f.php", "a\nb\n")
	git(t, src, "commit", "-q", "-am", "change")
	git(t, src, "config", "uploadpack.allowFilter", "true")
	git(t, home, "clone", "-q", "--filter=blob:none", "file://"+src, "clone")
	clone := filepath.Join(home, "clone")
	old := strings.TrimSpace(git(t, src, "rev-parse", "HEAD~1:f.php"))
	if !strings.Contains(git(t, clone, "rev-list", "--objects", "--missing=print", "--all"), "?"+old) {
		t.Fatal("the clone has the base's blob: not a partial clone")
	}

	marker := filepath.Join(home, "fetched")
	bin := filepath.Join(home, "bin")
	write(t, bin, "git-remote-evil", "#!/bin/sh\ntouch "+marker+"\nexit 1\n")
	write(t, bin, "upload-pack.sh", "#!/bin/sh\ntouch "+marker+"\nexec git-upload-pack \"$@\"\n")
	for _, f := range []string{"git-remote-evil", "upload-pack.sh"} {
		if err := os.Chmod(filepath.Join(bin, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, c := range []struct{ key, value string }{
		{"remote.origin.uploadpack", filepath.Join(bin, "upload-pack.sh")},
		{"remote.origin.url", "evil::x"},
	} {
		git(t, clone, "config", c.key, c.value)
		for _, staged := range []bool{false, true} {
			_, err := Diff(context.Background(), clone, "HEAD~1", staged)
			var me *MissingObjectError
			var ge *Error
			if !errors.As(err, &me) || me.Object != old || !errors.As(err, &ge) {
				t.Fatalf("%s: got %v, want a MissingObjectError for %s", c.key, err, old)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("%s: git fetched", c.key)
			}
		}
		cmd := exec.Command("git", "fetch", "-q", "origin")
		cmd.Dir = clone
		cmd.Run()
		if _, err := os.Stat(marker); err != nil {
			t.Fatalf("%s: a plain git fetch did not leave the marker: the test proves nothing", c.key)
		}
		os.Remove(marker)
	}
}
