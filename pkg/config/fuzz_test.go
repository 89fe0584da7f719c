package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// FuzzParse: any rule file either loads into a rule set that compiles, or
// fails with an *Error that names the file; it never panics.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "config", dir, "*.yaml"))
		for _, p := range paths {
			data, _ := os.ReadFile(p)
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nrules: *a"))
	f.Add([]byte("rules:\n  - {id: a, message: m, tokens: [\"\\u0000\"]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error %T %q does not name the file", err, err)
			}
			return
		}
		if len(c.Rules.Rules) == 0 {
			t.Fatal("loaded with no rules")
		}
		if _, err := scanner.Compile(&c.Rules); err != nil {
			t.Fatalf("loaded but does not compile: %v", err)
		}
		if Describe(&c.Rules) == "" {
			t.Fatal("empty description")
		}
	})
}
