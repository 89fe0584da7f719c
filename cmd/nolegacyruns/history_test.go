package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// gitEnv is a git environment that no user or system config reaches.
func gitEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "NO_COLOR=")
}

// exampleHistory builds testdata/history/example.sh's repository and
// returns it with the binary that wrote its baselines.
func exampleHistory(t *testing.T) (repo, bin string) {
	t.Helper()
	for _, tool := range []string{"bash", "git", "iconv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	bin = binary(t)
	repo = filepath.Join(t.TempDir(), "repo")
	script, _ := filepath.Abs("../../testdata/history/example.sh")
	cmd := exec.Command("bash", script, repo)
	cmd.Env = append(gitEnv(t.TempDir()), "NOLEGACYRUNS="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("example.sh: %v\n%s", err, out)
	}
	return repo, bin
}

// run runs the binary in dir and returns stdout and stderr; exit 0 and 1
// are fine, anything else fails the test.
func run(t *testing.T, bin, dir string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && exitCode(err) != 1 {
		t.Fatalf("nolegacyruns %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

type historyDoc struct {
	Version int `json:"version"`
	Commits []struct {
		Commit     string         `json:"commit"`
		Date       string         `json:"date"`
		Author     string         `json:"author"`
		Subject    string         `json:"subject"`
		Counts     map[string]int `json:"counts"`
		Suppressed map[string]int `json:"suppressed"`
		Added      []jsonFinding  `json:"added"`
	} `json:"commits"`
}

type jsonFinding struct {
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Rule   string `json:"rule"`
	Match  string `json:"match"`
}

type scanDoc struct {
	Findings   []jsonFinding `json:"findings"`
	Suppressed []jsonFinding `json:"suppressed"`
}

func history(t *testing.T, bin, repo string, args ...string) historyDoc {
	t.Helper()
	out, _ := run(t, bin, repo, append([]string{"--history", "--format", "json"}, args...)...)
	var h historyDoc
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("--history --format json: %v\n%s", err, out)
	}
	return h
}

// TestHistoryEqualsPlainRuns checks --history against a plain run of every
// commit's checkout: renames, deletions, a binary file, a symlink, UTF-16,
// suppressions, a baseline recorded and pruned, the rule file tightened, a
// merge. With the current rule file, each checkout gets HEAD's rule file;
// with --rules-at-commit, its own. A window (--max-count) must agree with
// the whole history on the commits they share, "added" included.
func TestHistoryEqualsPlainRuns(t *testing.T) {
	repo, bin := exampleHistory(t)
	headRules, err := os.ReadFile(filepath.Join(repo, ".nolegacyruns.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "work")
	git(t, filepath.Dir(work), "clone", "-q", repo, work)

	for _, mode := range []struct {
		name string
		args []string // for both
		own  bool     // --rules-at-commit
	}{
		{"head rules", nil, false},
		{"rules at commit", []string{"--rules-at-commit"}, true},
		{"strict, one rule skipped", []string{"--strict", "--skip-rule", "legacy-run-types"}, false},
		{"no baseline", []string{"--no-baseline"}, false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			h := history(t, bin, repo, mode.args...)
			if h.Version != 1 || len(h.Commits) != 17 {
				t.Fatalf("version %d, %d commits; want 1 and 17 (first parent, merge included)", h.Version, len(h.Commits))
			}
			prev := map[string]int{}
			for _, c := range h.Commits {
				git(t, work, "checkout", "-q", "--detach", c.Commit)
				if !mode.own {
					os.WriteFile(filepath.Join(work, ".nolegacyruns.yaml"), headRules, 0o644)
				}
				plainArgs := []string{"--format", "json", "-q"}
				for _, a := range mode.args {
					if a != "--rules-at-commit" {
						plainArgs = append(plainArgs, a)
					}
				}
				out, _ := run(t, bin, work, plainArgs...)
				git(t, work, "checkout", "-q", "--", ".")
				var plain scanDoc
				if err := json.Unmarshal([]byte(out), &plain); err != nil {
					t.Fatal(err)
				}
				counts, suppressed := map[string]int{}, map[string]int{}
				at := map[string]bool{}
				for _, f := range plain.Findings {
					counts[f.Rule]++
					at[fmt.Sprintf("%s:%d:%d:%s", f.Path, f.Line, f.Column, f.Rule)] = true
				}
				for _, f := range plain.Suppressed {
					suppressed[f.Rule]++
				}
				for r, n := range counts {
					if _, ok := c.Counts[r]; !ok {
						t.Errorf("%.12s %q: rule %s (%d findings) missing from counts", c.Commit, c.Subject, r, n)
					}
				}
				for r := range c.Counts {
					if c.Counts[r] != counts[r] || c.Suppressed[r] != suppressed[r] {
						t.Errorf("%.12s %q: %s: history %d (%d suppressed), plain run %d (%d suppressed)",
							c.Commit, c.Subject, r, c.Counts[r], c.Suppressed[r], counts[r], suppressed[r])
					}
				}
				addedBy := map[string]int{}
				for _, f := range c.Added {
					addedBy[f.Rule]++
					if !at[fmt.Sprintf("%s:%d:%d:%s", f.Path, f.Line, f.Column, f.Rule)] {
						t.Errorf("%.12s: added %+v is not a finding of the plain run", c.Commit, f)
					}
				}
				for r, n := range c.Counts {
					if rise := n - prev[r]; rise > 0 && addedBy[r] < rise {
						t.Errorf("%.12s %q: %s rose by %d, %d added", c.Commit, c.Subject, r, rise, addedBy[r])
					}
					if n <= prev[r] && addedBy[r] > 0 {
						t.Errorf("%.12s %q: %s did not rise, yet %d added", c.Commit, c.Subject, r, addedBy[r])
					}
				}
				prev = c.Counts
			}

			w := history(t, bin, repo, append([]string{"--max-count", "6"}, mode.args...)...)
			if len(w.Commits) != 6 {
				t.Fatalf("--max-count 6: %d commits", len(w.Commits))
			}
			whole := h.Commits[len(h.Commits)-6:]
			for i, c := range w.Commits {
				a, _ := json.Marshal(c)
				b, _ := json.Marshal(whole[i])
				if string(a) != string(b) {
					t.Errorf("--max-count 6, commit %d:\n%s\nthe whole history has\n%s", i, a, b)
				}
			}
		})
	}
}

// TestHistoryMemo checks that each blob is searched once: the blobs the
// summary counts are the distinct (blob, rule scope) pairs in scope over
// all commits, worked out here from git ls-tree and the rule file's globs.
func TestHistoryMemo(t *testing.T) {
	repo, bin := exampleHistory(t)
	_, stderr := run(t, bin, repo, "--history", "--format", "json")
	m := regexp.MustCompile(`(\d+) blobs scanned`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no blob count in %q", stderr)
	}
	got, _ := strconv.Atoi(m[1])

	want := map[string]bool{}
	for _, id := range strings.Fields(git(t, repo, "rev-list", "--first-parent", "HEAD")) {
		for _, rec := range strings.Split(git(t, repo, "ls-tree", "-r", "-z", id), "\x00") {
			meta, p, ok := strings.Cut(rec, "\t")
			f := strings.Fields(meta)
			if !ok || (f[0] != "100644" && f[0] != "100755") || p == ".nolegacyruns.yaml" || p == ".nolegacyruns-baseline.json" {
				continue
			}
			in := false
			for _, g := range []string{"app/**", "database/**", "resources/**", "routes/**"} {
				in = in || match(g, p)
			}
			if !in || match("vendor/**", p) {
				continue
			}
			// legacy-run-types does not apply to migrations: another scope.
			want[fmt.Sprintf("%s %v", f[2], match("database/migrations/**", p))] = true
		}
	}
	if got != len(want) {
		t.Errorf("%d blobs scanned, %d distinct blobs in scope", got, len(want))
	}
}

func match(g, p string) bool {
	ok, _ := doublestar.Match(g, p)
	return ok || strings.HasSuffix(g, "/**") && path.Dir(p) == strings.TrimSuffix(g, "/**")
}

// SIGINT while --history reads the history is exit 130, not a git error.
func TestHistoryInterrupt(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	bin := t.TempDir()
	marker := filepath.Join(dir, "git-started")
	// A git that hangs once asked for the log.
	script := "#!/bin/sh\ncase \"$*\" in *' log '*) : > '" + marker + "'; exec sleep 600;; esac\nexec " + gitPath(t) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "--history")
	cmd.Dir = dir
	cmd.Env = append(gitEnv(dir), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	interruptOnce(t, cmd, marker)
}

func gitPath(t *testing.T) string {
	p, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	return p
}

// TestHistoryRenamesEqualPlainRuns: baseline entries follow the files
// renamed since the baseline last changed, in --history as in a plain run
// of each commit: renames over several commits and folders, odd names, a
// rename back, a new file at a renamed file's old path (whose findings a
// plain run reports only when it follows the renames, that is when some
// other finding is new), the baseline rewritten, a merge, and a window
// that starts after the baseline's last commit.
func TestHistoryRenamesEqualPlainRuns(t *testing.T) {
	bin := binary(t)
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	body := strings.Repeat("// filler\n", 12)
	write := func(name, s string) {
		p := filepath.Join(repo, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Skipf("file system refuses %q: %v", name, err)
		}
	}
	commit := func(msg string) { git(t, repo, "add", "-A"); git(t, repo, "commit", "-q", "--allow-empty", "-m", msg) }
	mv := func(from, to string) {
		os.MkdirAll(filepath.Dir(filepath.Join(repo, filepath.FromSlash(to))), 0o755)
		git(t, repo, "mv", from, to)
	}
	write(".nolegacyruns.yaml", "include: [app/**]\nrules:\n  - id: legacy\n    message: legacy code\n    tokens: [LegacyRun]\n")
	write("app/a.php", "<?php\n"+body+"LegacyRun::a();\n")
	write("app/b.php", "<?php\n"+body+"LegacyRun::b();\n")
	write("app/c.php", "<?php\n"+body+"LegacyRun::c();\n")
	run(t, bin, repo, "--write-baseline", ".nolegacyruns-baseline.json")
	commit("base")
	odd := "app/odd dir/new\nline \"q\" 'x'.php"
	mv("app/a.php", "app/moved.php")
	commit("move a")
	mv("app/moved.php", odd)
	mv("app/b.php", "lib/b.php") // out of the rules' scope
	commit("move a again, b out")
	write("app/a.php", "<?php\n"+body+"LegacyRun::a();\n") // a new file at a's old path
	commit("a new a")
	write("app/d.php", "<?php\nLegacyRun::d();\n") // new debt: renames are followed
	commit("new debt")
	os.Remove(filepath.Join(repo, "app/d.php"))
	mv("lib/b.php", "app/b.php") // back
	commit("drop d, b back")
	git(t, repo, "checkout", "-q", "-b", "side")
	mv("app/c.php", "app/side.php")
	commit("side: move c")
	git(t, repo, "checkout", "-q", "main")
	write("app/e.php", "<?php\nLegacyRun::e();\n")
	commit("new debt on main")
	git(t, repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
	run(t, bin, repo, "--update-baseline")
	commit("update the baseline")
	mv("app/side.php", "app/c.php")
	commit("c back")
	run(t, bin, repo, "--write-baseline", ".nolegacyruns-baseline.json")
	commit("write the baseline")
	mv("app/c.php", "lib/c.php")
	commit("c out")
	write("app/c.php", "<?php\n"+body+"LegacyRun::c();\n")
	commit("a new c, nothing else new") // its entries stay: renames are not followed

	work := filepath.Join(t.TempDir(), "work")
	git(t, filepath.Dir(work), "clone", "-q", repo, work)
	h := history(t, bin, repo)
	if len(h.Commits) != 13 {
		t.Fatalf("%d commits, want 13", len(h.Commits))
	}
	sawRenamed := false
	for _, c := range h.Commits {
		git(t, work, "checkout", "-q", "--detach", c.Commit)
		out, _ := run(t, bin, work, "--format", "json", "-q")
		var plain scanDoc
		if err := json.Unmarshal([]byte(out), &plain); err != nil {
			t.Fatal(err)
		}
		if c.Counts["legacy"] != len(plain.Findings) || c.Suppressed["legacy"] != len(plain.Suppressed) {
			t.Errorf("%.12s %q: history %d (%d suppressed), plain run %d (%d suppressed)",
				c.Commit, c.Subject, c.Counts["legacy"], c.Suppressed["legacy"], len(plain.Findings), len(plain.Suppressed))
		}
		if c.Subject == "move a again, b out" && len(plain.Findings) == 0 && len(plain.Suppressed) == 2 {
			sawRenamed = true
		}
		if c.Subject == "a new c, nothing else new" && len(plain.Findings) != 0 {
			t.Errorf("a new file at a renamed file's path, all debt recorded: %d findings", len(plain.Findings))
		}
	}
	if !sawRenamed {
		t.Error("the renamed file's debt was not followed")
	}
	for _, n := range []string{"3", "7"} {
		w := history(t, bin, repo, "--max-count", n)
		whole := h.Commits[len(h.Commits)-len(w.Commits):]
		for i, c := range w.Commits {
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(whole[i])
			if string(a) != string(b) {
				t.Errorf("--max-count %s, commit %d:\n%s\nthe whole history has\n%s", n, i, a, b)
			}
		}
	}
}
