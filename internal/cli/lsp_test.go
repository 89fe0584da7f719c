package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// The language server's setups of different folders under one rule file
// share its engine and baseline: a big baseline is held once.
func TestLSPLoaderShares(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		".nolegacyruns.yaml":          "rules:\n  - {id: x, message: m, tokens: [Foo]}\n",
		".nolegacyruns-baseline.json": `{"version": 1, "findings": []}`,
		"a/x.php":                     "", "b/c/y.php": "",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644)
	}
	l := newLSPLoader(Env{Dir: dir, Getenv: func(string) string { return "" }}, options{})
	load := func(sub string) (*scanner.Engine, *baseline.File) {
		t.Helper()
		d := filepath.Join(dir, sub)
		rf, err := l.Find(d)
		if err != nil || rf != filepath.Join(dir, ".nolegacyruns.yaml") {
			t.Fatalf("Find: %q %v", rf, err)
		}
		s, err := l.Load(d, rf, dir)
		if err != nil {
			t.Fatal(err)
		}
		if s.Root != dir || s.Baseline == nil {
			t.Fatalf("setup %+v", s)
		}
		return s.Engine, s.Baseline
	}
	e1, b1 := load("a")
	e2, b2 := load("b/c")
	if e1 != e2 || b1 != b2 {
		t.Error("two folders under one rule file load it twice")
	}
	os.WriteFile(filepath.Join(dir, ".nolegacyruns-baseline.json"), []byte(`{"version": 1, "findings": [] }`), 0o644)
	if _, b3 := load("a"); b3 == b1 {
		t.Error("a changed baseline was not loaded again")
	}
	l.Reload()
	if e4, _ := load("a"); e4 == e1 {
		t.Error("Reload kept the engine")
	}
}
