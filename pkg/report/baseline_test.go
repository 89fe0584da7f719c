package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// TestBaselineProgress: the baseline's counts per rule are in the JSON
// summary and the SARIF run's properties (which still validate), and
// absent without a baseline.
func TestBaselineProgress(t *testing.T) {
	r := sample()
	r.Baseline = []result.BaselineProgress{{Rule: "legacy-run-symbols", Baselined: 142, Fixed: 3}, {Rule: "b", Fixed: 1}}
	want := map[string]BaselineCounts{"legacy-run-symbols": {Baselined: 142, Fixed: 3}, "b": {Fixed: 1}}

	var doc struct {
		Summary struct {
			Baseline map[string]BaselineCounts `json:"baseline"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(render(t, "json", r), &doc); err != nil || !reflect.DeepEqual(doc.Summary.Baseline, want) {
		t.Fatalf("json: %+v %v", doc.Summary.Baseline, err)
	}

	out := render(t, "sarif", r)
	var log struct {
		Runs []struct {
			Properties struct {
				Baseline map[string]BaselineCounts `json:"nolegacyruns/baseline"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil || !reflect.DeepEqual(log.Runs[0].Properties.Baseline, want) {
		t.Fatalf("sarif: %+v %v", log, err)
	}
	sch, err := jsonschema.NewCompiler().Compile("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}

	r.Baseline = nil
	for _, f := range []string{"json", "sarif"} {
		if bytes.Contains(render(t, f, r), []byte(`"baseline": {`)) {
			t.Errorf("%s: baseline counts without a baseline", f)
		}
	}
}
