package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if !c.RequireReason || c.Baseline != ".nolegacyruns-baseline.json" || !r.IgnoreCase ||
		r.Match.String() != "word" || r.Severity.String() != "warning" || r.Fix["Foo"] != "Bar" ||
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
	text := Describe(&c.Rules)
	c2, err := Parse("described", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
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
