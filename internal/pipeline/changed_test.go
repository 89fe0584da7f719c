package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// TestOnlyChangedByContent: a finding is new when its key occurs more often
// than at the merge base; occurrences on changed lines count as new first.
func TestOnlyChangedByContent(t *testing.T) {
	r := &rules.Rule{ID: "r"}
	f := func(path string, line int, text string) *result.Finding {
		return &result.Finding{Path: path, Line: line, Rule: r, Match: "Tok", LineText: text}
	}
	key := func(path, text string) string { return result.KeyOf("r", path, "Tok", text) }
	lines := gitsrc.Changed{"a": {{From: 5, To: 6}}, "b": {gitsrc.WholeFile()}}
	tests := []struct {
		name string
		now  []*result.Finding
		base map[string]int
		want []string
	}{
		{"moved and re-indented", []*result.Finding{f("a", 5, "    Tok();")}, map[string]int{key("a", "Tok();"): 1}, nil},
		{"copied: the copy on a changed line", []*result.Finding{f("a", 2, "Tok();"), f("a", 6, "Tok();")}, map[string]int{key("a", "Tok();"): 1}, []string{"a:6"}},
		{"new text", []*result.Finding{f("a", 5, "x = Tok;")}, map[string]int{key("a", "Tok();"): 1}, []string{"a:5"}},
		{"more than changed lines hold", []*result.Finding{f("a", 1, "Tok();"), f("a", 2, "Tok();")}, map[string]int{}, []string{"a:1", "a:2"}},
		{"unchanged file: nothing", []*result.Finding{f("c", 1, "Tok();")}, map[string]int{}, nil},
		{"a whole file, fewer than before", []*result.Finding{f("b", 1, "Tok")}, map[string]int{key("b", "Tok"): 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &Run{Findings: tt.now}
			if err := (OnlyChanged{Lines: lines, Base: tt.base}).Process(context.Background(), run); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range run.Findings {
				got = append(got, fmt.Sprintf("%s:%d", f.Path, f.Line))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOnlyChangedCounts: whatever the findings and changed lines, exactly
// as many findings of a key are new as it occurs more often than at the
// base, and each new one is a finding of a changed file.
func TestOnlyChangedCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := &rules.Rule{ID: "r"}
	for range 2000 {
		lines := gitsrc.Changed{}
		var now []*result.Finding
		count := map[string]int{}
		for i := range rng.IntN(20) {
			path := string(rune('a' + rng.IntN(3)))
			if rng.IntN(2) == 0 {
				lines[path] = append(lines[path], gitsrc.LineRange{From: i, To: i})
			}
			f := &result.Finding{Path: path, Line: i, Rule: r, Match: "T", LineText: string(rune('x' + rng.IntN(3)))}
			now = append(now, f)
			if _, ok := lines[path]; ok || rng.IntN(2) == 0 {
				count[result.Key(f)]++
			}
		}
		base := map[string]int{}
		for k, n := range count {
			base[k] = rng.IntN(n + 2)
		}
		run := &Run{Findings: append([]*result.Finding(nil), now...)}
		if err := (OnlyChanged{Lines: lines, Base: base}).Process(context.Background(), run); err != nil {
			t.Fatal(err)
		}
		got, want := map[string]int{}, map[string]int{}
		for _, f := range run.Findings {
			if _, ok := lines[f.Path]; !ok {
				t.Fatalf("new finding in an unchanged file: %+v", f)
			}
			got[result.Key(f)]++
		}
		for _, f := range now {
			if _, ok := lines[f.Path]; ok {
				want[result.Key(f)]++
			}
		}
		for k, n := range want {
			want[k] = max(0, n-base[k])
			if want[k] == 0 {
				delete(want, k)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("new %v, want %v", got, want)
		}
	}
}
