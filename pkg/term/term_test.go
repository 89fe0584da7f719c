package term

import (
	"reflect"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"InventorySyncRun":     "Inventory|Sync|Run",
		"inventory_sync_run":   "inventory|sync|run",
		"inventory sync run":   "inventory|sync|run",
		"aB":                   "a|B",
		"2B":                   "2|B",
		"ABc":                  "A|Bc",
		"Oauth2Client":         "Oauth2|Client",
		"HTTPServer":           "HTTP|Server",
		"INVENTORY_SYNC_RUN":   "INVENTORY|SYNC|RUN",
		"a2b":                  "a2b",
		"  --x..y  ":           "x|y",
		"ÉtéÀ":                 "Été|À",
		"inventory-sync-runs.": "inventory|sync|runs",
		"":                     "",
	} {
		if got := strings.Join(Words(in), "|"); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOther(t *testing.T) {
	for in, want := range map[string]string{
		"runs": "run", "run": "runs", "entries": "entry", "entry": "entries", "day": "days",
		"classes": "class", "class": "classes", "boxes": "box", "box": "boxes", "buzzes": "buzz",
		"quizzes": "quizz", "matches": "match", "match": "matches", "wishes": "wish", "wish": "wishes",
		"status": "statuses", "analysis": "analysises", "bus": "buses", "oauth2": "oauth2s",
		"y": "ys", "ies": "y", "s": "", "es": "e",
	} {
		got, ok := Other(in)
		if got != want || ok != (want != "") {
			t.Errorf("Other(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
}

func TestSpellings(t *testing.T) {
	var got []string
	for _, s := range Spellings("InventorySyncRun") {
		got = append(got, Example(s))
	}
	want := []string{"inventorySyncRun", "inventorySyncRuns", "inventory_sync_run", "inventory_sync_runs",
		"inventory-sync-run", "inventory-sync-runs", "inventory.sync.run", "inventory.sync.runs",
		"inventory sync run", "inventory sync runs"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Spellings = %q, want %q", got, want)
	}
	if n := len(Spellings("runs")); n != 2 {
		t.Errorf("a one-word term has %d spellings, want 2", n)
	}
}

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"InventorySyncRun", "inventory sync runs", true},
		{"InventorySyncRun", "inventory_sync_run", true},
		{"run", "RUNS", true},
		{"InventorySyncRun", "InventorySync", false},
		{"status", "statuses", true},
		{"run", "runner", false},
	} {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ term, repl, text, want string }{
		{"InventorySyncRun", "OperationRun", "inventory-sync-runs", "operation-runs"},
		{"InventorySyncRun", "OperationRun", "inventorySyncRuns", "operationRuns"},
		{"InventorySyncRun", "OperationRun", "INVENTORY_SYNC_RUN", "OPERATION_RUN"},
		{"InventorySyncRun", "OperationRun", "Inventory sync runs", "Operation runs"},
		{"InventorySyncRun", "OperationRun", "inventory_sync_run", "operation_run"},
		{"InventorySyncRun", "OperationRun", "InventorySyncRun", "OperationRun"},
		{"InventorySyncRun", "OperationRun", "InventorySyncRuns", "OperationRuns"},
		{"InventorySyncRun", "OperationRun", "inventory.sync.run", "operation.run"},
		{"InventorySyncRun", "OperationRun", "Inventory Sync Run", "Operation Run"},
		{"InventorySyncRun", "OperationRun", "INVENTORYSYNCRUNS", "OPERATIONRUNS"},
		{"inventory sync runs", "operation runs", "inventory_sync_run", "operation_run"},
		{"run", "operation_run", "Runs", "Operation_runs"},
		{"run", "operation_run", "RUN", "OPERATION_RUN"},
		{"entry", "item", "Entries", "Items"},
		// A term and its replacement in different numbers: the match's
		// number wins, not the term's (the table as the term, the model
		// as the replacement).
		{"inventory_sync_runs", "OperationRun", "inventory_sync_runs", "operation_runs"},
		{"inventory_sync_runs", "OperationRun", "InventorySyncRun", "OperationRun"},
		{"inventory_sync_runs", "OperationRun", "inventorySyncRuns", "operationRuns"},
		{"InventorySyncRun", "operation_runs", "InventorySyncRun", "OperationRun"},
		{"InventorySyncRun", "operation_runs", "inventory-sync-runs", "operation-runs"},
		{"entry", "statuses", "ENTRIES", "STATUSES"},
	} {
		got, ok := Rewrite(c.term, c.repl, c.text)
		if !ok || got != c.want {
			t.Errorf("Rewrite(%q, %q, %q) = %q, %v, want %q", c.term, c.repl, c.text, got, ok, c.want)
		}
	}
	for _, text := range []string{"inventorysyncrun", "inventory_sync-run", "InventorySyncRunner", "inventory__sync_run"} {
		if got, ok := Rewrite("InventorySyncRun", "OperationRun", text); ok {
			t.Errorf("Rewrite of %q = %q, want no spelling", text, got)
		}
	}
}
