package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The action's run step, run as GitHub would (bash -e -o pipefail, the
// step's env with the inputs' defaults): by default it annotates, appends
// the job summary and writes SARIF; step-summary: false leaves the summary
// alone.
func TestActionDefaults(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	raw, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct{ Default string }
		Runs   struct {
			Steps []struct {
				ID  string
				Env map[string]string
				Run string
			}
		}
	}
	if err := yaml.Unmarshal(raw, &action); err != nil {
		t.Fatal(err)
	}
	var script string
	var stepEnv map[string]string
	for _, s := range action.Runs.Steps {
		if s.ID == "run" {
			script, stepEnv = s.Run, s.Env
		}
	}
	if script == "" {
		t.Fatal("action.yml has no step with id run")
	}

	for _, summary := range []string{"true", "false"} {
		work := t.TempDir()
		if err := os.CopyFS(filepath.Join(work, "example"), os.DirFS("../../testdata/example")); err != nil {
			t.Fatal(err)
		}
		tmp := t.TempDir()
		os.Mkdir(filepath.Join(tmp, "nolegacyruns-bin"), 0o755)
		exe, _ := os.Executable()
		if err := os.Symlink(exe, filepath.Join(tmp, "nolegacyruns-bin", "nolegacyruns")); err != nil {
			t.Skip("no symlinks:", err)
		}
		inputs := map[string]string{"root": "example", "diff-only": "false", "step-summary": summary}
		expr := regexp.MustCompile(`\$\{\{ *([a-z_.-]+) *\}\}`)
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "RUNNER_TEMP=" + tmp, "GITHUB_WORKSPACE=" + work,
			"GITHUB_OUTPUT=" + filepath.Join(tmp, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
			"GITHUB_SERVER_URL=https://github.com", "GITHUB_REPOSITORY=acme/app", "GITHUB_SHA=abc123"}
		for k, v := range stepEnv {
			v = expr.ReplaceAllStringFunc(v, func(m string) string {
				name := expr.FindStringSubmatch(m)[1]
				if in, ok := strings.CutPrefix(name, "inputs."); ok {
					if v, ok := inputs[in]; ok {
						return v
					}
					return action.Inputs[in].Default
				}
				return "" // github.base_ref: not a pull request
			})
			env = append(env, k+"="+v)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("step-summary %s: %v, %s", summary, err, out)
		}
		if !regexp.MustCompile(`(?m)^::error file=example/app/Models/InventoryItem\.php,line=`).Match(out) {
			t.Errorf("no annotation with the path from the workspace:\n%s", out)
		}
		if b, err := os.ReadFile(filepath.Join(work, "nolegacyruns.sarif")); err != nil || !strings.Contains(string(b), `"uri": "example/app/Models/InventoryItem.php"`) {
			t.Errorf("SARIF: %v", err)
		}
		if b, _ := os.ReadFile(filepath.Join(tmp, "output")); string(b) != "exit-code=1\n" {
			t.Errorf("outputs %q", b)
		}
		b, err := os.ReadFile(filepath.Join(tmp, "summary.md"))
		switch {
		case summary == "false" && err == nil:
			t.Errorf("step-summary false wrote the summary:\n%s", b)
		case summary == "true" && !strings.Contains(string(b), "](https://github.com/acme/app/blob/abc123/example/app/Models/InventoryItem.php#L"):
			t.Errorf("the summary has no linked finding: %v\n%s", err, b)
		}
	}
}
