package cli

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shardRepo is a git repository with what a merge must put back together:
// findings of two severities, suppressed and baselined ones, stale
// baseline entries, binary files, symlinks, ignored and untracked files,
// and file names that are not UTF-8 or hold a line break.
func shardRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(p, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write(".nolegacyruns.yaml", "include: [app/**, lib/**]\nrules:\n"+
		"  - {id: legacy, message: legacy runs were replaced, hint: use OperationRun, tokens: [LegacyRun]}\n"+
		"  - {id: dotted, message: dotted types, severity: warning, match: word, tokens: [old.type]}\n")
	write(".gitignore", "*.log\n")
	rnd := rand.New(rand.NewSource(7))
	lines := []string{"nothing", "LegacyRun::first();", "$t = 'old.type';", "LegacyRun and old.type",
		"LegacyRun(); // nolegacyruns:ignore legacy -- kept on purpose"}
	for i := range 120 {
		var b strings.Builder
		for range rnd.Intn(7) {
			b.WriteString(lines[rnd.Intn(len(lines))] + "\n")
		}
		write(fmt.Sprintf("%s/f%03d.php", []string{"app", "app/Models", "lib", "lib/deep/er"}[i%4], i), b.String())
	}
	write("app/bin.dat", "LegacyRun\x00")
	write("app/x\xfe1.php", "LegacyRun\n")
	write("app/x\xff0.php", "LegacyRun\n")
	write("app/x\xef\xbf\xbd.php", "LegacyRun\n")
	write("app/new\nline.php", "old.type\n")
	write("app/skip.log", "LegacyRun\n")
	os.Symlink("f000.php", filepath.Join(dir, "app", "link.php"))
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	if code, _, stderr := run(t, dir, "--write-baseline", ".nolegacyruns-baseline.json"); code != 0 {
		t.Fatalf("write-baseline: %d %s", code, stderr)
	}
	// Since the baseline: some findings fixed (stale entries), some new.
	write("app/Models/f001.php", "fixed\n")
	write("lib/f002.php", "LegacyRun::again();\nold.type\n")
	write("lib/untracked.php", "LegacyRun\n")
	git("add", "-A")
	git("commit", "-q", "-m", "two")
	write("app/f004.php", "LegacyRun in the work tree\n")
	write("lib/staged.php", "LegacyRun staged\nold.type\n")
	write("app/Models/f005.php", "LegacyRun staged too\n")
	git("add", "lib/staged.php", "app/Models/f005.php")
	return dir
}

// The merge of a run's N shards is the run without --shard, byte for byte,
// with its exit status, for several N, both formats, whatever -j, in full,
// narrowed (a missing file: exit 2) and --diff runs.
func TestShardMergeEqualsWholeRun(t *testing.T) {
	dir := shardRepo(t)
	parts := t.TempDir()
	for _, sc := range []struct {
		name string
		args []string
	}{
		{"full", nil},
		{"prefix, no baseline", []string{"--no-baseline", "--path-prefix", "svc/api"}},
		{"named, one missing", []string{"--no-gitignore", "app/Models", "lib", "app/missing.php"}},
		{"staged", []string{"--staged"}},
		{"diff", []string{"--diff", "HEAD~1"}},
	} {
		for _, format := range []string{"json", "sarif"} {
			args := append([]string{"-q", "--format", format}, sc.args...)
			wantCode, want, stderr := run(t, dir, args...)
			if wantCode == 2 && want == "" {
				t.Fatalf("%s: the whole run failed: %s", sc.name, stderr)
			}
			if sc.name == "full" && (!strings.Contains(want, "stale") && format == "json" || !strings.Contains(want, "path_bytes") && format == "json") {
				t.Fatalf("the repository tests too little:\n%s", want)
			}
			for _, n := range []int{1, 2, 3, 5, 8} {
				var files []string
				for i := 1; i <= n; i++ {
					f := filepath.Join(parts, fmt.Sprintf("part%d.%s", i, format))
					files = append(files, f)
					code, _, stderr := run(t, dir, append(args, "--shard", fmt.Sprintf("%d/%d", i, n), "-j", fmt.Sprint(1+i%3),
						"--report", format+"="+f)...)
					if code == 2 && wantCode != 2 {
						t.Fatalf("%s, shard %d/%d: exit 2: %s", sc.name, i, n, stderr)
					}
				}
				// Any order of the files.
				for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
					files[i], files[j] = files[j], files[i]
				}
				code, got, stderr := run(t, dir, append([]string{"merge", "-q"}, files...)...)
				name := fmt.Sprintf("%s, %s, %d shards", sc.name, format, n)
				if code != wantCode {
					t.Errorf("%s: merge exits %d, the whole run %d: %s", name, code, wantCode, stderr)
				}
				if got != want {
					t.Errorf("%s: the merge differs from the whole run:\n%s", name, firstDiff(got, want))
				}
			}
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  got  %q\n  want %q", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// Merge refuses parts that are not one run's shards, each once.
func TestMergeRefuses(t *testing.T) {
	dir := shardRepo(t)
	p := func(name string, args ...string) string {
		f := filepath.Join(dir, name)
		run(t, dir, append([]string{"-q", "--report", strings.TrimPrefix(filepath.Ext(name), ".") + "=" + f}, args...)...)
		return f
	}
	j1, j2, j3 := p("a1.json", "--shard", "1/3"), p("a2.json", "--shard", "2/3"), p("a3.json", "--shard", "3/3")
	whole := p("w.json")
	s1 := p("s1.sarif", "--shard", "1/2")
	b2 := p("b2.json", "--shard", "2/4")
	r1 := p("r1.sarif", "--shard", "2/2", "--rule", "legacy")
	s2 := p("s2.sarif", "--shard", "2/2")
	os.WriteFile(filepath.Join(dir, "junk.json"), []byte(`{"x": 1}`), 0o644)
	os.WriteFile(filepath.Join(dir, "future.json"), bytes.Replace(mustRead(t, j3), []byte(`"version": 1,`), []byte(`"version": 1, "new_field": 2,`), 1), 0o644)
	for _, c := range []struct {
		files []string
		msg   string
	}{
		{nil, "merge: no report to merge"},
		{[]string{j1, j2}, "merge: shard 3 of 3 is missing"},
		{[]string{j1, j2, j2, j3}, "merge: " + j2 + " and " + j2 + " are both shard 2/3"},
		{[]string{j1, j2, j3, b2}, "merge: " + b2 + " is shard 2/4, but " + j1 + " is of 3 shards"},
		{[]string{j1, j2, j3, whole}, "merge: " + whole + " is not the report of a shard"},
		{[]string{j1, s1}, "merge: " + j1 + " is json and " + s1 + " is sarif"},
		{[]string{s1, r1}, "merge: " + s1 + " and " + r1 + " come from different rules or versions"},
		{[]string{filepath.Join(dir, "junk.json")}, "merge: " + filepath.Join(dir, "junk.json") + " is not a JSON or SARIF report of nolegacyruns"},
		{[]string{j1, j2, filepath.Join(dir, "future.json")}, `merge: ` + filepath.Join(dir, "future.json") + `: json: unknown field "new_field"`},
		{[]string{filepath.Join(dir, "nope.json")}, "merge: cannot read " + filepath.Join(dir, "nope.json") + ": no such file or directory"},
	} {
		code, out, stderr := run(t, dir, append([]string{"merge"}, c.files...)...)
		if code != 2 || out != "" || !strings.HasPrefix(stderr, "nolegacyruns: "+c.msg+"\nhint: ") {
			t.Errorf("merge %v: exit %d, stdout %q, stderr %q; want %q", c.files, code, out, stderr, c.msg)
		}
	}
	// The two SARIF shards do make one run.
	if code, _, stderr := run(t, dir, "merge", s1, s2); code != 1 || !strings.Contains(stderr, "nolegacyruns: merged 2 shards: ") {
		t.Errorf("merge: %d %s", code, stderr)
	}
}

func mustRead(t *testing.T, f string) []byte {
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
