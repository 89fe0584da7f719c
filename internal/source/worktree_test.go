//go:build unix

// The in-process listing runs on unix only: on Windows gitrepo.Open leaves
// every repository to git (ownership is not a user id there).

package source

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// isolateGit keeps the user's and the system's git configuration out of a
// test, and returns the HOME both git and the in-process reader see.
func isolateGit(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "t")
	t.Setenv("GIT_COMMITTER_NAME", "t")
	t.Setenv("GIT_AUTHOR_EMAIL", "t@example.com")
	t.Setenv("GIT_COMMITTER_EMAIL", "t@example.com")
	return home
}

func runGit(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// gitList is the reference: git's own list of tracked and unignored files.
func gitList(t testing.TB, dir string) []string {
	t.Helper()
	cmd := exec.Command("git", "-c", "core.quotePath=false", "ls-files", "-z", "-c", "-o", "--exclude-standard")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v\n%s", err, stderr.String())
	}
	return sortedSet(strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"))
}

func sortedSet(s []string) []string {
	m := map[string]bool{}
	for _, x := range s {
		if x != "" {
			m[x] = true
		}
	}
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

// testEnv is the environment the in-process reader sees: HOME, what vars
// sets, and nothing else (the system config left out, as git's is).
func testEnv(home string, vars map[string]string) gitrepo.Env {
	return gitrepo.Env{Getenv: func(k string) string {
		if k == "HOME" {
			return home
		}
		return vars[k]
	}, Euid: os.Geteuid()}
}

func openWorktree(t testing.TB, top, home string) *Worktree {
	t.Helper()
	repo, err := gitrepo.Open(top, testEnv(home, nil))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorktree(top, repo, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// worktreeList is the in-process listing as git would print it: the index
// entries (every mode, a conflict once), and what a walk with the
// Worktree's choices takes: files and symlinks, and another repository as
// "dir/".
func worktreeList(t testing.TB, w *Worktree) []string {
	t.Helper()
	// Every index entry is listed: by the walk, or by Rest.
	var out []string
	for _, e := range w.entries {
		out = append(out, e.Path)
	}
	var walk func(parent scanner.Chooser, dir string)
	walk = func(parent scanner.Chooser, dir string) {
		ch, err := w.Enter(parent, dir, nil)
		if err != nil {
			t.Fatalf("enter %q: %v", dir, err)
		}
		if ch == nil {
			return
		}
		ents, err := os.ReadDir(filepath.Join(w.root, filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.Name() == ".git" {
				continue
			}
			p := path.Join(dir, e.Name())
			switch ch.Choose([]byte(e.Name()), e.Type()) {
			case scanner.Take:
				if e.IsDir() {
					walk(ch, p)
				} else {
					out = append(out, p)
				}
			case scanner.Skip:
				out = append(out, p+"/")
			}
		}
	}
	walk(nil, "")
	return sortedSet(out)
}

// names are the file and folder names the generator draws from: wildcards,
// escapes, leading '!' and '#', trailing spaces, dots, case variants.
var names = []string{"a", "b", "A", "ab", "a.php", "B.PHP", "x y", "[a]", "*", "?", "!n", "#h", ".d", "t ",
	"é", `b\c`, "a]", "-", "foo", "Foo", "bar", "log", "x.log", "vendor", "node_modules", "build"}

// pieces build patterns; they are joined with '/' and decorated.
var pieces = []string{"a", "b", "A", "*", "?", "**", "a*", "*.php", "*.log", "[a-c]", "[!a]", "[^b]", "[[:alpha:]]",
	"[[:upper:]]*", `\!n`, `\#h`, "!n", `x\ y`, "x y", "t ", `t\ `, `\*`, `[\]]`, "[a]", `\[a]`, "foo", "Foo",
	"bar", "vendor", "build", "é", "[]a]", "*[", "f*o", "?a", "***", "a**", ".d"}

func genPattern(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pieces[r.IntN(len(pieces))]
	}
	p := strings.Join(parts, "/")
	if r.IntN(5) == 0 {
		p = "/" + p
	}
	if r.IntN(4) == 0 {
		p += "/"
	}
	if r.IntN(5) == 0 {
		p = "!" + p
	}
	switch r.IntN(12) {
	case 0:
		p += "  "
	case 1:
		p = "# " + p
	case 2:
		p += "\r"
	}
	return p
}

func genIgnore(r *rand.Rand) []byte {
	var b bytes.Buffer
	for i := r.IntN(6); i >= 0; i-- {
		b.WriteString(genPattern(r))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// genRepo makes a random repository under dir: files and folders with odd
// names, .gitignore files (some of them ignored themselves), an exclude
// file, a user excludes file, a random part of the files tracked (some of
// them ignored), symlinks, a FIFO, a submodule entry, another repository.
func genRepo(t testing.TB, r *rand.Rand, dir, home string) {
	t.Helper()
	runGit(t, dir, nil, "init", "-q")
	var files, dirs []string
	dirs = append(dirs, "")
	for i := 0; i < 8+r.IntN(40); i++ {
		parent := dirs[r.IntN(len(dirs))]
		p := path.Join(parent, names[r.IntN(len(names))])
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if _, err := os.Lstat(abs); err == nil {
			continue
		}
		if r.IntN(3) == 0 {
			if err := os.Mkdir(abs, 0o755); err != nil {
				t.Fatal(err)
			}
			dirs = append(dirs, p)
			continue
		}
		if err := os.WriteFile(abs, []byte("tok "+p+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, d := range dirs {
		if r.IntN(2) == 0 {
			if err := os.WriteFile(filepath.Join(dir, d, ".gitignore"), genIgnore(r), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r.IntN(2) == 0 {
		if err := os.WriteFile(filepath.Join(dir, ".git", "info", "exclude"), genIgnore(r), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	switch r.IntN(3) {
	case 0: // the default user excludes file
		if err := os.MkdirAll(filepath.Join(home, ".config", "git"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, ".config", "git", "ignore"), genIgnore(r), 0o644); err != nil {
			t.Fatal(err)
		}
	case 1: // core.excludesFile
		f := filepath.Join(home, "excludes")
		if err := os.WriteFile(f, genIgnore(r), 0o644); err != nil {
			t.Fatal(err)
		}
		runGit(t, dir, nil, "config", "core.excludesFile", "~/excludes")
	}
	if r.IntN(3) == 0 {
		runGit(t, dir, nil, "config", "core.ignoreCase", "true")
	}
	if r.IntN(3) == 0 && len(dirs) > 1 {
		d := dirs[1+r.IntN(len(dirs)-1)]
		abs := filepath.Join(dir, filepath.FromSlash(d))
		if err := os.Symlink("..", filepath.Join(abs, "up")); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(abs, "fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r.IntN(3) == 0 {
		// Another repository, untracked, with a file of its own.
		n := filepath.Join(dir, filepath.FromSlash(dirs[r.IntN(len(dirs))]), "nested")
		if err := os.MkdirAll(n, 0o755); err == nil {
			runGit(t, n, nil, "init", "-q")
			os.WriteFile(filepath.Join(n, "inner.php"), []byte("tok\n"), 0o644)
		}
	}
	// Track a random part of the files, whatever the ignore rules say.
	var add []byte
	for _, f := range files {
		if r.IntN(2) == 0 {
			add = append(add, f...)
			add = append(add, 0)
		}
	}
	if r.IntN(3) == 0 {
		// A .gitignore tracked too.
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(dir, d, ".gitignore")); err == nil {
				add = append(add, path.Join(d, ".gitignore")...)
				add = append(add, 0)
				break
			}
		}
	}
	if len(add) > 0 {
		runGit(t, dir, add, "update-index", "--add", "-z", "--stdin")
		// A tracked file deleted, or replaced by a folder or a symlink.
		if tracked := strings.Split(strings.TrimSuffix(string(add), "\x00"), "\x00"); r.IntN(2) == 0 {
			f := filepath.Join(dir, filepath.FromSlash(tracked[r.IntN(len(tracked))]))
			os.Remove(f)
			switch r.IntN(3) {
			case 1:
				os.Mkdir(f, 0o755)
				os.WriteFile(filepath.Join(f, "inside.php"), []byte("tok\n"), 0o644)
			case 2:
				os.Symlink(".", f)
			}
		}
	}
	if r.IntN(3) == 0 {
		// A submodule's entry over a folder with files in it.
		sub := path.Join(dirs[r.IntN(len(dirs))], "sub")
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(sub)), 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, filepath.FromSlash(sub), "s.php"), []byte("tok\n"), 0o644)
			runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+","+sub)
		}
	}
	if r.IntN(4) == 0 {
		runGit(t, dir, nil, "update-index", "--index-version", fmt.Sprint(2+r.IntN(3)))
	}
}

// The in-process listing is git's, on random repositories.
func TestWorktreeMatchesGit(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 15
	}
	for seed := range n {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			checkSeed(t, uint64(seed))
		})
	}
}

func checkSeed(t testing.TB, seed uint64) {
	home := isolateGit(t)
	dir := t.TempDir()
	genRepo(t, rand.New(rand.NewPCG(seed, 87)), dir, home)
	want := gitList(t, dir)
	got := worktreeList(t, openWorktree(t, dir, home))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("seed %d: listing differs\n%s", seed, describe(dir, got, want))
	}
}

func describe(dir string, got, want []string) string {
	var b strings.Builder
	g, w := map[string]bool{}, map[string]bool{}
	for _, x := range got {
		g[x] = true
	}
	for _, x := range want {
		w[x] = true
	}
	for _, x := range want {
		if !g[x] {
			fmt.Fprintf(&b, "  missing %q\n", x)
		}
	}
	for _, x := range got {
		if !w[x] {
			fmt.Fprintf(&b, "  extra   %q\n", x)
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if d != nil && d.Name() == ".git" && d.IsDir() {
			if ex, err := os.ReadFile(filepath.Join(p, "info", "exclude")); err == nil && filepath.Dir(p) == dir {
				fmt.Fprintf(&b, "info/exclude:\n%s", ex)
			}
			return filepath.SkipDir
		}
		if d != nil && d.Name() == ".gitignore" && d.Type().IsRegular() {
			c, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s:\n%s", p, c)
		}
		return nil
	})
	return b.String()
}

// A scan through the in-process listing finds, counts and reports exactly
// what a scan through git's own listing does, on random repositories,
// narrowed or not, with any number of workers.
func TestWorktreeScanMatchesGitScan(t *testing.T) {
	n := 20
	if testing.Short() {
		n = 8
	}
	e, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "r", Message: "m", Tokens: []string{"tok"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range n {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			home := isolateGit(t)
			dir := t.TempDir()
			r := rand.New(rand.NewPCG(uint64(seed), 88))
			genRepo(t, r, dir, home)
			g := &Git{Root: dir}
			if r.IntN(2) == 0 {
				// Narrowed to a folder (as include globs do), maybe one
				// that is ignored or not there.
				all := append([]string{"nested", "sub", "up", "fifo"}, names...)
				d := all[r.IntN(len(all))]
				g.Pathspecs = []string{gitsrc.Literal(d)}
			}
			// Deeper pathspecs, one or two, side by side with the one
			// above, as include globs make them: the index read keeps only
			// the entries inside them and above them.
			if r2 := rand.New(rand.NewPCG(uint64(seed), 90)); r2.IntN(2) == 0 {
				var paths []string
				filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if d != nil && d.Name() == ".git" {
						return filepath.SkipDir
					}
					if rel, _ := filepath.Rel(dir, p); err == nil && rel != "." {
						paths = append(paths, filepath.ToSlash(rel))
					}
					return nil
				})
				for k := 1 + r2.IntN(2); k > 0 && len(paths) > 0; k-- {
					g.Pathspecs = append(g.Pathspecs, gitsrc.Literal(paths[r2.IntN(len(paths))]))
				}
			}
			repo, err := gitrepo.Open(dir, testEnv(home, nil))
			if err != nil {
				t.Fatal(err)
			}
			w, err := NewWorktree(dir, repo, g.SpecDirs(), g.Named)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			want, err := e.Scan(ctx, scanner.Options{Root: dir, Source: g, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, workers := range []int{1, 3, 16} {
				got, err := e.Scan(ctx, scanner.Options{Root: dir, Source: w, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(summary(got), summary(want)) {
					t.Fatalf("workers %d:\n got %v\nwant %v\n%s", workers, summary(got), summary(want), describe(dir, nil, nil))
				}
			}
		})
	}
}

// Listings narrowed to folders below folders that are more than folders:
// each as git lists it (the index read keeps only the entries of the
// folders listed and above them).
func TestWorktreeNarrowed(t *testing.T) {
	e, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "r", Message: "m", Tokens: []string{"tok"}}}})
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, dir, p string) {
		t.Helper()
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte("tok\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		specs []string
	}{
		{"another repository with tracked files elsewhere", func(t *testing.T, dir string) {
			// a/ has tracked files outside a/b, and a repository of its
			// own: git walks it all the same.
			write(t, dir, "a/c/tracked.php")
			runGit(t, dir, nil, "add", "a/c/tracked.php")
			write(t, dir, "a/b/untracked.php")
			runGit(t, filepath.Join(dir, "a"), nil, "init", "-q")
		}, []string{"a/b", "other"}},
		{"another repository without tracked files", func(t *testing.T, dir string) {
			write(t, dir, "a/b/untracked.php")
			write(t, dir, "x/tracked.php")
			runGit(t, dir, nil, "add", "x/tracked.php")
			runGit(t, filepath.Join(dir, "a"), nil, "init", "-q")
		}, []string{"a/b", "x"}},
		{"a submodule above", func(t *testing.T, dir string) {
			write(t, dir, "a/b/s.php")
			write(t, dir, "t.php")
			runGit(t, dir, nil, "add", "t.php")
			runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",a")
		}, []string{"a/b", "t.php"}},
		{"a tracked file named, beside a folder", func(t *testing.T, dir string) {
			write(t, dir, "d/e/f.php")
			write(t, dir, "d/e/g.php")
			write(t, dir, "d/h.php")
			runGit(t, dir, nil, "add", "d/e/f.php", "d/h.php")
			os.Remove(filepath.Join(dir, "d", "h.php"))
		}, []string{"d/e/f.php", "d/h.php", "d/e"}},
		{"ignored above, tracked below", func(t *testing.T, dir string) {
			write(t, dir, ".gitignore")
			os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/a/\n"), 0o644)
			write(t, dir, "a/b/tracked.php")
			write(t, dir, "a/b/untracked.php")
			write(t, dir, "a/c/tracked.php")
			runGit(t, dir, nil, "add", "-f", "a/b/tracked.php", "a/c/tracked.php")
		}, []string{"a/b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := isolateGit(t)
			dir := t.TempDir()
			runGit(t, dir, nil, "init", "-q")
			c.setup(t, dir)
			g := &Git{Root: dir}
			for _, s := range c.specs {
				g.Pathspecs = append(g.Pathspecs, gitsrc.Literal(s))
			}
			repo, err := gitrepo.Open(dir, testEnv(home, nil))
			if err != nil {
				t.Fatal(err)
			}
			w, err := NewWorktree(dir, repo, g.SpecDirs(), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameScan(t, e, dir, g, w)
		})
	}
}

// summary is what a report shows of a scan: each finding's place and the counts.
// sameScan fails unless a scan through src finds what one through ref
// finds, and ref finds something.
func sameScan(t *testing.T, e *scanner.Engine, root string, ref, src scanner.Source) {
	t.Helper()
	ctx := context.Background()
	want, err := e.Scan(ctx, scanner.Options{Root: root, Source: ref})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Scan(ctx, scanner.Options{Root: root, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(summary(got), summary(want)) {
		t.Fatalf("got %v\nwant %v", summary(got), summary(want))
	}
	if len(want.Findings) == 0 {
		t.Fatal("the case scans nothing: it tests nothing")
	}
}

func summary(r *scanner.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column))
	}
	for _, e := range r.Errors {
		out = append(out, fmt.Sprintf("error %s: %v", e.Path, e.Err))
	}
	return append(out, fmt.Sprintf("%+v", r.Stats))
}

// FuzzWorktree holds the in-process listing to git's with the fuzzer's own
// top-level .gitignore over a random repository.
func FuzzWorktree(f *testing.F) {
	f.Add(uint64(1), []byte("*.php\n!a.php\n"))
	f.Add(uint64(2), []byte("/[a-c]/**\n\\!n\n#h\nx\\ y \n"))
	f.Add(uint64(3), []byte("**/foo/\n!**/foo/bar\nb*/\n"))
	f.Add(uint64(4), []byte("[[:upper:]]*\r\n\xef\xbb\xbfa\n*[\n[!]-a]\n"))
	f.Add(uint64(5), []byte("a/**/b\n/*\n!/a\n"))
	f.Fuzz(func(t *testing.T, seed uint64, ignore []byte) {
		if len(ignore) > 4096 {
			return
		}
		home := isolateGit(t)
		dir := t.TempDir()
		genRepo(t, rand.New(rand.NewPCG(seed, 89)), dir, home)
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), ignore, 0o644); err != nil {
			t.Fatal(err)
		}
		want := gitList(t, dir)
		got := worktreeList(t, openWorktree(t, dir, home))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("listing differs\n%s", describe(dir, got, want))
		}
	})
}

// Repositories with more to them than random ones have: each is listed as
// git lists it, or handed to git (an error from Open or NewWorktree).
func TestWorktreeCases(t *testing.T) {
	write := func(t *testing.T, dir, p, s string) {
		t.Helper()
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := func(t *testing.T, dir string) {
		runGit(t, dir, nil, "init", "-q")
		write(t, dir, ".gitignore", "*.log\n/build/\n")
		write(t, dir, "app/a.php", "tok\n")
		write(t, dir, "app/b.php", "tok\n")
		write(t, dir, "app/x.log", "tok\n")
		write(t, dir, "build/out.php", "tok\n")
		write(t, dir, "new.php", "tok\n")
		runGit(t, dir, nil, "add", ".gitignore", "app/a.php", "app/b.php")
		runGit(t, dir, nil, "commit", "-qm", "one")
	}
	// withSubmodule makes dir/top with dir/lib as its submodule vendor/lib,
	// which has an untracked file of its own.
	withSubmodule := func(t *testing.T, dir string) {
		sub := filepath.Join(dir, "lib")
		os.Mkdir(sub, 0o755)
		base(t, sub)
		top := filepath.Join(dir, "top")
		os.Mkdir(top, 0o755)
		base(t, top)
		runGit(t, top, nil, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "vendor/lib")
		write(t, top, "vendor/lib/untracked.php", "tok\n")
	}
	for _, c := range []struct {
		name     string
		setup    func(t *testing.T, dir string) string // returns the folder to list from ("" dir)
		env      map[string]string
		fallback bool
	}{
		{name: "plain", setup: func(t *testing.T, dir string) string { base(t, dir); return "" }},
		{name: "index v4", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "update-index", "--index-version", "4")
			return ""
		}},
		{name: "sha256", setup: func(t *testing.T, dir string) string {
			runGit(t, dir, nil, "init", "-q", "--object-format=sha256")
			write(t, dir, "app/a.php", "tok\n")
			write(t, dir, "u.php", "tok\n")
			runGit(t, dir, nil, "add", "app/a.php")
			return ""
		}},
		{name: "no commit, no index", setup: func(t *testing.T, dir string) string {
			runGit(t, dir, nil, "init", "-q")
			write(t, dir, "u.php", "tok\n")
			return ""
		}},
		{name: "linked worktree", setup: func(t *testing.T, dir string) string {
			main := filepath.Join(dir, "main")
			os.Mkdir(main, 0o755)
			base(t, main)
			write(t, main, ".git/info/exclude", "new.php\n")
			runGit(t, main, nil, "worktree", "add", "-q", "../linked")
			write(t, filepath.Join(dir, "linked"), "new.php", "tok\n")
			write(t, filepath.Join(dir, "linked"), "other.php", "tok\n")
			return "linked"
		}},
		{name: "submodule", setup: func(t *testing.T, dir string) string {
			withSubmodule(t, dir)
			return "top"
		}},
		{name: "inside a submodule", setup: func(t *testing.T, dir string) string {
			withSubmodule(t, dir)
			return "top/vendor/lib"
		}},
		{name: "conflict", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "checkout", "-qb", "other")
			write(t, dir, "app/a.php", "other\n")
			runGit(t, dir, nil, "commit", "-qam", "other")
			runGit(t, dir, nil, "checkout", "-q", "-")
			write(t, dir, "app/a.php", "mine\n")
			runGit(t, dir, nil, "commit", "-qam", "mine")
			exec.Command("git", "-C", dir, "merge", "-q", "other").Run() // conflicts
			return ""
		}},
		{name: "intent to add", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "add", "-N", "new.php")
			return ""
		}},
		{name: "ignore case", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "config", "core.ignoreCase", "true")
			write(t, dir, "APP/X.LOG", "tok\n")
			write(t, dir, "App/A.php", "tok\n")
			write(t, dir, ".gitignore", "*.log\n/BUILD/\n")
			return ""
		}},
		{name: "tracked file in an ignored folder", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "add", "-f", "build/out.php")
			write(t, dir, "build/more.php", "tok\n")
			return ""
		}},
		{name: "untracked cache", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "-c", "core.untrackedCache=true", "update-index", "--untracked-cache")
			runGit(t, dir, nil, "-c", "core.untrackedCache=true", "status", "-s")
			return ""
		}},
		{name: "a subfolder as root", setup: func(t *testing.T, dir string) string {
			base(t, dir)
			write(t, dir, "app/.gitignore", "b.php\n!x.log\n")
			write(t, dir, "app/c.php", "tok\n")
			return "app"
		}},
		{name: "skip-worktree", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "update-index", "--skip-worktree", "app/a.php")
			return ""
		}},
		{name: "sparse index", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "sparse-checkout", "init", "--cone", "--sparse-index")
			runGit(t, dir, nil, "sparse-checkout", "set", "app")
			return ""
		}},
		{name: "split index", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "update-index", "--split-index")
			return ""
		}},
		{name: "config include", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "config", "include.path", "other")
			return ""
		}},
		{name: "relative excludes file", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "config", "core.excludesFile", "ignore-these")
			return ""
		}},
		{name: "work tree elsewhere", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "config", "core.worktree", filepath.Join(dir, "app"))
			return ""
		}},
		{name: "GIT_INDEX_FILE", fallback: true, env: map[string]string{"GIT_INDEX_FILE": "/elsewhere"},
			setup: func(t *testing.T, dir string) string { base(t, dir); return "" }},
		{name: "GIT_DIR", fallback: true, env: map[string]string{"GIT_DIR": "/elsewhere"},
			setup: func(t *testing.T, dir string) string { base(t, dir); return "" }},
		{name: "not a repository", fallback: true, setup: func(t *testing.T, dir string) string {
			os.Mkdir(filepath.Join(dir, ".git"), 0o755)
			return ""
		}},
		{name: "unknown extension", fallback: true, setup: func(t *testing.T, dir string) string {
			base(t, dir)
			runGit(t, dir, nil, "config", "core.repositoryformatversion", "1")
			runGit(t, dir, nil, "config", "extensions.somethingNew", "true")
			return ""
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := isolateGit(t)
			dir := t.TempDir()
			root := filepath.Join(dir, c.setup(t, dir))
			top, _ := gitsrc.FindTop(root)
			repo, err := gitrepo.Open(top, testEnv(home, c.env))
			var w *Worktree
			if err == nil {
				w, err = NewWorktree(root, repo, nil, nil)
			}
			if c.fallback {
				if err == nil {
					t.Fatal("listed in-process; want it handed to git")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "r", Message: "m", Tokens: []string{"tok"}}}})
			if err != nil {
				t.Fatal(err)
			}
			sameScan(t, e, root, &Git{Root: root}, w)
		})
	}
}

// Ignore files that are not regular files: git reads nothing of them (a
// folder, a device via core.excludesFile) and neither does the guard, which
// also never blocks on a FIFO (git would).
func TestIgnoreFilesThatAreNotFiles(t *testing.T) {
	home := isolateGit(t)
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q")
	os.MkdirAll(filepath.Join(dir, "a", ".gitignore"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "x.php"), []byte("tok\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "b", ".gitignore"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "b", "y.php"), []byte("tok\n"), 0o644)
	runGit(t, dir, nil, "config", "core.excludesFile", "/dev/zero")
	w := openWorktree(t, dir, home)
	got := worktreeList(t, w)
	want := []string{"a/x.php", "b/y.php"} // git lists no FIFO
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// git itself, without the FIFO it would block on.
	os.Remove(filepath.Join(dir, "b", ".gitignore"))
	if g := gitList(t, dir); !reflect.DeepEqual(g, []string{"a/x.php", "b/y.php"}) {
		t.Fatalf("git lists %q", g)
	}
}

// TestGlobalIgnoreFileUnreadable: info/exclude or core.excludesFile that git
// opens but cannot read whole (a folder, a file that reads shorter than its
// size) makes git die ("cannot use ... as an exclude file"), where a
// .gitignore in the work tree would be skipped. The in-process listing must
// not pass over it: it hands the repository to git.
func TestGlobalIgnoreFileUnreadable(t *testing.T) {
	home := isolateGit(t)
	for _, which := range []string{"info/exclude", "core.excludesFile"} {
		t.Run(strings.ReplaceAll(which, "/", "_"), func(t *testing.T) {
			dir := t.TempDir()
			runGit(t, dir, nil, "init", "-q")
			os.WriteFile(filepath.Join(dir, "x.php"), []byte("tok\n"), 0o644)
			folder := filepath.Join(dir, ".git", "info", "exclude")
			if which == "info/exclude" {
				os.Remove(folder)
			} else {
				folder = t.TempDir()
				runGit(t, dir, nil, "config", "core.excludesFile", folder)
			}
			if err := os.MkdirAll(folder, 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(folder, "f"), []byte("x.php\n"), 0o644)
			cmd := exec.Command("git", "ls-files", "-c", "-o", "--exclude-standard")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err == nil {
				// A folder's size is 0 on some file systems: git reads it as empty.
				t.Skipf("git lists the files with %s a folder: %s", which, out)
			}
			repo, err := gitrepo.Open(dir, testEnv(home, nil))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewWorktree(dir, repo, nil, nil); err == nil {
				t.Fatalf("with %s a folder, NewWorktree lists the files; git fails", which)
			}
		})
	}
}
