package lsp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
)

func TestProtocolErrors(t *testing.T) {
	dir := t.TempDir()
	c := startServer(t, dir)
	if m := c.request("textDocument/codeAction", map[string]any{}); m.Error == nil || m.Error.Code != -32002 {
		t.Errorf("a request before initialize: %+v", m)
	}
	c.call("initialize", map[string]any{"capabilities": map[string]any{}}, nil)
	if m := c.request("initialize", map[string]any{"capabilities": map[string]any{}}); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("initialize twice: %+v", m)
	}
	if m := c.request("textDocument/hover", map[string]any{}); m.Error == nil || m.Error.Code != -32601 {
		t.Errorf("an unknown method: %+v", m)
	}
	if m := c.request("textDocument/codeAction", "not an object"); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("bad params: %+v", m)
	}
	// Invalid JSON: an error response without an id; the session goes on.
	fmt.Fprintf(c.in, "Content-Length: 5\r\n\r\n{oops")
	if m := c.next(); m.Error == nil || m.Error.Code != -32700 || string(m.ID) != "null" {
		t.Errorf("invalid JSON: %+v", m)
	}
	// Notifications about unknown documents, and unknown notifications, are ignored.
	c.change("app/none.php", 2, map[string]any{"text": "x"})
	c.notify("$/cancelRequest", map[string]any{"id": 99})
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": "file:///nowhere"}})
	c.call("shutdown", nil, nil)
	if m := c.request("textDocument/codeAction", map[string]any{}); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("a request after shutdown: %+v", m)
	}
	c.notify("exit", nil)
	if code := <-c.exit; code != 0 {
		t.Errorf("exit after shutdown: status %d", code)
	}
}

func TestExitStatus(t *testing.T) {
	t.Run("exit without shutdown", func(t *testing.T) {
		c := initialize(t, t.TempDir(), capsUTF16)
		c.notify("exit", nil)
		if code := <-c.exit; code != 1 {
			t.Errorf("status %d, want 1", code)
		}
	})
	t.Run("input ends without shutdown", func(t *testing.T) {
		c := initialize(t, t.TempDir(), capsUTF16)
		c.in.Close()
		if code := <-c.exit; code != 1 {
			t.Errorf("status %d, want 1", code)
		}
	})
	for _, tc := range []struct{ name, input, msg string }{
		{"bad length", "Content-Length: -1\r\n\r\n", "nolegacyruns: lsp: bad Content-Length \"-1\"\n"},
		{"no length", "Content-Type: x\r\n\r\n{}", "nolegacyruns: lsp: message without a Content-Length header\n"},
		{"not a header", "hello\r\n\r\n", "nolegacyruns: lsp: malformed header line \"hello\"\n"},
		{"a long header line", strings.Repeat("x", 5000) + "\r\n", "nolegacyruns: lsp: header line longer than 4 KiB\n"},
		{"cut short", "Content-Length: 10\r\n\r\n{}", "nolegacyruns: lsp: the stream ended inside a message\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cli.Run(context.Background(), []string{"lsp"}, cli.Env{Stdin: strings.NewReader(tc.input), Stdout: &out, Stderr: &errb, Dir: t.TempDir()})
			if code != 2 {
				t.Errorf("status %d, want 2", code)
			}
			if msg, hint, _ := strings.Cut(errb.String(), "hint: "); msg != tc.msg || hint == "" {
				t.Errorf("stderr %q, want %q and a hint", errb.String(), tc.msg)
			}
		})
	}
}

// TestSameAsRun is the differential test: for every file of the example
// tree, the server's diagnostics are the findings of a run, at the same
// places (UTF-8 columns are the run's byte columns, less one).
func TestSameAsRun(t *testing.T) {
	src, err := filepath.Abs("../../testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, _ := os.ReadFile(p)
		files = append(files, filepath.ToSlash(rel))
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	// A baseline of the tree as it is, then suppressions and new findings,
	// so that they are compared too.
	var wb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"--root", dir, "--no-gitignore", "--write-baseline", filepath.Join(dir, ".nolegacyruns-baseline.json")}, cli.Env{Stdout: &wb, Stderr: &wb, Dir: dir, Getenv: func(string) string { return "" }}); code != 0 {
		t.Fatalf("--write-baseline: %d %s", code, wb.String())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "app/Models/InventoryItem.php"))
	os.WriteFile(filepath.Join(dir, "app/Models/InventoryItem.php"), append(data, data...), 0o644)
	os.WriteFile(filepath.Join(dir, "app/Models/Legacy.php"), []byte("<?php\n// nolegacyruns:ignore legacy-run-symbols -- the cut-over\nclass A extends InventorySyncRun {}\n// nolegacyruns:ignore legacy-run-types -- nothing here\n$t = 'backup_schedule.run_now';\n$u = 1; // nolegacyruns:ignore legacy-run-types -- unused\nInventorySyncRun::first(); InventorySyncRun::first();\n"), 0o644)
	files = append(files, "app/Models/Legacy.php")
	sort.Strings(files)

	var out, errb bytes.Buffer
	cli.Run(context.Background(), []string{"--format", "json", "--root", dir, "--no-gitignore"}, cli.Env{Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" }})
	var doc struct {
		Findings []struct {
			Path         string
			Line, Column int
			EndColumn    int `json:"end_column"`
			Rule         string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s %s", err, out.String(), errb.String())
	}
	want := map[string][]string{}
	for _, f := range doc.Findings {
		want[f.Path] = append(want[f.Path], fmt.Sprintf("%d:%d-%d:%d %s", f.Line-1, f.Column-1, f.Line-1, f.EndColumn-1, f.Rule))
	}
	if len(doc.Findings) < 4 {
		t.Fatalf("the run found too little to compare: %s", out.String())
	}

	c := initialize(t, dir, capsUTF8)
	for _, f := range files {
		c.openFile(f, "php")
		var got []string
		for _, d := range c.rawDiagnostics(f, 1) {
			var x diag
			json.Unmarshal(d, &x)
			got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", x.Range.Start.Line, x.Range.Start.Character, x.Range.End.Line, x.Range.End.Character, x.Code))
		}
		if !reflect.DeepEqual(got, want[f]) {
			t.Errorf("%s:\nserver %q\nrun    %q", f, got, want[f])
		}
	}
}
