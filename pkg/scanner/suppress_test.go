package scanner

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func TestParseDirective(t *testing.T) {
	tests := []struct {
		text    string
		ok      bool
		file    bool
		rules   []string
		reason  string
		problem bool
	}{
		{"nolegacyruns:ignore a -- why", true, false, []string{"a"}, "why", false},
		{"nolegacyruns:ignore a,b-c -- why */", true, false, []string{"a", "b-c"}, "why", false},
		{"nolegacyruns:ignore a, b", true, false, []string{"a", "b"}, "", false},
		{"nolegacyruns:ignore-file a -- generated", true, true, []string{"a"}, "generated", false},
		{"nolegacyruns:ignore a LegacyRun -- text after the ids", true, false, []string{"a"}, "text after the ids", false},
		{"nolegacyruns:ignore a -->", true, false, []string{"a"}, "", false},
		{"nolegacyruns:ignore", true, false, nil, "", true},
		{"nolegacyruns:ignore -- no rule", true, false, nil, "no rule", true},
		{"nolegacyruns:ignored", false, false, nil, "", false},
		{"nolegacyruns:ignore-filex a", false, false, nil, "", false},
	}
	for _, tt := range tests {
		d, ok := parseDirective(tt.text)
		if ok != tt.ok {
			t.Errorf("%q: ok %v", tt.text, ok)
			continue
		}
		if !ok {
			continue
		}
		if d.file != tt.file || !reflect.DeepEqual(d.rules, tt.rules) || d.reason != tt.reason || (d.problem != "") != tt.problem {
			t.Errorf("%q: got file=%v rules=%q reason=%q problem=%q", tt.text, d.file, d.rules, d.reason, d.problem)
		}
	}
}

func TestOnlyPunctuation(t *testing.T) {
	for in, want := range map[string]bool{"  // ": true, "{{-- ": true, "<!-- ": true, "# ": true, "$x = 1; // ": false, "é": false} {
		if got := onlyPunctuation([]byte(in)); got != want {
			t.Errorf("%q: %v", in, got)
		}
	}
}

// FuzzDirective: parsing never panics, ids are well-formed, and a directive
// inside a scanned file never makes a token in its own text count.
func FuzzDirective(f *testing.F) {
	for _, s := range []string{"nolegacyruns:ignore a -- why", "nolegacyruns:ignore-file a,b -- x */",
		"nolegacyruns:ignore", "nolegacyruns:ignored", "nolegacyruns:ignore a -->", "nolegacyruns:ignore LegacyRun"} {
		f.Add(s)
	}
	e, _ := Compile(&rules.Set{Rules: []rules.Rule{{ID: "a", Tokens: []string{"LegacyRun"}}}})
	f.Fuzz(func(t *testing.T, text string) {
		d, ok := parseDirective(Directive + text)
		if ok {
			for _, id := range d.rules {
				if !ruleIDLike(id) {
					t.Fatalf("rule id %q", id)
				}
			}
			if d.problem == "" && len(d.rules) == 0 {
				t.Fatal("no rules and no problem")
			}
		}
		if !ok {
			return // not a directive: its text is ordinary text
		}
		line := "// " + Directive + strings.ReplaceAll(text, "\n", " ") + "\n"
		s := &scan{e: e}
		w := &worker{s: s, buf: make([]byte, 64<<10)}
		w.search("f", nil, strings.NewReader(line))
		for _, f := range w.findings {
			if f.Rule.ID == "a" && f.Suppression == nil {
				t.Fatalf("a token inside the directive counted: %+v", f)
			}
		}
	})
}
