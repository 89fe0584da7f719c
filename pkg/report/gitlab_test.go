package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// gitlabSchema is what GitLab's Code Quality documentation requires of each
// issue ("Code Quality report format": description, check_name,
// fingerprint, severity, location.path, location.lines.begin). GitLab
// publishes no JSON Schema for the report, so its required fields and
// severities are written down here.
const gitlabSchema = `{
  "type": "array",
  "items": {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
      "description": {"type": "string", "minLength": 1},
      "check_name": {"type": "string", "minLength": 1},
      "fingerprint": {"type": "string", "minLength": 1},
      "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
      "location": {
        "type": "object",
        "required": ["path", "lines"],
        "properties": {
          "path": {"type": "string", "minLength": 1},
          "lines": {
            "type": "object",
            "required": ["begin"],
            "properties": {"begin": {"type": "integer", "minimum": 1}}
          }
        }
      }
    }
  }
}`

func TestGitLabSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(gitlabSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("gitlab.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("gitlab.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Report{sample(), {Tool: "nolegacyruns", Rules: []rules.Rule{*ruleErr}}} {
		out := render(t, "gitlab", r)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("gitlab report does not validate: %v\n%s", err, out)
		}
	}
}

type glIssue struct {
	Description, Fingerprint, Severity string
	CheckName                          string `json:"check_name"`
	Location                           struct {
		Path  string
		Lines struct{ Begin int }
	}
}

func gitlabIssues(t *testing.T, r *Report) []glIssue {
	t.Helper()
	var is []glIssue
	if err := json.Unmarshal(render(t, "gitlab", r), &is); err != nil {
		t.Fatal(err)
	}
	return is
}

// The issues are the reported findings, with GitLab's severities; the
// fingerprints are unique, are SARIF's, and do not change when lines are
// inserted above a finding.
func TestGitLabContent(t *testing.T) {
	r := sample()
	is := gitlabIssues(t, r)
	if len(is) != 4 {
		t.Fatalf("want the 4 reported findings, got %d", len(is))
	}
	if is[0].Severity != "major" || is[2].Severity != "minor" || is[0].CheckName != "legacy-run-symbols" ||
		is[0].Location.Path != "app/Models/Item.php" || is[0].Location.Lines.Begin != 3 {
		t.Errorf("first issues %+v %+v", is[0], is[2])
	}
	fps := Fingerprints(r.Findings)
	seen := map[string]bool{}
	for i, is := range is {
		if seen[is.Fingerprint] {
			t.Errorf("fingerprint %s repeated", is.Fingerprint)
		}
		seen[is.Fingerprint] = true
		if is.Fingerprint != fps[i] { // the first four findings are the reported ones
			t.Errorf("issue %d: fingerprint %s, SARIF's %s", i, is.Fingerprint, fps[i])
		}
	}

	moved := sample()
	for _, f := range moved.Findings {
		if f.Path == "app/Models/Item.php" {
			f.Line += 7 // seven lines inserted at the top of the file
		}
	}
	again := gitlabIssues(t, moved)
	for i := range is {
		if again[i].Fingerprint != is[i].Fingerprint {
			t.Errorf("issue %d: fingerprint changed with the line number", i)
		}
	}
	if again[0].Location.Lines.Begin != 10 {
		t.Errorf("line %d", again[0].Location.Lines.Begin)
	}
}

// writeJSONArray writes what encoding/json's MarshalIndent would.
func TestWriteJSONArray(t *testing.T) {
	for _, items := range [][]any{nil, {1}, {"a<&>", map[string]any{"x": []int{1, 2}, "y": map[string]int{}}}} {
		var b bytes.Buffer
		seq := func(yield func(any) bool) {
			for _, v := range items {
				if !yield(v) {
					return
				}
			}
		}
		if err := writeJSONArray(&b, seq); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if items == nil {
			items = []any{}
		}
		enc.Encode(items)
		if b.String() != want.String() {
			t.Errorf("got\n%s\nwant\n%s", b.String(), want.String())
		}
	}
}
