package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

var rule = &rules.Rule{ID: "r"}

func finding(path string, line int, text string) *result.Finding {
	return &result.Finding{Path: path, Line: line, Rule: rule, Match: "Tok", LineText: text}
}

func TestApply(t *testing.T) {
	b := New([]*result.Finding{finding("a", 3, "  Tok();"), finding("a", 9, "x = Tok;"), finding("b", 1, "Tok")})
	tests := []struct {
		name     string
		now      []*result.Finding
		reported int
		stale    int
	}{
		{"unchanged", []*result.Finding{finding("a", 3, "  Tok();"), finding("a", 9, "x = Tok;"), finding("b", 1, "Tok")}, 0, 0},
		{"lines moved and re-indented", []*result.Finding{finding("a", 30, "\tTok();"), finding("a", 90, "x = Tok;"), finding("b", 7, "Tok")}, 0, 0},
		{"a second copy is new", []*result.Finding{finding("a", 3, "Tok();"), finding("a", 4, "Tok();"), finding("a", 9, "x = Tok;"), finding("b", 1, "Tok")}, 1, 0},
		{"gone is stale", []*result.Finding{finding("a", 3, "Tok();")}, 0, 2},
		{"other file is new", []*result.Finding{finding("c", 3, "Tok();")}, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stale := b.Apply(tt.now, nil).Stale
			reported := 0
			for _, f := range tt.now {
				if f.Suppression == nil {
					reported++
				}
			}
			if reported != tt.reported || stale != tt.stale {
				t.Errorf("reported %d stale %d, want %d and %d", reported, stale, tt.reported, tt.stale)
			}
		})
	}
}

func TestWriteIsStableAndParses(t *testing.T) {
	fs := []*result.Finding{finding("b", 1, "Tok"), finding("a", 3, "Tok();"), finding("a", 4, "Tok();")}
	var one, two bytes.Buffer
	New(fs).Write(&one)
	New([]*result.Finding{fs[2], fs[0], fs[1]}).Write(&two)
	if one.String() != two.String() {
		t.Fatal("baseline depends on finding order")
	}
	want := Header + `
{"path":"a","rule":"r","match":"Tok","line":"Tok();"},
{"path":"a","rule":"r","match":"Tok","line":"Tok();"},
{"path":"b","rule":"r","match":"Tok","line":"Tok"},
` + Footer + "\n"
	if one.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", one.String(), want)
	}
	b, err := Parse("x.json", one.Bytes())
	if err != nil || len(b.Entries) != 3 || b.Count() != 3 || b.Entries[0].Path != "a" || b.Entries[1].Pos != 3 {
		t.Fatalf("parsed %+v err %v", b, err)
	}
	if !json.Valid(one.Bytes()) {
		t.Fatal("not valid JSON")
	}
}

// TestReadVersion1: the counted format reads, and writes back as version 2
// with one line per occurrence.
func TestReadVersion1(t *testing.T) {
	v1 := `{"version": 1, "findings": [
  {"rule": "r", "path": "b", "match": "Tok", "line": "Tok", "count": 1},
  {"rule": "r", "path": "a", "match": "Tok", "line": "Tok();", "count": 2}
]}`
	b, err := Parse("x.json", []byte(v1))
	if err != nil || b.Version != 1 || b.Count() != 3 {
		t.Fatalf("%+v %v", b, err)
	}
	var out bytes.Buffer
	b.Write(&out)
	var fresh bytes.Buffer
	New([]*result.Finding{finding("b", 1, "Tok"), finding("a", 3, "Tok();"), finding("a", 4, "  Tok();")}).Write(&fresh)
	if out.String() != fresh.String() {
		t.Fatalf("rewritten\n%s\nfresh\n%s", out.String(), fresh.String())
	}
}

// TestPruned: an update removes only what no longer occurs, keeps what
// keep protects, and never adds.
func TestPruned(t *testing.T) {
	b := New([]*result.Finding{finding("a", 3, "Tok();"), finding("a", 4, "Tok();"), finding("b", 1, "Tok"), finding("c", 1, "Tok")})
	now := []*result.Finding{finding("a", 3, "Tok();"), finding("b", 1, "Tok"), finding("b", 2, "Tok"), finding("d", 1, "Tok")}
	a := b.Apply(now, nil)
	if a.Stale != 2 || len(a.Rules) != 1 || a.Rules[0] != (Progress{Rule: "r", Baselined: 2, Fixed: 2}) {
		t.Fatalf("applied %+v", a)
	}
	var got []string
	for _, e := range b.Pruned(a, func(e Entry) bool { return e.Path == "c" }).Entries {
		got = append(got, fmt.Sprintf("%s %d", e.Path, e.Count))
	}
	if g := strings.Join(got, "|"); g != "a 1|b 1|c 1" {
		t.Fatalf("pruned %q", g)
	}
}

// TestRenamed: entries follow a renamed file.
func TestRenamed(t *testing.T) {
	b := New([]*result.Finding{finding("old", 3, "Tok();"), finding("b", 1, "Tok")})
	now := []*result.Finding{finding("new", 9, "Tok();"), finding("b", 1, "Tok")}
	if a := b.Renamed(map[string]string{"old": "new"}).Apply(now, nil); a.Stale != 0 || now[0].Suppression == nil {
		t.Fatalf("%+v", a)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"version": 3, "findings": []}`, "x.json: baseline version 3 is not supported"},
		{"{\"version\":2,\"findings\":[\n{\"path\":\"p\",\"rule\":\"r\",\"match\":\"m\",\"line\":\"l\",\"count\":2},\nnull]}", "version 2 repeats the line"},
		{"{\"version\":2,\"findings\":[\n<<<<<<< HEAD\n{\"path\":\"p\",\"rule\":\"r\",\"match\":\"m\",\"line\":\"l\"},\n=======\n>>>>>>> b\nnull]}", "x.json:2:1: the baseline holds git conflict markers"},
		{"{\"version\": 1,\n \"findings\": [{\"rule\": 3}]}", "x.json:2:"},
		{`{"version": 1, "findings": [{"rule":"r","path":"p","match":"m","line":"l","count":0}]}`, "count of at least 1"},
		{`{"version": 1} {}`, "text after the JSON document"},
		{`[`, "x.json:1:1: invalid baseline: unexpected EOF"},
		// Version 2 repeats a line per count: a count that no baseline of
		// MaxSize could hold would make a rewrite fill the memory and disk.
		{`{"version": 1, "findings": [{"rule":"r","path":"p","match":"m","line":"l","count":3000000000}]}`, "more findings than a baseline of 64 MiB can hold"},
		{`{"version": 1, "findings": [{"rule":"r","path":"p","match":"m","line":"l","count":1500000},{"rule":"r","path":"q","match":"m","line":"l","count":1500000}]}`, "more findings than a baseline of 64 MiB can hold"},
		{`{"version": 1, "findings": [{"rule":"r","path":"p","match":"m","line":"l","count":1},{"rule":"r","path":"q","match":"m","line":"l","count":9223372036854775807}]}`, "more findings than a baseline of 64 MiB can hold"},
	} {
		_, err := Parse("x.json", []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err %v, want %q", tt.in, err, tt.want)
		}
	}
}

// Save writes a symbolic link's target and keeps the link, and fits a
// 255-byte name; what it wrote loads back.
func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("b", 250) + ".json"
	link := filepath.Join(dir, "baseline.json")
	if err := os.Symlink(long, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	b := New([]*result.Finding{finding("a", 3, "Tok();")})
	if err := b.Save(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	got, err := Load(filepath.Join(dir, long))
	if err != nil || len(got.Entries) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestMergeKeep(t *testing.T) {
	other := &rules.Rule{ID: "o"}
	old := &File{Version: 1, Entries: []Entry{
		{Rule: "r", Path: "a", Match: "Tok", Line: "Tok", Count: 1},
		{Rule: "o", Path: "a", Match: "Tok", Line: "Tok", Count: 2},
		{Rule: "r", Path: "b", Match: "Tok", Line: "Tok", Count: 1},
	}}
	now := []*result.Finding{{Path: "a", Rule: rule, Match: "Tok", LineText: "x Tok"}, {Path: "b", Rule: other, Match: "Tok", LineText: "Tok"}}
	tests := []struct {
		name string
		keep func(Entry) bool
		want string
	}{
		{"nothing kept", func(Entry) bool { return false }, "a r x Tok 1|b o Tok 1"},
		{"a rule not run", func(e Entry) bool { return e.Rule == "o" }, "a o Tok 2|a r x Tok 1|b o Tok 1"},
		{"a file not covered", func(e Entry) bool { return e.Path == "b" }, "a r x Tok 1|b o Tok 1|b r Tok 1"},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range MergeKeep(old, now, tt.keep).Entries {
			got = append(got, fmt.Sprintf("%s %s %s %d", e.Path, e.Rule, e.Line, e.Count))
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, g, tt.want)
		}
	}
}

// A finding whose path, match or line is not UTF-8 (a Latin-1 source
// file, a file name in another encoding) is recorded as JSON can hold it,
// with U+FFFD for each invalid byte, and still matches that record: a
// baseline written from a run accepts that run's findings, and an update
// from it removes nothing.
func TestNotUTF8(t *testing.T) {
	fs := []*result.Finding{
		finding("app/latin1.php", 1, "$caf\xe9 = Tok::first();"),
		finding("app/n\xff.php", 1, "Tok::all();"),
		{Path: "app/c.php", Line: 2, Rule: rule, Match: "caf\xe9", LineText: "\xe9\xe9 caf\xe9"},
	}
	var buf bytes.Buffer
	if err := New(fs).Write(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := Parse("b.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// The path as it is, for the run's scope and shards.
	if !slices.ContainsFunc(b.Entries, func(e Entry) bool { return e.Path == "app/n\xff.php" }) {
		t.Errorf("entries %+v", b.Entries)
	}
	if !strings.Contains(buf.String(), `"path":"app/n\ufffd.php","path_bytes":"YXBwL27/LnBocA=="`) {
		t.Errorf("not written for people and with its bytes:\n%s", buf.String())
	}
	for _, in := range []*File{b, New(fs)} {
		now := []*result.Finding{}
		for _, f := range fs {
			c := *f
			now = append(now, &c)
		}
		a := in.Apply(now, nil)
		for _, f := range now {
			if !f.Baselined() {
				t.Errorf("%q: %q not in the baseline %q", f.Path, f.LineText, buf.String())
			}
		}
		if a.Stale != 0 {
			t.Errorf("%d stale", a.Stale)
		}
		if p := in.Pruned(a, nil); p.Count() != 3 {
			t.Errorf("an update keeps %d of 3", p.Count())
		}
	}
}
