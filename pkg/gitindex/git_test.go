package gitindex

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A repo is a repository in a temporary folder, worked on by the real git
// with none of the machine's configuration or GIT_ variables.
type repo struct {
	t        testing.TB
	dir      string
	env      []string
	hashSize int
}

func newRepo(t testing.TB, format string) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	r := &repo{t: t, dir: t.TempDir(), hashSize: 20}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1")
	if format == "sha256" {
		r.hashSize = 32
	}
	if out, err := r.run("init", "-q", "--object-format="+format); err != nil {
		if format != "sha1" {
			t.Skipf("git init --object-format=%s: %v: %s", format, err, out)
		}
		t.Fatalf("git init: %v: %s", err, out)
	}
	return r
}

func (r *repo) run(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// git runs git and returns its output; a failure fails the test.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *repo) write(path, content string) {
	r.t.Helper()
	path = filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) index() []byte {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, ".git", "index"))
	if err != nil {
		r.t.Fatal(err)
	}
	return data
}

// check compares Read's entries with git ls-files --stage and returns them.
func (r *repo) check() *Index {
	r.t.Helper()
	data := r.index()
	idx, err := Read(data, r.hashSize)
	if err != nil {
		r.t.Fatalf("Read: %v", err)
	}
	if idx.Version != int(data[7]) {
		r.t.Fatalf("version %d, the header says %d", idx.Version, data[7])
	}
	var got []string
	for i, e := range idx.Entries {
		if len(idx.OID(i)) != r.hashSize {
			r.t.Fatalf("%q: a %d-byte id", e.Path, len(idx.OID(i)))
		}
		got = append(got, fmt.Sprintf("%06o %s %d\t%s", e.Mode, idx.Hex(i), e.Stage, e.Path))
	}
	// A listing's read, without the ids, has the same entries; keeping
	// every other one, the same every other one.
	if bare, err := (Config{NoOIDs: true}).Read(data, r.hashSize); err != nil || !reflect.DeepEqual(bare.Entries, idx.Entries) {
		r.t.Fatalf("Read without ids: %v, or other entries", err)
	}
	var every []Entry
	for i := 1; i < len(idx.Entries); i += 2 {
		every = append(every, idx.Entries[i])
	}
	n := 0
	half, err := Config{NoOIDs: true, Keep: func([]byte) bool { n++; return n%2 == 0 }}.Read(data, r.hashSize)
	if err != nil || len(half.Entries) != len(every) || len(every) > 0 && !reflect.DeepEqual(half.Entries, every) {
		r.t.Fatalf("Read keeping every other entry: %v, or other entries", err)
	}
	want := strings.Split(strings.TrimSuffix(r.git("ls-files", "-z", "--stage"), "\x00"), "\x00")
	if len(want) == 1 && want[0] == "" {
		want = nil
	}
	if len(got) != len(want) {
		r.t.Fatalf("%d entries, git lists %d:\n%q\n%q", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			r.t.Fatalf("entry %d: got %q, git lists %q", i, got[i], want[i])
		}
	}
	return idx
}

// checkVersions rewrites the index in each version and checks it; it
// returns the versions git wrote (asked for 2 or 3, git writes 3 when an
// entry has extended flags and 2 otherwise).
func (r *repo) checkVersions() (written []int) {
	r.t.Helper()
	for _, v := range []int{2, 3, 4} {
		r.git("update-index", "--index-version", strconv.Itoa(v))
		written = append(written, r.check().Version)
	}
	return written
}

func (r *repo) hasExtension(sig string) bool {
	return bytes.Contains(r.index(), []byte(sig))
}

func (r *repo) readErr() error {
	r.t.Helper()
	_, err := Read(r.index(), r.hashSize)
	return err
}

// Odd names, names sharing long prefixes (which v4 compresses), every mode,
// paths around and beyond 0xfff bytes, in SHA-1 and SHA-256 repositories.
func TestGitDifferential(t *testing.T) {
	for _, format := range []string{"sha1", "sha256"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t, format)
			names := []string{
				"a b", "a\nb", "a\tb", "back\\slash", "quote\"d", "-dash", ".hidden",
				"ü/ñ.txt", "日本語.go", "café", "#hash", "trailing ",
				"dir/sub/x", "dir/sub/xy", "dir/subdir/z", "dir-x", "dir.x", "dir0",
				"prefix/aaaaaaaaaaaaaaaaaaaa1", "prefix/aaaaaaaaaaaaaaaaaaaa2",
				"prefix/aaaaaaaaaaaaaaaaaaab", "prefix/b", "prefix/b/c",
				"a/b/c/d/e/f/g/h/i/j/k.txt", strings.Repeat("n", 255), "star*", "x?",
			}
			for _, n := range names {
				if n == "prefix/b" {
					continue // a folder below
				}
				r.write(n, n+"\n")
			}
			r.write("run.sh", "#!/bin/sh\n")
			if err := os.Chmod(filepath.Join(r.dir, "run.sh"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("dir/sub/x", filepath.Join(r.dir, "link")); err != nil {
				t.Fatal(err)
			}
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "one")
			if !r.hasExtension("TREE") {
				t.Error("no TREE extension after a commit")
			}
			head := strings.TrimSpace(r.git("rev-parse", "HEAD"))
			blob := strings.TrimSpace(r.git("hash-object", "-w", "run.sh"))
			// Entries not every work tree could hold: a control character,
			// bytes that are no UTF-8, "café" decomposed (one file with the
			// composed one on macOS), paths of 0xffe to 5000 bytes, a gitlink.
			cacheinfo := map[string]string{
				"\x01ctl": blob, "bad\xff\xfeutf8": blob, "cafe\u0301": blob, "sub": head,
			}
			for _, n := range []int{0xffe, 0xfff, 0x1000, 5000} {
				cacheinfo[strings.Repeat(strings.Repeat("l", 199)+"/", 30)[:n-1]+"f"] = blob
			}
			for p, id := range cacheinfo {
				mode := "100644"
				if p == "sub" {
					mode = "160000"
				}
				r.git("update-index", "--add", "--cacheinfo", mode+","+id+","+p)
			}
			r.git("update-index", "--assume-unchanged", "a b")

			if got := r.checkVersions(); fmt.Sprint(got) != "[2 2 4]" {
				t.Fatalf("versions %v", got)
			}
			var modes, long = map[uint32]bool{}, 0
			for _, e := range r.check().Entries {
				modes[e.Mode] = true
				if len(e.Path) >= 0xfff {
					long++
				}
				if e.AssumeValid != (e.Path == "a b") {
					t.Fatalf("%q: AssumeValid %v", e.Path, e.AssumeValid)
				}
			}
			if len(modes) != 4 || long != 3 {
				t.Fatalf("modes %v, %d long paths", modes, long)
			}

			// An intent-to-add entry needs extended flags: version 3.
			r.write("new file", "x")
			r.git("add", "-N", "new file")
			if got := r.checkVersions(); fmt.Sprint(got) != "[3 3 4]" {
				t.Fatalf("versions with an intent-to-add entry %v", got)
			}
			n := 0
			for _, e := range r.check().Entries {
				if e.IntentToAdd {
					n++
					if e.Path != "new file" {
						t.Fatalf("%q is intent-to-add", e.Path)
					}
				}
			}
			if n != 1 {
				t.Fatalf("%d intent-to-add entries", n)
			}
		})
	}
}

// A conflict: stages 1 to 3, a modify/delete with stages 1 and 2 only, then
// the resolved path with the REUC extension.
func TestGitConflict(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "sha1")
	r.write("f", "base\n")
	r.write("g", "base\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	r.git("checkout", "-q", "-b", "other")
	r.write("f", "theirs\n")
	r.git("rm", "-q", "g")
	r.git("commit", "-q", "-am", "theirs")
	r.git("checkout", "-q", "main")
	r.write("f", "ours\n")
	r.write("g", "ours\n")
	r.git("commit", "-q", "-am", "ours")
	if out, err := r.run("merge", "other"); err == nil {
		t.Fatalf("the merge succeeded: %s", out)
	}
	for range r.checkVersions() {
	}
	var stages []string
	for _, e := range r.check().Entries {
		stages = append(stages, fmt.Sprintf("%s%d", e.Path, e.Stage))
	}
	if got := strings.Join(stages, " "); got != "f1 f2 f3 g1 g2" {
		t.Fatalf("stages %s", got)
	}
	r.git("add", "f", "g")
	if !r.hasExtension("REUC") {
		t.Fatal("no REUC extension after resolving")
	}
	for range r.checkVersions() {
	}
}

func TestGitSkipWorktree(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "sha1")
	r.write("f", "f\n")
	r.write("g", "g\n")
	r.git("add", "-A")
	r.git("update-index", "--skip-worktree", "f")
	if err := r.readErr(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
	r.git("update-index", "--index-version", "4")
	if err := r.readErr(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("v4: got %v", err)
	}
}

// A sparse checkout marks the paths outside it skip-worktree; a sparse index
// also folds their folders into directory entries and adds "sdir".
func TestGitSparseCheckout(t *testing.T) {
	for _, sparseIndex := range []bool{false, true} {
		t.Run(fmt.Sprintf("sparse index %v", sparseIndex), func(t *testing.T) {
			t.Parallel()
			r := newRepo(t, "sha1")
			r.write("top", "t\n")
			r.write("dir/a", "a\n")
			r.write("other/b", "b\n")
			r.write("other/deep/c", "c\n")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "one")
			args := []string{"sparse-checkout", "init", "--cone"}
			if sparseIndex {
				args = append(args, "--sparse-index")
			}
			r.git(args...)
			r.git("sparse-checkout", "set", "dir")
			if sparseIndex && !r.hasExtension("sdir") {
				t.Fatal("no sdir extension")
			}
			if err := r.readErr(); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestGitSplitIndex(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "sha1")
	r.write("f", "f\n")
	r.git("add", "-A")
	r.git("update-index", "--split-index")
	if !r.hasExtension("link") {
		t.Fatal("no link extension")
	}
	if err := r.readErr(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
	// Now with a new entry and a replaced one in the split index.
	r.write("f", "changed\n")
	r.write("g", "g\n")
	r.git("add", "-A")
	if err := r.readErr(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
}

// Optional extensions are skipped: the untracked cache, the fsmonitor
// token, the end-of-entries and offset-table records of threaded reads.
func TestGitOptionalExtensions(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "sha1")
	r.write("f", "f\n")
	r.write("dir/g", "g\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "one")
	r.write("untracked", "u\n")

	r.git("update-index", "--untracked-cache")
	r.git("status", "--porcelain")
	if !r.hasExtension("UNTR") {
		t.Fatal("no UNTR extension")
	}
	r.check()

	// A hook that says everything may have changed.
	hook := filepath.Join(t.TempDir(), "fsmonitor")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nprintf 'token\\0/\\0'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("config", "core.fsmonitor", hook)
	r.git("config", "core.fsmonitorHookVersion", "2")
	r.git("update-index", "--fsmonitor")
	r.git("status", "--porcelain")
	if r.hasExtension("FSMN") {
		for range r.checkVersions() {
		}
	} else {
		t.Log("git wrote no FSMN extension")
	}

	r.git("-c", "index.threads=2", "-c", "index.recordEndOfIndexEntries=true", "-c", "index.recordOffsetTable=true",
		"update-index", "--index-version", "2")
	if !r.hasExtension("EOIE") || !r.hasExtension("IEOT") {
		t.Fatal("no EOIE or IEOT extension")
	}
	r.check()
}

// With index.skipHash (git 2.40 and later) the checksum is zero. An older
// git ignores the setting, so the checksum is zeroed by hand too; git
// reads such an index all the same.
func TestGitSkipHash(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "sha1")
	r.write("f", "f\n")
	r.git("add", "-A")
	r.git("-c", "index.skipHash=true", "update-index", "--index-version", "4")
	data := r.index()
	if !bytes.Equal(data[len(data)-r.hashSize:], make([]byte, r.hashSize)) {
		t.Log("this git ignores index.skipHash")
		clear(data[len(data)-r.hashSize:])
		if err := os.WriteFile(filepath.Join(r.dir, ".git", "index"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.check()
}
