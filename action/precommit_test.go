//go:build unix

package action

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitSystemHook runs the nolegacyruns-system hook of
// .pre-commit-hooks.yaml with pre-commit itself (pre-commit try-repo), with
// a nolegacyruns built here on PATH: a staged legacy token fails the
// commit check, a clean file and a file outside the rule file's globs pass.
func TestPreCommitSystemHook(t *testing.T) {
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pre-commit is needed to test .pre-commit-hooks.yaml (.ci/run installs it)")
		}
		t.Skip("pre-commit not found: the pre-commit hooks are not tested")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "nolegacyruns"), "github.com/tenantatlas/nolegacyruns/cmd/nolegacyruns").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "cache"), "HOME="+tmp,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@localhost",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@localhost")
	run := func(dir string, args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	must := func(dir string, args ...string) {
		t.Helper()
		if out, err := run(dir, args...); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The hooks repository: this repository's hook file, committed.
	hooks := filepath.Join(tmp, "hooks")
	os.Mkdir(hooks, 0o755)
	b, err := os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(hooks, ".pre-commit-hooks.yaml"), b, 0o644)
	must(hooks, "git", "init", "-q")
	must(hooks, "git", "add", ".")
	must(hooks, "git", "commit", "-qm", "hooks")
	// A project with the default rules' scope (app/**, not vendor/**).
	proj := filepath.Join(tmp, "proj")
	for name, body := range map[string]string{
		"app/Models/Legacy.php": "<?php\nInventorySyncRun::first();\n",
		"app/Models/Clean.php":  "<?php\nOperationRun::first();\n",
		"vendor/x/Legacy.php":   "<?php\nInventorySyncRun::first();\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(proj, name)), 0o755)
		os.WriteFile(filepath.Join(proj, name), []byte(body), 0o644)
	}
	must(proj, "git", "init", "-q")
	must(proj, "git", "add", ".")
	for _, tt := range []struct {
		file string
		fail bool
	}{{"app/Models/Legacy.php", true}, {"app/Models/Clean.php", false}, {"vendor/x/Legacy.php", false}} {
		out, err := run(proj, "pre-commit", "try-repo", hooks, "nolegacyruns-system", "--files", tt.file)
		if (err != nil) != tt.fail {
			t.Errorf("%s: err %v, want failure %v\n%s", tt.file, err, tt.fail, out)
		}
		if tt.fail && !strings.Contains(out, "app/Models/Legacy.php:2:1: error: ") {
			t.Errorf("%s: the finding is not in the output:\n%s", tt.file, out)
		}
	}
}
