package scanner

import (
	"reflect"
	"testing"
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
