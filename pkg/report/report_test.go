package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the actual output")

var (
	ruleErr = &rules.Rule{ID: "legacy-run-symbols", Message: "legacy run tables were replaced by operation_runs",
		Hint: "use OperationRun", Tokens: []string{"InventorySyncRun"}}
	ruleWarn = &rules.Rule{ID: "legacy-run-types", Message: "dotted run types, 100% gone", Severity: rules.SeverityWarning,
		Match: rules.Word, Tokens: []string{"inventory.sync"}}
)

// sample covers what formats must survive: a warning, a hint, non-ASCII
// before the match (UTF-16 columns), and hostile file names.
func sample() *Report {
	return &Report{
		Tool: "nolegacyruns", Version: "v1.0.0",
		Rules: []rules.Rule{*ruleErr, *ruleWarn},
		Findings: []*result.Finding{
			{Path: "app/Models/Item.php", Line: 3, Column: 12, EndColumn: 28, Rule: ruleErr, Match: "InventorySyncRun",
				LineText: "    return InventorySyncRun::query();", TextColumn: 1},
			{Path: "app/Models/Item.php", Line: 9, Column: 10, EndColumn: 26, Rule: ruleErr, Match: "InventorySyncRun",
				LineText: "// héllo InventorySyncRun", TextColumn: 1},
			{Path: "app/we,ird: 100%\nname.php", Line: 1, Column: 7, EndColumn: 21, Rule: ruleWarn, Match: "inventory.sync",
				LineText: "$t = 'inventory.sync';", TextColumn: 1},
			{Path: "app/\xffbad<&>.php", Line: 2, Column: 1, EndColumn: 17, Rule: ruleErr, Match: "InventorySyncRun",
				LineText: "InventorySyncRun \x01", TextColumn: 1},
			{Path: "database/migrations/1.php", Line: 4, Column: 22, EndColumn: 38, Rule: ruleErr, Match: "InventorySyncRun",
				LineText:   "Schema::dropIfExists(InventorySyncRun::TABLE); // nolegacyruns:ignore legacy-run-symbols -- the cut-over migration",
				TextColumn: 1, Suppression: &result.Suppression{Kind: "inSource", Justification: "the cut-over migration"}},
			{Path: "app/Old.php", Line: 7, Column: 1, EndColumn: 17, Rule: ruleErr, Match: "InventorySyncRun",
				LineText: "InventorySyncRun::first();", TextColumn: 1, Suppression: &result.Suppression{Kind: "external"}},
		},
		Stale:  2,
		Errors: []result.FileError{{Path: "app/locked.php", Err: errors.New("permission denied")}},
		Stats:  result.Stats{FilesScanned: 4},
	}
}

func render(t *testing.T, name string, r *Report) []byte {
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("no format %q", name)
	}
	var b bytes.Buffer
	if err := f.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGolden compares every format with testdata/golden/<format>.golden,
// for the sample and for an empty report.
func TestGolden(t *testing.T) {
	for _, spec := range Formats() {
		for _, c := range []struct {
			suffix string
			rep    *Report
		}{{"", sample()}, {"-empty", &Report{Tool: "nolegacyruns", Version: "v1.0.0", Rules: []rules.Rule{*ruleErr}}}} {
			got := render(t, spec.Name, c.rep)
			if again := render(t, spec.Name, c.rep); !bytes.Equal(got, again) {
				t.Errorf("%s: output is not deterministic", spec.Name)
			}
			path := filepath.Join("..", "..", "testdata", "golden", spec.Name+c.suffix+".golden")
			if *update {
				os.WriteFile(path, got, 0o644)
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./pkg/report -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s%s differs from %s:\n%s", spec.Name, c.suffix, path, got)
			}
		}
	}
}

// TestSARIFSchema validates SARIF output against the official 2.1.0 schema.
func TestSARIFSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Report{sample(), {Tool: "nolegacyruns", Rules: []rules.Rule{*ruleErr}}} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(render(t, "sarif", r)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Fatalf("SARIF does not validate: %v", err)
		}
	}
}

func TestSARIFContent(t *testing.T) {
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine, StartColumn, EndColumn int }
					}
				}
				PartialFingerprints map[string]string
			}
		}
	}
	if err := json.Unmarshal(render(t, "sarif", sample()), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	loc := res[1].Locations[0].PhysicalLocation
	// "// héllo " is 10 bytes but 9 UTF-16 code units.
	if loc.Region.StartColumn != 10-1 || loc.Region.EndColumn != 26-1 {
		t.Errorf("utf16 columns %+v", loc.Region)
	}
	if u := res[2].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != "app/we%2Cird%3A%20100%25%0Aname.php" {
		t.Errorf("uri %q", u)
	}
	if res[0].PartialFingerprints["nolegacyruns/v1"] == res[1].PartialFingerprints["nolegacyruns/v1"] {
		t.Error("different lines share a fingerprint")
	}
	if len(res) != 6 {
		t.Errorf("SARIF keeps suppressed results, marked; got %d results", len(res))
	}
}

// A finding's fingerprint does not change when lines move; a second copy of
// the same line gets its own.
func TestFingerprintsSurviveLineShifts(t *testing.T) {
	f := sample().Findings[0]
	m := *f
	moved := &m
	moved.Line += 40
	moved.LineText = "\t" + strings.TrimSpace(f.LineText) // re-indented too
	a, b := Fingerprints([]*result.Finding{f}), Fingerprints([]*result.Finding{moved})
	if a[0] != b[0] {
		t.Error("fingerprint depends on the line number or indentation")
	}
	two := Fingerprints([]*result.Finding{f, moved})
	if two[0] == two[1] {
		t.Error("duplicate lines share a fingerprint")
	}
}

func TestGitHubEscaping(t *testing.T) {
	out := string(render(t, "github", sample()))
	want := "::warning file=app/we%2Cird%3A 100%25%0Aname.php,line=1,col=7,endColumn=21,title=nolegacyruns legacy-run-types::dotted run types, 100%25 gone: \"inventory.sync\"\n"
	if !strings.Contains(out, want) {
		t.Errorf("missing escaped line %q in:\n%s", want, out)
	}
	if strings.Count(out, "\n") != 4 { // suppressed findings are not annotated
		t.Errorf("want one line per finding:\n%s", out)
	}
}

// The XML formats parse back, with the counts a CI server would show.
func TestXMLParsesBack(t *testing.T) {
	var cs struct {
		Files []struct {
			Errors []csError `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal(render(t, "checkstyle", sample()), &cs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range cs.Files {
		n += len(f.Errors)
	}
	if n != 4 || cs.Files[0].Errors[0].Line != 3 || cs.Files[0].Errors[0].Source != "nolegacyruns.legacy-run-symbols" {
		t.Errorf("checkstyle %+v", cs)
	}
	var ju struct {
		Suites []struct {
			Tests    int      `xml:"tests,attr"`
			Failures int      `xml:"failures,attr"`
			Errors   int      `xml:"errors,attr"`
			Cases    []juCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(render(t, "junit", sample()), &ju); err != nil {
		t.Fatal(err)
	}
	s := ju.Suites[0]
	if s.Tests != 5 || s.Failures != 3 || s.Errors != 1 || len(s.Cases) != 5 {
		t.Errorf("junit tests=%d failures=%d errors=%d cases=%d", s.Tests, s.Failures, s.Errors, len(s.Cases))
	}
	// Test names are the findings' identities: unique, and free of line numbers.
	seen := map[string]bool{}
	for _, c := range s.Cases {
		if seen[c.Name] || strings.Contains(c.Name, ":3:") {
			t.Errorf("junit name %q repeated or positional", c.Name)
		}
		seen[c.Name] = true
	}
}

func TestJSONParsesBack(t *testing.T) {
	var doc jsonDoc
	if err := json.Unmarshal(render(t, "json", sample()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 4 || doc.Summary.Errors != 3 || doc.Summary.Warnings != 1 || doc.Summary.ReadErrors != 1 ||
		len(doc.Suppressed) != 2 || doc.Summary.Suppressed != 1 || doc.Summary.Baselined != 1 || doc.Summary.StaleBaseline != 2 {
		t.Errorf("json %+v", doc.Summary)
	}
}

// A rule's url is its SARIF helpUri; without one there is none.
func TestSARIFHelpURI(t *testing.T) {
	r := sample()
	withURL := *ruleWarn
	withURL.URL = "https://example.com/rules#legacy"
	r.Rules = []rules.Rule{*ruleErr, withURL}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal(render(t, "sarif", r), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Tool.Driver.Rules
	if _, ok := rs[0]["helpUri"]; ok {
		t.Errorf("a rule without url has a helpUri: %v", rs[0])
	}
	if rs[1]["helpUri"] != "https://example.com/rules#legacy" {
		t.Errorf("helpUri: %v", rs[1])
	}
}

// Names is a constant: it lists Formats, in order.
func TestNamesAreTheFormats(t *testing.T) {
	var n, h []string
	for _, s := range Formats() {
		n = append(n, s.Name)
	}
	for _, s := range HistoryFormats() {
		h = append(h, s.Name)
	}
	if got, want := Names(), strings.Join(n, ", "); got != want {
		t.Errorf("Names() = %q, Formats say %q", got, want)
	}
	if got, want := HistoryNames(), strings.Join(h, ", "); got != want {
		t.Errorf("HistoryNames() = %q, HistoryFormats say %q", got, want)
	}
}
