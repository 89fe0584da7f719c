package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/history"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// sampleHistory is three commits: findings come, one comes back in a file
// with a hostile name from an author with a hostile name, then go.
func sampleHistory() *History {
	rs := []rules.Rule{*ruleErr, *ruleWarn}
	f := func(path string, line int, r *rules.Rule, match, text string) *result.Finding {
		return &result.Finding{Path: path, Line: line, Column: 3, EndColumn: 3 + len(match), Rule: r, Match: match, LineText: text}
	}
	counts := func(a, b int) map[string]int { return map[string]int{ruleErr.ID: a, ruleWarn.ID: b} }
	first := f("app/a.php", 2, ruleErr, "LegacyRun", "  $x = new LegacyRun();")
	back := f("app/we\nird <b>.php", 7, ruleErr, "LegacyRun", "\tLegacyRun::go(); // \x1b[31m")
	return &History{Tool: "nolegacyruns", Version: "v1.0.0", CommitURL: "https://github.com/acme/app/commit/",
		Result: &history.Result{
			Rules: rs,
			Commits: []history.Commit{
				{ID: strings.Repeat("a", 40), Date: "2026-01-05T09:00:00+00:00", Author: "Alice", Subject: "Import",
					Rules: rs, Counts: counts(1, 0), Suppressed: counts(0, 0), Added: []*result.Finding{first}},
				{ID: strings.Repeat("b", 40), Date: "2026-01-08T09:00:00+01:00", Author: "Bob <script>alert(1)</script>", Subject: "Bring it\x07 back & more",
					Rules: rs, Counts: counts(2, 0), Suppressed: counts(0, 1), Added: []*result.Finding{back}},
				{ID: strings.Repeat("c", 40), Date: "2026-01-11T09:00:00+00:00", Author: "Carol", Subject: "Clean up",
					Rules: rs, Counts: counts(0, 0), Suppressed: counts(0, 1)},
			},
			Folders: map[string]map[string]int{},
		}}
}

// TestHistoryGolden compares each --history format with
// testdata/golden/history-<format>.golden, for the sample and for no
// commits at all.
func TestHistoryGolden(t *testing.T) {
	for _, spec := range HistoryFormats() {
		f, ok := LookupHistory(spec.Name)
		if !ok {
			t.Fatalf("no history format %s", spec.Name)
		}
		for _, c := range []struct {
			suffix string
			h      *History
		}{{"", sampleHistory()}, {"-empty", &History{Tool: "nolegacyruns", Version: "v1.0.0", Result: &history.Result{}}}} {
			var got, again bytes.Buffer
			if err := f.Write(&got, c.h); err != nil {
				t.Fatal(err)
			}
			f.Write(&again, c.h)
			if !bytes.Equal(got.Bytes(), again.Bytes()) {
				t.Errorf("%s: output is not deterministic", spec.Name)
			}
			path := filepath.Join("..", "..", "testdata", "golden", "history-"+spec.Name+c.suffix+".golden")
			if *update {
				os.WriteFile(path, got.Bytes(), 0o644)
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./pkg/report -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("history %s%s differs from %s:\n%s", spec.Name, c.suffix, path, got.Bytes())
			}
		}
	}
}

// TestHistoryJSONShape decodes the JSON as the issue describes it.
func TestHistoryJSONShape(t *testing.T) {
	var b bytes.Buffer
	HistoryJSON{}.Write(&b, sampleHistory())
	var doc struct {
		Version int `json:"version"`
		Commits []struct {
			Commit     string         `json:"commit"`
			Date       string         `json:"date"`
			Author     string         `json:"author"`
			Subject    string         `json:"subject"`
			Counts     map[string]int `json:"counts"`
			Suppressed map[string]int `json:"suppressed"`
			Added      []jsonFinding  `json:"added"`
		} `json:"commits"`
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || len(doc.Commits) != 3 || doc.Commits[1].Added[0].Path != "app/we\nird <b>.php" ||
		doc.Commits[2].Added == nil || doc.Commits[0].Counts[ruleWarn.ID] != 0 {
		t.Errorf("unexpected document: %+v", doc)
	}
}

// TestHistoryHTMLEscapes: nothing from the repository becomes markup.
func TestHistoryHTMLEscapes(t *testing.T) {
	var b bytes.Buffer
	HistoryHTML{}.Write(&b, sampleHistory())
	page := b.String()
	for _, bad := range []string{"<script", "<b>.php", "\x1b", "\x07"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !strings.Contains(page, `<a href="https://github.com/acme/app/commit/`+strings.Repeat("b", 40)+`">`) {
		t.Error("no link to the commit")
	}
}

// TestHistoryJSONPathBytes: an added finding in a file whose name is not
// UTF-8 keeps the name's bytes, as in the scan JSON.
func TestHistoryJSONPathBytes(t *testing.T) {
	h := sampleHistory()
	h.Result.Commits[1].Added[0].Path = "app/\xff\xfe.php"
	var b bytes.Buffer
	if err := (HistoryJSON{}).Write(&b, h); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"path_bytes": "YXBwL//+LnBocA=="`) {
		t.Errorf("no path_bytes for a path that is not UTF-8:\n%s", b.String())
	}
}
