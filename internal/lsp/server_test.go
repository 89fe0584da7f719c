package lsp_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const rulesFile = `-- .nolegacyruns.yaml --
include: [app/**]
exclude: [app/vendor/**]
rules:
  - id: legacy-model
    message: legacy models were replaced by OperationRun
    hint: use OperationRun
    tokens: [InventorySyncRun]
  - id: dotted-type
    message: dotted run types were replaced
    severity: warning
    match: word
    tokens: [inventory.sync]
    fix: {inventory.sync: inventory_sync}
`

// Client capabilities: the protocol's defaults (UTF-16, plain edits), and
// a client that offers UTF-8 and takes versioned edits.
const (
	capsUTF16 = `{}`
	capsUTF8  = `{"general":{"positionEncodings":["utf-16","utf-8"]},"workspace":{"workspaceEdit":{"documentChanges":true}}}`
)

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name  string
		files string
		args  []string
		caps  string
		path  string
		text  string // "": the file's contents on disk
		lang  string
		want  []string
	}{{
		name:  "finding with hint and severity",
		files: rulesFile + "-- app/a.php --\n<?php\n$x = InventorySyncRun::first();\n",
		path:  "app/a.php",
		want:  []string{"1:5-1:21 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "warning, UTF-16 columns by default",
		files: rulesFile,
		path:  "app/b.php",
		text:  "<?php\n$t = 'é😀inventory.sync';\n",
		want:  []string{"1:9-1:23 warning dotted-type dotted run types were replaced: \"inventory.sync\" (dotted-type)"},
	}, {
		name:  "UTF-8 columns when offered",
		files: rulesFile,
		caps:  capsUTF8,
		path:  "app/b.php",
		text:  "<?php\n$t = 'é😀inventory.sync';\n",
		want:  []string{"1:12-1:26 warning dotted-type dotted run types were replaced: \"inventory.sync\" (dotted-type)"},
	}, {
		name:  "lines end at CR too, as the protocol counts them",
		files: rulesFile,
		path:  "app/cr.php",
		text:  "<?php\r$a = 1;\r\n$x = InventorySyncRun::first();\n",
		want:  []string{"2:5-2:21 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "the editor's text, not the saved file",
		files: rulesFile + "-- app/a.php --\n<?php\n",
		path:  "app/a.php",
		text:  "<?php InventorySyncRun\n",
		want:  []string{"0:6-0:22 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "a new file not saved yet",
		files: rulesFile,
		path:  "app/new.php",
		text:  "InventorySyncRun",
		want:  []string{"0:0-0:16 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "a hostile file name",
		files: rulesFile,
		path:  "app/we ird:%#?\n\"ünï😀.php",
		text:  "InventorySyncRun",
		want:  []string{"0:0-0:16 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "out of scope: excluded",
		files: rulesFile + "-- app/vendor/a.php --\nInventorySyncRun\n",
		path:  "app/vendor/a.php",
		want:  []string{},
	}, {
		name:  "out of scope: not included",
		files: rulesFile + "-- lib/a.php --\nInventorySyncRun\n",
		path:  "lib/a.php",
		want:  []string{},
	}, {
		name:  "out of scope: outside the root of --config",
		files: "-- sub/rules.yaml --\nrules:\n  - {id: x, message: m, tokens: [InventorySyncRun]}\n-- other/a.php --\nInventorySyncRun\n",
		args:  []string{"--config", "sub/rules.yaml"},
		path:  "other/a.php",
		want:  []string{},
	}, {
		name:  "--config applies everywhere below its folder",
		files: "-- sub/rules.yaml --\nrules:\n  - {id: x, message: m, tokens: [InventorySyncRun]}\n-- sub/deep/a.php --\nInventorySyncRun\n",
		args:  []string{"--config", "sub/rules.yaml"},
		path:  "sub/deep/a.php",
		want:  []string{"0:0-0:16 error x m: \"InventorySyncRun\" (x)"},
	}, {
		name:  "the rule file itself is never searched",
		files: "-- .nolegacyruns.yaml --\nrules:\n  - {id: x, message: m, tokens: [InventorySyncRun]}\n",
		path:  ".nolegacyruns.yaml",
		want:  []string{},
	}, {
		name:  "a suppression silences its line",
		files: rulesFile + "-- app/a.php --\n<?php\n// nolegacyruns:ignore legacy-model -- the cut-over code\n$x = InventorySyncRun::first();\n",
		path:  "app/a.php",
		want:  []string{},
	}, {
		name:  "an unused suppression is a warning",
		files: rulesFile + "-- app/a.php --\n<?php\n// nolegacyruns:ignore dotted-type -- old\n$x = 1;\n",
		path:  "app/a.php",
		want:  []string{"1:3-1:22 warning unused-suppression this suppression suppresses nothing: nothing of rule \"dotted-type\" is suppressed by it: \"dotted-type\" (unused-suppression)\nhint: remove it, or fix the rule id it names"},
	}, {
		name:  "--strict makes it an error",
		files: rulesFile + "-- app/a.php --\n<?php\n// nolegacyruns:ignore dotted-type -- old\n$x = 1;\n",
		args:  []string{"--strict"},
		path:  "app/a.php",
		want:  []string{"1:3-1:22 error unused-suppression this suppression suppresses nothing: nothing of rule \"dotted-type\" is suppressed by it: \"dotted-type\" (unused-suppression)\nhint: remove it, or fix the rule id it names"},
	}, {
		name: "the baseline records the first of two",
		files: rulesFile + "-- app/a.php --\n<?php\n$x = InventorySyncRun::first();\n$x = InventorySyncRun::first();\n" +
			`-- .nolegacyruns-baseline.json --
{"version": 1, "findings": [{"rule": "legacy-model", "path": "app/a.php", "match": "InventorySyncRun", "line": "$x = InventorySyncRun::first();", "count": 1}]}
`,
		path: "app/a.php",
		want: []string{"2:5-2:21 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name: "--no-baseline",
		files: rulesFile + "-- app/a.php --\n$x = InventorySyncRun::first();\n" +
			`-- .nolegacyruns-baseline.json --
{"version": 1, "findings": [{"rule": "legacy-model", "path": "app/a.php", "match": "InventorySyncRun", "line": "$x = InventorySyncRun::first();", "count": 1}]}
`,
		args: []string{"--no-baseline"},
		path: "app/a.php",
		want: []string{"0:5-0:21 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"},
	}, {
		name:  "the rule file nearest the document wins",
		files: rulesFile + "-- app/sub/.nolegacyruns.yml --\nrules:\n  - {id: inner, message: m, tokens: [Foo]}\n-- app/sub/a.php --\nFoo InventorySyncRun\n",
		path:  "app/sub/a.php",
		want:  []string{"0:0-0:3 error inner m: \"Foo\" (inner)"},
	}, {
		name:  "the embedded rules, with the workspace folder as the root outside git",
		files: "-- app/Models/Item.php --\n<?php\nInventorySyncRun::query();\n",
		path:  "app/Models/Item.php",
		want:  []string{"1:0-1:16 error legacy-run-symbols legacy run tables, models and UI were replaced by operation_runs (spec 087): \"InventorySyncRun\" (legacy-run-symbols)\nhint: use the OperationRun model with the matching canonical type (inventory_sync, entra_group_sync, backup_schedule_run)"},
	}, {
		name:  "a rule's url is the code's description",
		files: "-- .nolegacyruns.yaml --\nrules:\n  - {id: x, message: m, url: 'https://example.com/rules#x', tokens: [Foo]}\n",
		path:  "a.php",
		text:  "Foo",
		want:  []string{"0:0-0:3 error x m: \"Foo\" (x) <https://example.com/rules#x>"},
	}, {
		name:  "inside git, the work tree's top is the root of the embedded rules",
		files: "-- sub/.git/HEAD --\nref: refs/heads/main\n-- sub/app/Models/Item.php --\nInventorySyncRun\n",
		path:  "sub/app/Models/Item.php",
		want:  []string{"0:0-0:16 error legacy-run-symbols legacy run tables, models and UI were replaced by operation_runs (spec 087): \"InventorySyncRun\" (legacy-run-symbols)\nhint: use the OperationRun model with the matching canonical type (inventory_sync, entra_group_sync, backup_schedule_run)"},
	}, {
		name:  "a rule file above the git work tree is not used",
		files: "-- .nolegacyruns.yaml --\nrules:\n  - {id: x, message: m, tokens: [Foo]}\n-- repo/.git/HEAD --\nref: refs/heads/main\n-- repo/a.php --\nFoo\n",
		path:  "repo/a.php",
		want:  []string{},
	}, {
		name:  "a file with a NUL byte is binary",
		files: rulesFile,
		path:  "app/bin.php",
		text:  "InventorySyncRun\x00",
		want:  []string{},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			caps := tc.caps
			if caps == "" {
				caps = capsUTF16
			}
			c := initialize(t, dir, caps, tc.args...)
			if tc.text == "" {
				c.openFile(tc.path, "php")
			} else {
				c.open(tc.path, "php", tc.text)
			}
			got := c.diagnostics(tc.path, 1)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diagnostics:\n%q\nwant:\n%q", got, tc.want)
			}
			if code := c.shutdown(); code != 0 {
				t.Errorf("exit status %d", code)
			}
		})
	}
}

func TestSymlinkNotFollowed(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile+"-- real/a.php --\nInventorySyncRun\n")
	os.MkdirAll(filepath.Join(dir, "app"), 0o755)
	if err := os.Symlink(filepath.Join(dir, "real", "a.php"), filepath.Join(dir, "app", "link.php")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	c := initialize(t, dir, capsUTF16)
	c.open("app/link.php", "php", "InventorySyncRun\n")
	if got := c.diagnostics("app/link.php", 1); len(got) != 0 {
		t.Errorf("a symlink was searched, as a run never does: %q", got)
	}
}

// TestOpenChangeClose follows one document through its life: opened,
// changed incrementally and whole, closed.
func TestOpenChangeClose(t *testing.T) {
	for _, caps := range []string{capsUTF16, capsUTF8} {
		t.Run(caps, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, rulesFile)
			c := initialize(t, dir, caps)
			c.open("app/a.php", "php", "<?php\n$a = 'ü';\n")
			if got := c.diagnostics("app/a.php", 1); len(got) != 0 {
				t.Fatalf("clean file: %q", got)
			}
			// Incremental: type a token after the ü (UTF-16 column 7, UTF-8 column 8).
			col := 7
			if c.utf8 {
				col = 8
			}
			c.change("app/a.php", 2, map[string]any{"range": map[string]any{"start": pos{1, col}, "end": pos{1, col}}, "text": " InventorySyncRun"})
			want := []string{"1:" + itoa(col+1) + "-1:" + itoa(col+17) + " error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"}
			if got := c.diagnostics("app/a.php", 2); !reflect.DeepEqual(got, want) {
				t.Errorf("after an incremental change:\n%q\nwant\n%q", got, want)
			}
			// Several changes in one notification, applied in order.
			c.change("app/a.php", 3,
				map[string]any{"range": map[string]any{"start": pos{0, 0}, "end": pos{0, 0}}, "text": "// inventory.sync\n"},
				map[string]any{"range": map[string]any{"start": pos{2, col}, "end": pos{2, col + 17}}, "text": ""})
			want = []string{"0:3-0:17 warning dotted-type dotted run types were replaced: \"inventory.sync\" (dotted-type)"}
			if got := c.diagnostics("app/a.php", 3); !reflect.DeepEqual(got, want) {
				t.Errorf("after two changes:\n%q\nwant\n%q", got, want)
			}
			// Full sync: a change without a range is the whole text.
			c.change("app/a.php", 4, map[string]any{"text": "InventorySyncRun"})
			want = []string{"0:0-0:16 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"}
			if got := c.diagnostics("app/a.php", 4); !reflect.DeepEqual(got, want) {
				t.Errorf("after a full change:\n%q\nwant\n%q", got, want)
			}
			// A burst of changes: the last version's diagnostics are published.
			for v := 5; v <= 40; v++ {
				c.change("app/a.php", v, map[string]any{"text": strings.Repeat("x", v)})
			}
			c.change("app/a.php", 41, map[string]any{"text": "inventory.sync InventorySyncRun"})
			if got := c.diagnostics("app/a.php", 41); len(got) != 2 {
				t.Errorf("after a burst: %q", got)
			}
			c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri(filepath.Join(dir, "app/a.php"))}})
			if got := c.diagnostics("app/a.php", -1); len(got) != 0 {
				t.Errorf("after close: %q", got)
			}
			if code := c.shutdown(); code != 0 {
				t.Errorf("exit status %d", code)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// watched tells the server that files changed, as a client's watcher does.
func (c *client) watched(paths ...string) {
	var ch []map[string]any
	for _, p := range paths {
		ch = append(ch, map[string]any{"uri": uri(filepath.Join(c.dir, p)), "type": 2})
	}
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": ch})
}

// TestReload: a changed rule file or baseline applies to the open
// documents at once, on the watcher's notice or on save.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile+"-- app/a.php --\nInventorySyncRun Foo\n")
	c := initialize(t, dir, `{"workspace":{"didChangeWatchedFiles":{"dynamicRegistration":true}}}`)
	reg := c.wait("client/registerCapability", nil)
	if !strings.Contains(string(reg), `"globPattern":"**/.nolegacyruns.yaml"`) || !strings.Contains(string(reg), `.nolegacyruns-baseline.json`) {
		t.Errorf("watchers: %s", reg)
	}
	c.openFile("app/a.php", "php")
	if got := c.diagnostics("app/a.php", 1); len(got) != 1 {
		t.Fatalf("before: %q", got)
	}

	// A rule file change, on the watcher's notice.
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: foo, message: no foo, tokens: [Foo]}\n")
	c.watched(".nolegacyruns.yaml")
	want := []string{"0:17-0:20 error foo no foo: \"Foo\" (foo)"}
	if got := c.diagnostics("app/a.php", 1); !reflect.DeepEqual(got, want) {
		t.Errorf("after the rule file changed:\n%q\nwant\n%q", got, want)
	}

	// A new baseline that records the finding.
	writeTree(t, dir, `-- .nolegacyruns-baseline.json --
{"version": 1, "findings": [{"rule": "foo", "path": "app/a.php", "match": "Foo", "line": "InventorySyncRun Foo", "count": 1}]}
`)
	c.watched(".nolegacyruns-baseline.json")
	if got := c.diagnostics("app/a.php", 1); len(got) != 0 {
		t.Errorf("after the baseline recorded it: %q", got)
	}

	// A broken rule file: the error is shown, with its place on the rule file.
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: foo, message: no foo, tokenz: [Foo]}\n")
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri(filepath.Join(dir, ".nolegacyruns.yaml"))}})
	var shown struct {
		Type    int
		Message string
	}
	json.Unmarshal(c.wait("window/showMessage", nil), &shown)
	if shown.Type != 1 || !strings.HasPrefix(shown.Message, "nolegacyruns: "+filepath.Join(dir, ".nolegacyruns.yaml")+":2:32: rule \"foo\": unknown key \"tokenz\"") || !strings.Contains(shown.Message, "\nhint: ") {
		t.Errorf("message: %+v", shown)
	}
	if got := c.diagnostics(".nolegacyruns.yaml", -1); len(got) != 1 || got[0] != "1:31-1:31 error rule-file rule \"foo\": unknown key \"tokenz\" (known: id, message, hint, url, severity, match, case_sensitive, tokens, allow, include, exclude, fix, examples, sealed)" {
		t.Errorf("rule file diagnostics: %q", got)
	}
	if !strings.Contains(c.stderr.String(), "unknown key \"tokenz\"") {
		t.Errorf("stderr: %q", c.stderr.String())
	}
	// Fixed again: the rule file's error is cleared, the findings are back.
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: foo2, message: no foo, tokens: [Foo]}\n")
	c.watched(".nolegacyruns.yaml")
	if got := c.diagnostics(".nolegacyruns.yaml", -1); len(got) != 0 {
		t.Errorf("rule file diagnostics after the fix: %q", got)
	}
	want = []string{"0:17-0:20 error foo2 no foo: \"Foo\" (foo2)"}
	if got := c.diagnostics("app/a.php", 1); !reflect.DeepEqual(got, want) {
		t.Errorf("after the fix:\n%q\nwant\n%q", got, want)
	}
	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// TestReloadWithoutWatcher: a client that watches nothing still gets the
// changed rule file on the next change of the document.
func TestReloadWithoutWatcher(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	c.open("app/a.php", "php", "Foo\n")
	if got := c.diagnostics("app/a.php", 1); len(got) != 0 {
		t.Fatalf("before: %q", got)
	}
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: foo, message: no foo, tokens: [Foo], severity: warning}\n")
	c.change("app/a.php", 2, map[string]any{"text": "Foo \n"})
	want := []string{"0:0-0:3 warning foo no foo: \"Foo\" (foo)"}
	if got := c.diagnostics("app/a.php", 2); !reflect.DeepEqual(got, want) {
		t.Errorf("after the rule file changed:\n%q\nwant\n%q", got, want)
	}
}

// TestBigDocument: a document over the engine's chunk size (4 MiB), with
// long lines, is searched whole and its findings are where they are.
func TestBigDocument(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	var b strings.Builder
	line := strings.Repeat("é", 300) + "\n"
	for b.Len() < 6<<20 {
		b.WriteString(line)
	}
	lines := strings.Count(b.String(), "\n")
	b.WriteString(strings.Repeat("x", 2<<20) + " InventorySyncRun\n")
	c.open("app/big.php", "php", b.String())
	want := []string{itoa(lines) + ":2097153-" + itoa(lines) + ":2097169 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"}
	if got := c.diagnostics("app/big.php", 1); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	// An edit at the start of the last line moves the finding.
	c.change("app/big.php", 2, map[string]any{"range": map[string]any{"start": pos{lines, 0}, "end": pos{lines, 1}}, "text": ""})
	want = []string{itoa(lines) + ":2097152-" + itoa(lines) + ":2097168 error legacy-model legacy models were replaced by OperationRun: \"InventorySyncRun\" (legacy-model)\nhint: use OperationRun"}
	if got := c.diagnostics("app/big.php", 2); !reflect.DeepEqual(got, want) {
		t.Errorf("after an edit: %q, want %q", got, want)
	}
}

// TestLongLineManyFindings: a minified file, one long line with many
// findings, is converted to UTF-16 positions in one pass over the line,
// not one pass per finding (which took seconds per keystroke here).
func TestLongLineManyFindings(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	const n = 40000
	text := "😀" + strings.Repeat("InventorySyncRun;", n)
	start := time.Now()
	c.open("app/min.js", "javascript", text)
	got := c.diagnostics("app/min.js", 1)
	took := time.Since(start)
	if len(got) != n {
		t.Fatalf("%d diagnostics, want %d", len(got), n)
	}
	// The last: after the emoji (2 units) and n-1 tokens of 17.
	at := 2 + (n-1)*17
	if want := fmt.Sprintf("0:%d-0:%d error legacy-model", at, at+16); !strings.HasPrefix(got[n-1], want) {
		t.Errorf("last diagnostic %q, want %q...", got[n-1], want)
	}
	// A generous bound, for a loaded machine: one pass takes milliseconds,
	// a pass per finding tens of seconds.
	if took > 10*time.Second {
		t.Errorf("%d findings on one line took %v", n, took)
	}
}

// BenchmarkKeystroke is one typed character in a 100 KB document with two
// findings, from the change notification to its diagnostics, through the
// in-process client.
func BenchmarkKeystroke(b *testing.B) {
	t := &testing.T{}
	dir := b.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	c.t = t
	text := strings.Repeat("<?php $x = OperationRun::first(); $t = 'inventory_sync'; // ok\n", 1700) + "InventorySyncRun inventory.sync\n"
	c.open("app/a.php", "php", text)
	c.diagnostics("app/a.php", 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.change("app/a.php", i+2, map[string]any{"range": map[string]any{"start": pos{5, 0}, "end": pos{5, 0}}, "text": "x"})
		if got := c.diagnostics("app/a.php", i+2); len(got) != 2 {
			b.Fatalf("%d diagnostics", len(got))
		}
	}
}

// TestBrokenRuleFileOpen: a rule file open in the editor carries its own
// error, and loses it once saved fixed.
func TestBrokenRuleFileOpen(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: Bad, message: m, tokens: [Foo]}\n")
	c := initialize(t, dir, capsUTF16)
	c.openFile(".nolegacyruns.yaml", "yaml")
	want := []string{`1:9-1:9 error rule-file rule "Bad": id "Bad" must be lowercase letters, digits and dashes, starting with a letter or digit`}
	if got := c.diagnostics(".nolegacyruns.yaml", 1); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	// Another document under it: no findings, and the message once.
	c.open("a.php", "php", "Foo")
	if got := c.diagnostics("a.php", 1); len(got) != 0 {
		t.Errorf("a.php: %q", got)
	}
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: good, message: m, tokens: [Foo]}\n")
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri(filepath.Join(dir, ".nolegacyruns.yaml"))}})
	if got := c.diagnostics(".nolegacyruns.yaml", 1); len(got) != 0 {
		t.Errorf("after the fix: %q", got)
	}
	if got := c.diagnostics("a.php", 1); len(got) != 1 {
		t.Errorf("a.php after the fix: %q", got)
	}
	c.shutdown()
	if n := strings.Count(c.stderr.String(), "must be lowercase"); n != 1 {
		t.Errorf("the error was printed %d times:\n%s", n, c.stderr.String())
	}
}

// TestBrokenRuleFileClosed: a broken rule file keeps its error when the
// editor closes it, as one that was never open has it.
func TestBrokenRuleFileClosed(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: Bad, message: m, tokens: [Foo]}\n")
	c := initialize(t, dir, capsUTF16)
	c.openFile(".nolegacyruns.yaml", "yaml")
	if got := c.diagnostics(".nolegacyruns.yaml", 1); len(got) != 1 {
		t.Fatalf("diagnostics %q, want the rule file's error", got)
	}
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri(filepath.Join(dir, ".nolegacyruns.yaml"))}})
	// What is published for it once closed (without a version).
	var p published
	c.wait("textDocument/publishDiagnostics", func(raw json.RawMessage) bool {
		p = published{}
		json.Unmarshal(raw, &p)
		return p.URI == uri(filepath.Join(dir, ".nolegacyruns.yaml")) && p.Version == nil
	})
	if len(p.Diagnostics) != 1 || !strings.Contains(p.Diagnostics[0].Message, "must be lowercase") {
		t.Errorf("after close: %v, want the rule file's error", p.Diagnostics)
	}
}

// TestBrokenBaseline: a malformed baseline is shown, named from the
// workspace, with a diagnostic at its place; the document gets none.
func TestBrokenBaseline(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile+"-- .nolegacyruns-baseline.json --\n{\"version\": 1,\n \"findings\": [}\n")
	c := initialize(t, dir, capsUTF16)
	c.open("app/a.php", "php", "InventorySyncRun")
	var shown struct {
		Type    int
		Message string
	}
	json.Unmarshal(c.wait("window/showMessage", nil), &shown)
	if !strings.HasPrefix(shown.Message, "nolegacyruns: .nolegacyruns-baseline.json:2:16: invalid baseline: invalid character '}' looking for beginning of value") || !strings.Contains(shown.Message, "\nhint: write the baseline again") {
		t.Errorf("message %q", shown.Message)
	}
	if got := c.diagnostics(".nolegacyruns-baseline.json", -1); len(got) != 1 || got[0] != "1:15-1:15 error baseline invalid baseline: invalid character '}' looking for beginning of value" {
		t.Errorf("baseline diagnostics %q", got)
	}
	if got := c.diagnostics("app/a.php", 1); len(got) != 0 {
		t.Errorf("a.php: %q", got)
	}
}

// TestReadError: a document the engine cannot search (a regex rule meets a
// line over 1 MiB) gets one error diagnostic that says so, as a run fails.
func TestReadError(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "-- .nolegacyruns.yaml --\nrules:\n  - {id: rx, message: m, match: regex, tokens: ['Foo\\d']}\n")
	c := initialize(t, dir, capsUTF16)
	c.open("a.php", "php", "Foo1 "+strings.Repeat("x", 1<<20+10)+"\nFoo2\n")
	got := c.diagnostics("a.php", 1)
	if want := `0:0-0:0 error read-error could not search this file: line 1 is longer than 1 MiB, which regex rule "rx" cannot read; exclude the file from the rule`; len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics %q", got)
	}
}

// TestWorkspaceFolders: outside git and without a rule file, the root is
// the workspace folder that holds the document, as folders come and go.
func TestWorkspaceFolders(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "-- proj/app/Models/Item.php --\nInventorySyncRun\n")
	c := initialize(t, filepath.Join(dir, "other"), capsUTF16) // the editor opened another folder
	c.dir = dir
	c.openFile("proj/app/Models/Item.php", "php")
	if got := c.diagnostics("proj/app/Models/Item.php", 1); len(got) != 0 {
		t.Errorf("outside every workspace folder, the root is the document's folder: %q", got)
	}
	c.notify("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{
		"added": []any{map[string]any{"uri": uri(filepath.Join(dir, "proj")), "name": "proj"}}, "removed": []any{}}})
	if got := c.diagnostics("proj/app/Models/Item.php", 1); len(got) != 1 {
		t.Errorf("in the added folder proj: %q", got)
	}
	c.notify("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{
		"added": []any{}, "removed": []any{map[string]any{"uri": uri(filepath.Join(dir, "proj")), "name": "proj"}}}})
	if got := c.diagnostics("proj/app/Models/Item.php", 1); len(got) != 0 {
		t.Errorf("after proj was removed: %q", got)
	}
}

func TestUnusedSuppressionIsUnnecessary(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, rulesFile)
	c := initialize(t, dir, capsUTF16)
	c.open("app/a.php", "php", "// nolegacyruns:ignore legacy-model -- old\n")
	raw := c.rawDiagnostics("app/a.php", 1)
	if len(raw) != 1 || !strings.Contains(string(raw[0]), `"tags":[1]`) {
		t.Errorf("diagnostics %s", raw)
	}
}
