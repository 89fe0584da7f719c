package lsp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestCodeActions asks for the code actions at a document's first
// diagnostic, applies the one named as a client does (with its own
// position arithmetic), sends the new text, and checks the text and the
// diagnostics that follow.
func TestCodeActions(t *testing.T) {
	const fixTitle = `Replace "inventory.sync" with "inventory_sync" (dotted-type)`
	tests := []struct {
		name      string
		caps      string
		path      string
		lang      string
		text      string
		titles    []string // every action offered, in order
		pick      string
		wantText  string
		wantDiags []string
	}{{
		name:      "fix, UTF-16",
		path:      "app/a.php",
		text:      "<?php\n$t = 'é😀inventory.sync';\n",
		titles:    []string{fixTitle, "Suppress dotted-type on this line", "Fix all nolegacyruns findings with a fix in this file"},
		pick:      fixTitle,
		wantText:  "<?php\n$t = 'é😀inventory_sync';\n",
		wantDiags: []string{},
	}, {
		name:      "fix, UTF-8 and versioned edits",
		caps:      capsUTF8,
		path:      "app/a.php",
		text:      "<?php\n$t = 'é😀inventory.sync';\n",
		pick:      fixTitle,
		wantText:  "<?php\n$t = 'é😀inventory_sync';\n",
		wantDiags: []string{},
	}, {
		name:      "fix all",
		path:      "app/a.php",
		text:      "inventory.sync\n  x('inventory.sync', InventorySyncRun);\n",
		pick:      "Fix all nolegacyruns findings with a fix in this file",
		wantText:  "inventory_sync\n  x('inventory_sync', InventorySyncRun);\n",
		wantDiags: []string{"1:22-1:38 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:      "suppress in PHP, with the line's indentation",
		path:      "app/a.php",
		text:      "<?php\n\tif (1) {\n\t\t$x = InventorySyncRun::first();\n\t}\n",
		titles:    []string{"Suppress legacy-model on this line"},
		pick:      "Suppress legacy-model on this line",
		wantText:  "<?php\n\tif (1) {\n\t\t// nolegacyruns:ignore legacy-model -- TODO: say why\n\t\t$x = InventorySyncRun::first();\n\t}\n",
		wantDiags: []string{},
	}, {
		name:      "suppress with CRLF line ends",
		path:      "app/a.php",
		text:      "<?php\r\n$x = InventorySyncRun::first();\r\n",
		pick:      "Suppress legacy-model on this line",
		wantText:  "<?php\r\n// nolegacyruns:ignore legacy-model -- TODO: say why\r\n$x = InventorySyncRun::first();\r\n",
		wantDiags: []string{},
	}, {
		name:      "suppress on the first line",
		path:      "app/a.php",
		text:      "InventorySyncRun",
		pick:      "Suppress legacy-model on this line",
		wantText:  "// nolegacyruns:ignore legacy-model -- TODO: say why\nInventorySyncRun",
		wantDiags: []string{},
	}, {
		name:      "suppress in Blade",
		path:      "app/views/run.blade.php",
		lang:      "php",
		text:      "<div>\n  {{ $run->type === 'inventory.sync' }}\n</div>\n",
		pick:      "Suppress dotted-type on this line",
		wantText:  "<div>\n  {{-- nolegacyruns:ignore dotted-type -- TODO: say why --}}\n  {{ $run->type === 'inventory.sync' }}\n</div>\n",
		wantDiags: []string{},
	}, {
		name:      "suppress in HTML inside a PHP file",
		path:      "app/view.php",
		text:      "<?php $a = 1; ?>\n  <p><?= InventorySyncRun::first() ?></p>\n",
		pick:      "Suppress legacy-model on this line",
		wantText:  "<?php $a = 1; ?>\n  <!-- nolegacyruns:ignore legacy-model -- TODO: say why -->\n  <p><?= InventorySyncRun::first() ?></p>\n",
		wantDiags: []string{},
	}, {
		name:      "suppress in YAML",
		path:      "app/config.yaml",
		lang:      "yaml",
		text:      "types:\n  - inventory.sync\n",
		pick:      "Suppress dotted-type on this line",
		wantText:  "types:\n  # nolegacyruns:ignore dotted-type -- TODO: say why\n  - inventory.sync\n",
		wantDiags: []string{},
	}, {
		name:      "suppress in SQL",
		path:      "app/q.sql",
		lang:      "sql",
		text:      "select * from InventorySyncRun;\n",
		pick:      "Suppress legacy-model on this line",
		wantText:  "-- nolegacyruns:ignore legacy-model -- TODO: say why\nselect * from InventorySyncRun;\n",
		wantDiags: []string{},
	}, {
		name:      "suppress in HTML",
		path:      "app/p.html",
		lang:      "html",
		text:      "<p>InventorySyncRun</p>\n",
		pick:      "Suppress legacy-model on this line",
		wantText:  "<!-- nolegacyruns:ignore legacy-model -- TODO: say why -->\n<p>InventorySyncRun</p>\n",
		wantDiags: []string{},
	}, {
		name:      "suppress next to another rule's directive: the rule joins its list",
		path:      "app/a.php",
		text:      "<?php\n    // nolegacyruns:ignore dotted-type -- the map\n    $m = ['inventory.sync' => InventorySyncRun::class];\n",
		pick:      "Suppress legacy-model on this line",
		wantText:  "<?php\n    // nolegacyruns:ignore dotted-type, legacy-model -- the map\n    $m = ['inventory.sync' => InventorySyncRun::class];\n",
		wantDiags: []string{},
	}, {
		name:   "no suppression in JSON, which has no comments",
		path:   "app/a.json",
		lang:   "json",
		text:   `{"t": "InventorySyncRun"}`,
		titles: []string{},
	}, {
		name:      "remove an unused suppression alone on its line",
		path:      "app/a.php",
		text:      "<?php\n    // nolegacyruns:ignore dotted-type -- old\n$a = 1;\n",
		titles:    []string{"Remove the unused suppression of dotted-type"},
		pick:      "Remove the unused suppression of dotted-type",
		wantText:  "<?php\n$a = 1;\n",
		wantDiags: []string{},
	}, {
		name:      "remove an unused suppression after code",
		path:      "app/a.php",
		text:      "<?php\n$a = 1;  /* nolegacyruns:ignore dotted-type -- old */ $b = 2;\n",
		pick:      "Remove the unused suppression of dotted-type",
		wantText:  "<?php\n$a = 1; $b = 2;\n",
		wantDiags: []string{},
	}, {
		name:      "remove one unused rule of a directive",
		path:      "app/a.php",
		text:      "<?php\n// nolegacyruns:ignore dotted-type, legacy-model -- the map\n$m = InventorySyncRun::class;\n",
		pick:      "Remove the unused suppression of dotted-type",
		wantText:  "<?php\n// nolegacyruns:ignore legacy-model -- the map\n$m = InventorySyncRun::class;\n",
		wantDiags: []string{},
	}, {
		name:      "remove the last unused rule of a directive",
		path:      "app/a.php",
		text:      "<?php\n// nolegacyruns:ignore legacy-model,dotted-type -- the map\n$m = InventorySyncRun::class;\n",
		pick:      "Remove the unused suppression of dotted-type",
		wantText:  "<?php\n// nolegacyruns:ignore legacy-model -- the map\n$m = InventorySyncRun::class;\n",
		wantDiags: []string{},
	}, {
		name:      "remove an unused Blade suppression",
		path:      "app/v.blade.php",
		text:      "<div>\n  {{-- nolegacyruns:ignore-file dotted-type -- old --}}\n</div>\n",
		pick:      "Remove the unused suppression of dotted-type",
		wantText:  "<div>\n</div>\n",
		wantDiags: []string{},
	}, {
		name:   "no suppression of a suppression",
		path:   "app/a.php",
		text:   "<?php\n// nolegacyruns:ignore dotted-type -- old\n",
		titles: []string{"Remove the unused suppression of dotted-type"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, rulesFile)
			caps := tc.caps
			if caps == "" {
				caps = capsUTF16
			}
			c := initialize(t, dir, caps)
			lang := tc.lang
			if lang == "" {
				lang = "php"
			}
			c.open(tc.path, lang, tc.text)
			raw := c.rawDiagnostics(tc.path, 1)
			if len(raw) == 0 {
				t.Fatal("no diagnostics")
			}
			var d0 diag
			json.Unmarshal(raw[0], &d0)
			from, to := pos{d0.Range.Start.Line, d0.Range.Start.Character}, pos{d0.Range.End.Line, d0.Range.End.Character}
			as := c.codeActions(tc.path, from, to)
			var titles []string
			var picked *action
			for i, a := range as {
				titles = append(titles, a.Title)
				if a.Title == tc.pick {
					picked = &as[i]
				}
				if a.Kind == "quickfix" && (len(a.Diagnostics) != 1 || a.Diagnostics[0].Code != d0.Code) {
					t.Errorf("action %q does not name its diagnostic: %+v", a.Title, a.Diagnostics)
				}
			}
			if titles == nil {
				titles = []string{}
			}
			if tc.titles != nil && !reflect.DeepEqual(titles, tc.titles) {
				t.Errorf("actions %q, want %q", titles, tc.titles)
			}
			if tc.pick == "" {
				return
			}
			if picked == nil {
				t.Fatalf("no action %q among %q", tc.pick, titles)
			}
			u := uri(filepath.Join(dir, tc.path))
			if dc := picked.Edit.DocumentChanges; c.utf8 && (len(dc) != 1 || dc[0].TextDocument.Version == nil || *dc[0].TextDocument.Version != 1) {
				t.Errorf("a client that takes versioned edits gets edits of version 1: %+v", picked.Edit)
			}
			got := apply(tc.text, picked.edits(u), c.utf8)
			if got != tc.wantText {
				t.Errorf("text after %q:\n%q\nwant\n%q", tc.pick, got, tc.wantText)
			}
			c.change(tc.path, 2, map[string]any{"text": got})
			if diags := c.diagnostics(tc.path, 2); !reflect.DeepEqual(diags, tc.wantDiags) {
				t.Errorf("diagnostics after %q:\n%q\nwant\n%q", tc.pick, diags, tc.wantDiags)
			}
		})
	}
}

func TestCodeActionKinds(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	c.open("app/a.php", "php", "inventory.sync\n\ninventory.sync\n")
	c.diagnostics("app/a.php", 1)
	only := func(kinds ...string) []string {
		var as []action
		c.call("textDocument/codeAction", map[string]any{
			"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/a.php"))},
			"range":        map[string]any{"start": pos{0, 0}, "end": pos{0, 0}},
			"context":      map[string]any{"diagnostics": []any{}, "only": kinds},
		}, &as)
		var out []string
		for _, a := range as {
			out = append(out, a.Kind+" "+a.Title)
		}
		return out
	}
	if got := only("source.fixAll"); !reflect.DeepEqual(got, []string{"source.fixAll.nolegacyruns Fix all nolegacyruns findings with a fix in this file"}) {
		t.Errorf("only source.fixAll: %q", got)
	}
	if got := only("quickfix"); len(got) != 2 {
		t.Errorf("only quickfix, at the first finding: %q", got)
	}
	// Line 1 is empty: no quick fix there, only the whole file's.
	var as []action
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/a.php"))},
		"range":        map[string]any{"start": pos{1, 0}, "end": pos{1, 0}},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &as)
	if len(as) != 1 || as[0].Kind != "source.fixAll.nolegacyruns" || len(as[0].edits(uri(filepath.Join(dir, "app/a.php")))) != 2 {
		t.Errorf("actions on an empty line: %+v", as)
	}
	// An unknown document has none.
	var none []action
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/nope.php"))},
		"range":        map[string]any{"start": pos{0, 0}, "end": pos{0, 0}},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &none)
	if len(none) != 0 {
		t.Errorf("actions of a document not open: %+v", none)
	}
}

// TestNeverWrites runs a whole session, fixes and suppressions included,
// and checks that no file in the tree changed or appeared.
func TestNeverWrites(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile+"-- app/a.php --\n<?php\n$t = 'inventory.sync';\nInventorySyncRun\n")
	before := snapshot(t, dir)
	c := initialize(t, dir, capsUTF8)
	text := c.openFile("app/a.php", "php")
	c.diagnostics("app/a.php", 1)
	for _, a := range c.codeActions("app/a.php", pos{0, 0}, pos{9, 0}) {
		c.change("app/a.php", 2, map[string]any{"text": apply(text, a.edits(uri(filepath.Join(dir, "app/a.php"))), true)})
		c.diagnostics("app/a.php", 2)
	}
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/a.php"))}})
	c.watched(".nolegacyruns.yaml")
	c.diagnostics("app/a.php", -1)
	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("the tree changed:\n%v\n%v", before, after)
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		data := ""
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			data = string(b)
		}
		out[p] = fi.Mode().String() + " " + fi.ModTime().String() + " " + data
		return nil
	})
	return out
}

// TestFixAllOnSave: a request for the fix-all action only (VS Code's
// editor.codeActionsOnSave, over the whole document) does not check a
// suppression for every finding, a search of the document each, to throw
// them away.
func TestFixAllOnSave(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF8)
	const n = 5000
	c.open("app/a.php", "php", "<?php\n"+strings.Repeat("$a = InventorySyncRun::x(); $t = 'inventory.sync';\n", n))
	c.diagnostics("app/a.php", 1)
	start := time.Now()
	var out []action
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/a.php"))},
		"range":        map[string]any{"start": pos{0, 0}, "end": pos{n + 1, 0}},
		"context":      map[string]any{"diagnostics": []any{}, "only": []string{"source.fixAll"}},
	}, &out)
	took := time.Since(start)
	if len(out) != 1 || out[0].Kind != "source.fixAll.nolegacyruns" || len(out[0].edits(uri(filepath.Join(dir, "app/a.php")))) != n {
		t.Fatalf("actions %+v", out)
	}
	// Generous, for a loaded machine: without the suppressions it takes
	// milliseconds, with them tens of seconds.
	if took > 5*time.Second {
		t.Errorf("the fix-all action for %d findings took %v", n, took)
	}
}
