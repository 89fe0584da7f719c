package history

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A blob over wholeMax is searched as it streams, with the same findings
// as a small one; a binary blob has none; -j makes no difference.
func TestRunBigAndBinaryBlobs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	line := strings.Repeat("x", 99) + "\n"
	big := strings.Repeat(line, (3<<20)/len(line)) + "LegacyRun at the end\n"
	os.WriteFile(filepath.Join(dir, "big.txt"), []byte("LegacyRun first\n"+big), 0o644)
	os.WriteFile(filepath.Join(dir, "small.txt"), []byte("LegacyRun\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bin.dat"), []byte("\x00LegacyRun"), 0o644)
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	os.WriteFile(filepath.Join(dir, "big.txt"), []byte(big), 0o644)
	git(t, dir, "commit", "-q", "-am", "two")

	eng, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "legacy", Message: "m", Tokens: []string{"LegacyRun"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Setup{Engine: eng, Rules: eng.Rules()}
	var runs [][]int
	for _, workers := range []int{1, 0} {
		res, err := Run(context.Background(), Options{Dir: dir, Workers: workers,
			Setup: func(Tree, func(string, int64) ([]byte, error)) (*Setup, error) { return s, nil }})
		if err != nil {
			t.Fatal(err)
		}
		var counts []int
		for _, c := range res.Commits {
			counts = append(counts, c.Counts["legacy"])
		}
		if res.BlobsScanned != 4 {
			t.Errorf("%d blobs searched, want 4", res.BlobsScanned)
		}
		runs = append(runs, counts)
	}
	if want := []int{3, 2}; !reflect.DeepEqual(runs[0], want) || !reflect.DeepEqual(runs[1], want) {
		t.Errorf("counts %v, want %v each time", runs, want)
	}
}

// No commits (a range with none): an empty result, no error.
func TestRunNoCommits(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	res, err := Run(context.Background(), Options{Dir: dir, Log: gitsrc.LogSpec{Revs: []string{"HEAD..HEAD"}},
		Setup: func(Tree, func(string, int64) ([]byte, error)) (*Setup, error) { return nil, nil }})
	if err != nil || len(res.Commits) != 0 {
		t.Errorf("%+v, %v", res, err)
	}
}
