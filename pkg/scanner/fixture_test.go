package scanner_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

var update = flag.Bool("update", false, "rewrite the fixtures' want sections from the actual findings")

// TestFixtures runs each testdata/scan/*.txtar: a rules.yaml, a small tree,
// and the expected findings in a "want" file.
func TestFixtures(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/scan/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no fixtures")
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			var rules []byte
			wantIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "rules.yaml":
					rules = f.Data
				case "want":
					wantIdx = i
				default:
					name := filepath.Join(root, filepath.FromSlash(f.Name))
					os.MkdirAll(filepath.Dir(name), 0o755)
					if err := os.WriteFile(name, expand(f.Data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			cfg, err := config.Parse("rules.yaml", rules)
			if err != nil {
				t.Fatal(err)
			}
			e, err := scanner.Compile(&cfg.Rules)
			if err != nil {
				t.Fatal(err)
			}
			var outs []string
			for _, workers := range []int{1, 3} {
				res, err := e.Scan(context.Background(), scanner.Options{Root: root, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, render(res))
			}
			if outs[0] != outs[1] {
				t.Fatalf("output depends on workers:\n%s\nvs\n%s", outs[0], outs[1])
			}
			got := outs[0]
			if *update {
				if wantIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantIdx = len(ar.Files) - 1
				}
				ar.Files[wantIdx].Data = []byte(got)
				os.WriteFile(p, txtar.Format(ar), 0o644)
				return
			}
			if wantIdx < 0 {
				t.Fatal("no want section; run with -update")
			}
			if want := string(ar.Files[wantIdx].Data); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// repeatRE is how a fixture writes a long line: ${repeat:N:TEXT} is TEXT
// N times.
var repeatRE = regexp.MustCompile(`\$\{repeat:(\d+):([^}]*)\}`)

func expand(data []byte) []byte {
	return repeatRE.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := repeatRE.FindSubmatch(m)
		n, _ := strconv.Atoi(string(sub[1]))
		return bytes.Repeat(sub[2], n)
	})
}

func render(res *scanner.Result) string {
	var b bytes.Buffer
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "%s:%d:%d-%d: %s %q", f.Path, f.Line, f.Column, f.EndColumn, f.Rule.ID, f.Match)
		if f.Suppression != nil {
			b.WriteString(" suppressed")
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "scanned=%d binary=%d errors=%d\n", res.Stats.FilesScanned, res.Stats.FilesBinary, len(res.Errors))
	for _, e := range res.Errors {
		fmt.Fprintf(&b, "error: %s: %v\n", e.Path, e.Err)
	}
	return b.String()
}
