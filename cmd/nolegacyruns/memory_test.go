//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A hostile pull request cannot take the runner down: one million findings
// (a 3 MiB file of a two-letter token) stay under 256 MiB of peak memory in
// every format, with exact counts. (Peak memory, not time, is asserted:
// the machine's load does not change it.)
func TestMillionFindingsMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a million findings: skipped with -short and under the race detector")
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "big.txt"), []byte(strings.Repeat("xy ", 1<<20)), 0o644)
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte("rules:\n  - {id: two, message: m, tokens: [xy]}\n"), 0o644)
	for _, format := range []string{"text", "json", "sarif", "checkstyle", "junit", "github", "gitlab", "markdown"} {
		// Output goes to a file: this process must stay small, since a
		// child's peak memory on Linux starts from its parent's at fork.
		out, err := os.Create(filepath.Join(dir, "out."+format))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary(t), "--no-gitignore", "-q", "--config", "rules.yaml", "--format", format)
		cmd.Dir, cmd.Stdout = dir, out
		summary := filepath.Join(dir, "summary.md")
		if format == "github" {
			// The job summary too, cut to GitHub's 1 MiB.
			cmd.Env = append(os.Environ(), "GITHUB_STEP_SUMMARY="+summary)
		}
		err = cmd.Run()
		out.Close()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%s: %v", format, err)
		}
		peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
		fi, _ := os.Stat(out.Name())
		t.Logf("%s: peak %d MiB, %d MiB out", format, peak>>20, fi.Size()>>20)
		if peak > 256<<20 {
			t.Errorf("%s: peak memory %d MiB, over 256 MiB", format, peak>>20)
		}
		if format == "json" {
			// The summary closes the document: its last 1 KiB.
			f, _ := os.Open(out.Name())
			tail := make([]byte, 1024)
			n, _ := f.ReadAt(tail, fi.Size()-1024)
			f.Close()
			if want := `"findings": 1048576,`; !strings.Contains(string(tail[:n]), want) {
				t.Errorf("json summary lacks %s:\n%s", want, tail[:n])
			}
		}
		if format == "github" {
			if fi, err := os.Stat(summary); err != nil {
				t.Error(err)
			} else if fi.Size() > 1<<20 || fi.Size() < 1<<19 {
				t.Errorf("job summary of %d bytes, not just under 1 MiB", fi.Size())
			}
		}
		os.Remove(out.Name())
	}
}
