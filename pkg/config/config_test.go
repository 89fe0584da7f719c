package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Every file in testdata/config/valid loads; every file in invalid fails with
// the exact error its first line names after "# want: ".
func TestConfigFiles(t *testing.T) {
	dir := "../../testdata/config"
	valid, _ := filepath.Glob(filepath.Join(dir, "valid", "*.yaml"))
	invalid, _ := filepath.Glob(filepath.Join(dir, "invalid", "*.yaml"))
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("no config fixtures")
	}
	for _, p := range valid {
		if _, err := Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range invalid {
		data, _ := os.ReadFile(p)
		first, _, _ := strings.Cut(string(data), "\n")
		want, ok := strings.CutPrefix(first, "# want: ")
		if !ok {
			t.Fatalf("%s: no # want: line", p)
		}
		rel, _ := filepath.Rel(dir, p)
		_, err := Parse(filepath.ToSlash(rel), data)
		if err == nil {
			t.Errorf("%s: loaded, want error %q", p, want)
		} else if err.Error() != want {
			t.Errorf("%s:\n got %q\nwant %q", p, err.Error(), want)
		}
	}
}

func TestFullConfig(t *testing.T) {
	c, err := Load("../../testdata/config/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rules.Rules[0]
	if !c.RequireReason || !c.RequireUntil || !c.Rules.RequireUntil || !r.Sealed || c.Baseline != ".nolegacyruns-baseline.json" || !r.IgnoreCase ||
		r.Match.String() != "word" || r.Severity.String() != "warning" || r.Fix["Foo"] != "Bar" || r.URL != "https://example.com/rules#a-1" ||
		strings.Join(r.Tokens, ",") != "Foo,404,true" {
		t.Fatalf("parsed %+v %+v", c, r)
	}
	if got := strings.Join(c.Rules.Include, ","); got != "src/**" {
		t.Fatalf("include %q", got)
	}
}

// Describe's output is itself a loadable rule file with the same rules.
func TestDescribeRoundTrip(t *testing.T) {
	c, err := Load("../../rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Rules.Rules[0].URL = "https://example.com/rules#x"
	text := Describe(&c.Rules)
	c2, err := Parse("described", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if c2.Rules.Rules[0].URL != "https://example.com/rules#x" {
		t.Errorf("url lost: %q", c2.Rules.Rules[0].URL)
	}
	if Describe(&c2.Rules) != text {
		t.Fatal("describe is not stable")
	}
}

func TestTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	f, _ := os.Create(p)
	f.Truncate(MaxSize + 10)
	f.Close()
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

// A YAML alias bomb is refused at once: aliases are not supported at all.
func TestAliasBomb(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
rules:
  - {id: a, message: m, tokens: *h}
`
	_, err := Parse("bomb.yaml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "anchors and aliases are not supported") {
		t.Fatalf("err = %v", err)
	}
}

// bigConfig is a rule file with rules rules of tokens tokens each.
func bigConfig(rules, tokens int) []byte {
	var b strings.Builder
	b.WriteString("rules:\n")
	for r := 0; r < rules; r++ {
		fmt.Fprintf(&b, "  - id: rule-%d\n    message: m\n    tokens: [", r)
		for t := 0; t < tokens; t++ {
			if t > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "Legacy%dToken%d", r, t)
		}
		b.WriteString("]\n")
	}
	return []byte(b.String())
}

func TestBigConfigsLoad(t *testing.T) {
	for _, c := range []struct{ rules, tokens int }{{10000, 1}, {1, 100000}} {
		cfg, err := Parse("big.yaml", bigConfig(c.rules, c.tokens))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := scanner.Compile(&cfg.Rules); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkBigConfigs measures loading and compiling 10,000 rules, and one
// rule of 100,000 tokens.
func BenchmarkBigConfigs(b *testing.B) {
	for _, c := range []struct{ rules, tokens int }{{10000, 1}, {1, 100000}} {
		data := bigConfig(c.rules, c.tokens)
		b.Run(fmt.Sprintf("rules=%d/tokens=%d", c.rules, c.tokens), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				cfg, err := Parse("big.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := scanner.Compile(&cfg.Rules); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// validID accepts what the regular expression it replaced accepts.
func FuzzValidID(f *testing.F) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	for _, s := range []string{"", "a", "-", "a-", "-a", "legacy-run-types", "A", "a_b", "0", "a\n", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validID(s), re.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, want %v", s, got, want)
		}
	})
}
