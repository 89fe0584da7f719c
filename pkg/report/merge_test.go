package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// halves splits the sample by path into shards 1/2 and 2/2 (by the order of
// its files, not the engine's hash: Merge only needs disjoint files).
func halves() (a, b *Report) {
	all := sample().Findings
	result.Sort(all)
	a, b = sample(), sample()
	a.Shard, b.Shard = Shard{1, 2}, Shard{2, 2}
	a.Findings, b.Findings = nil, nil
	for i, f := range all {
		if strings.HasPrefix(f.Path, "app/") && i%2 == 0 || f.Path == "app/Models/Item.php" {
			a.Findings = append(a.Findings, f)
		} else {
			b.Findings = append(b.Findings, f)
		}
	}
	b.Errors = nil
	a.Stats, b.Stats = result.Stats{FilesScanned: 3}, result.Stats{FilesScanned: 1}
	a.Stale, b.Stale = 1, 1
	return a, b
}

func TestMergeSample(t *testing.T) {
	a, b := halves()
	for _, format := range []string{"json", "sarif"} {
		w := sample()
		result.Sort(w.Findings) // as a run's are
		whole := render(t, format, w)
		var out bytes.Buffer
		m, err := Merge(&out, []Part{{"b", render(t, format, b)}, {"a", render(t, format, a)}})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), whole) {
			t.Errorf("%s: merged\n%s\nwant\n%s", format, out.Bytes(), whole)
		}
		if m.Errors != 3 || m.Warnings != 1 || m.Files != 3 || len(m.ReadErrors) != 1 || m.Parts != 2 {
			t.Errorf("%s: %+v", format, m)
		}
	}
}

// A shard's Markdown summary says which shard it is.
func TestMarkdownShard(t *testing.T) {
	a, _ := halves()
	if out := render(t, "markdown", a); !bytes.Contains(out, []byte(" · 3 files scanned in shard 1/2 · ")) {
		t.Errorf("no shard in\n%s", out)
	}
}

// Reports crafted to break the merge are refused, never a panic or a loop.
func TestMergeCrafted(t *testing.T) {
	a, b := halves()
	ja, jb := string(render(t, "json", a)), string(render(t, "json", b))
	sa := string(render(t, "sarif", a))
	for _, c := range []struct {
		name  string
		parts []string
		msg   string
	}{
		{"shard 0/0", []string{strings.Replace(ja, `"index": 1,
    "count": 2`, `"index": 0,
    "count": 0`, 1), jb}, "a: shard 0/0 does not exist"},
		{"a billion shards", []string{strings.Replace(ja, `"count": 2`, `"count": 1000000000`, 1)}, "999999999 of 1000000000 shards are missing"},
		{"a file in two shards", []string{ja, strings.Replace(jb, `"path": "database/migrations/1.php"`, `"path": "app/Models/Item.php"`, 1)}, "b both report app/Models/Item.php"},
		{"no location", []string{strings.Replace(sa, `"locations": [`, `"locations": [], "x": [`, 1)}, "unknown field"},
		{"empty locations", []string{strings.Replace(strings.Replace(sa, `"locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "app/Models/Item.php",`, `"locations": [], "y": [{"physicalLocation": {"artifactLocation": {"uri": "x",`, 1), `, "y"`, `, "locations"`, 0)}, ""},
		{"not JSON", []string{"{", jb}, "a is not a JSON or SARIF report of nolegacyruns"},
		{"a number too big", []string{strings.Replace(ja, `"files_scanned": 3`, `"files_scanned": 1e99`, 1), jb}, "cannot unmarshal"},
	} {
		var parts []Part
		for i, p := range c.parts {
			parts = append(parts, Part{string(rune('a' + i)), []byte(p)})
		}
		_, err := Merge(&bytes.Buffer{}, parts)
		var me *MergeError
		if !errors.As(err, &me) || !strings.Contains(me.Msg, c.msg) {
			t.Errorf("%s: %v, want a MergeError with %q", c.name, err, c.msg)
		}
	}
}

// Shards that ran other rules, or were written by another version, are
// refused in JSON as in SARIF, naming both reports; a whole run's report
// among shards is no shard.
func TestMergeDifferentRules(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Report)
		msg    string
	}{
		{"a rule's message", func(r *Report) { r.Rules[1].Message = "other" }, "a and b come from different rules or versions"},
		{"a rule's tokens", func(r *Report) { r.Rules[0].Tokens = []string{"Other"} }, "a and b come from different rules or versions"},
		{"a rule not run", func(r *Report) { r.Rules = r.Rules[:1] }, "a and b come from different rules or versions"},
		{"the version", func(r *Report) { r.Version = "v1.0.1" }, "a and b come from different rules or versions"},
		{"a whole run", func(r *Report) { r.Shard = Shard{} }, "b is not the report of a shard"},
	} {
		for _, format := range []string{"json", "sarif"} {
			a, b := halves()
			b.Rules = append([]rules.Rule(nil), b.Rules...)
			c.change(b)
			_, err := Merge(&bytes.Buffer{}, []Part{{"a", render(t, format, a)}, {"b", render(t, format, b)}})
			var me *MergeError
			if !errors.As(err, &me) || me.Msg != c.msg {
				t.Errorf("%s, %s: %v, want %q", c.name, format, err, c.msg)
			} else if c.name != "a whole run" && me.Hint != "merge the shards of one run, all with the same rule file and --rule flags" {
				t.Errorf("%s, %s: hint %q", c.name, format, me.Hint)
			}
		}
	}
}

// Whatever two parts hold, Merge does not panic, and what it writes is a
// whole run's report that merges to itself.
func FuzzMerge(f *testing.F) {
	a, b := halves()
	for _, format := range []string{"json", "sarif"} {
		f.Add([]byte(render(&testing.T{}, format, a)), []byte(render(&testing.T{}, format, b)))
	}
	f.Add([]byte(`{"version":1,"shard":{"index":1,"count":1},"findings":[{"path":"a","path_bytes":"/w=="}]}`), []byte(`{}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"results":[{"locations":[{}]}]}]}`), []byte(`{"runs":[]}`))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		for _, parts := range [][]Part{{{"x", x}}, {{"x", x}, {"y", y}}} {
			var out bytes.Buffer
			if _, err := Merge(&out, parts); err != nil {
				continue
			}
			var again bytes.Buffer
			if _, err := Merge(&again, []Part{{"out", out.Bytes()}}); err != nil {
				t.Fatalf("the merged report does not merge: %v\n%s", err, out.Bytes())
			}
			if !bytes.Equal(again.Bytes(), out.Bytes()) {
				t.Fatalf("merging a whole run's report changes it:\n%s\n%s", out.Bytes(), again.Bytes())
			}
		}
	})
}
