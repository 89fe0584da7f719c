package lsp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// fixedLoader is one rule set for every folder.
type fixedLoader struct{ set *Setup }

func (l fixedLoader) Find(string) (string, error)         { return "", nil }
func (l fixedLoader) Load(_, _, _ string) (*Setup, error) { return l.set, nil }
func (l fixedLoader) Explain(err error) string            { return "nolegacyruns: " + err.Error() }
func (l fixedLoader) Reload()                             {}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

// FuzzServer sends the server an initialize, an open document, one
// arbitrary message and a code action request, then exit: whatever the
// message, the server answers and exits without panicking.
func FuzzServer(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/app/a.php","version":2},"contentChanges":[{"range":{"start":{"line":-5,"character":99},"end":{"line":1e9,"character":-1}},"text":"x"}]}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/app/a.php","version":2},"contentChanges":[{"text":"// nolegacyruns:ignore x -- y\nFoo Foo"}]}}`,
		`{"jsonrpc":"2.0","id":7,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///w/app/a.php"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":2147483647}},"context":{"diagnostics":[],"only":[""]}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:1","languageId":"","version":1,"text":"Foo"}}}`,
		`{"jsonrpc":"2.0","method":"workspace/didChangeWatchedFiles","params":{"changes":[{"uri":"%zz","type":9}]}}`,
		`{"jsonrpc":"2.0","id":null,"method":"shutdown"}`,
		`[1,2]`, `null`, `{"id":{"a":1},"method":"initialize"}`,
	} {
		f.Add(s)
	}
	eng, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "x", Message: "m", Tokens: []string{"Foo"}, Fix: map[string]string{"Foo": "Bar"}}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		in := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`) +
			frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/app/a.php","languageId":"php","version":1,"text":"a\nFoo é😀 Foo\r\n"}}}`) +
			frame(msg) +
			frame(`{"jsonrpc":"2.0","id":2,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///w/app/a.php"},"range":{"start":{"line":0,"character":0},"end":{"line":9,"character":0}},"context":{"diagnostics":[]}}}`) +
			frame(`{"jsonrpc":"2.0","method":"exit"}`)
		var out bytes.Buffer
		Serve(context.Background(), bytes.NewReader([]byte(in)), &out, Options{Loader: fixedLoader{&Setup{Engine: eng, Root: "/w"}}, Stderr: io.Discard})
		if !strings.Contains(msg, "exit") && !bytes.Contains(out.Bytes(), []byte(`"id":2,`)) {
			t.Fatalf("no answer to the code action after %q:\n%s", msg, out.String())
		}
	})
}
