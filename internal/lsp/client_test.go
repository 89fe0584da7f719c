package lsp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/tools/txtar"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
)

// client is an in-process LSP client: it runs `nolegacyruns lsp` through
// cli.Run on pipes, as an editor runs the binary on stdio.
type client struct {
	t      *testing.T
	dir    string
	in     *io.PipeWriter
	inbox  chan msg
	exit   chan int
	stderr *syncBuffer
	nextID int
	utf8   bool // the server chose UTF-8
	queue  []msg
}

type msg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// deadlock guards a wait that would otherwise hang the test: no timing
// is asserted, a broken server just fails instead of blocking forever.
const deadlock = 60 * time.Second

// writeTree writes a txtar archive's files under dir.
func writeTree(t *testing.T, dir, archive string) {
	t.Helper()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startServer starts the server in dir (not initialized yet).
func startServer(t *testing.T, dir string, args ...string) *client {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &client{t: t, dir: dir, in: inW, inbox: make(chan msg, 1024), exit: make(chan int, 1), stderr: &syncBuffer{}}
	env := cli.Env{Stdin: inR, Stdout: outW, Stderr: c.stderr, Getenv: func(string) string { return "" }, Dir: dir}
	go func() {
		code := cli.Run(context.Background(), append([]string{"lsp"}, args...), env)
		outW.Close()
		inR.Close()
		c.exit <- code
	}()
	go func() {
		r := bufio.NewReader(outR)
		defer close(c.inbox)
		for {
			n := -1
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				line = strings.TrimRight(line, "\r\n")
				if line == "" {
					break
				}
				if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
					n, _ = strconv.Atoi(v)
				}
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return
			}
			var m msg
			if err := json.Unmarshal(body, &m); err != nil {
				panic(fmt.Sprintf("server sent invalid JSON %q: %v", body, err))
			}
			c.inbox <- m
		}
	}()
	t.Cleanup(func() { inW.Close() })
	return c
}

// initialize starts and initializes a server in dir with the client
// capabilities given as JSON.
func initialize(t *testing.T, dir, caps string, args ...string) *client {
	c := startServer(t, dir, args...)
	var res struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
		} `json:"capabilities"`
	}
	c.call("initialize", json.RawMessage(`{"processId":null,"rootUri":`+strconv.Quote(uri(dir))+`,"capabilities":`+caps+`}`), &res)
	c.utf8 = res.Capabilities.PositionEncoding == "utf-8"
	c.notify("initialized", json.RawMessage(`{}`))
	return c
}

func (c *client) send(v any) {
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(body), body)
}

func (c *client) notify(method string, params any) {
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// next returns the next message from the server.
func (c *client) next() msg {
	c.t.Helper()
	if len(c.queue) > 0 {
		m := c.queue[0]
		c.queue = c.queue[1:]
		return m
	}
	select {
	case m, ok := <-c.inbox:
		if !ok {
			c.t.Fatalf("the server closed its output; stderr:\n%s", c.stderr.String())
		}
		return m
	case <-time.After(deadlock):
		c.t.Fatalf("no message from the server; stderr:\n%s", c.stderr.String())
	}
	return msg{}
}

// request sends a request and returns its response; messages that come
// before it are kept for later.
func (c *client) request(method string, params any) msg {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	var held []msg
	for {
		m := c.next()
		if m.Method == "" && string(m.ID) == strconv.Itoa(id) {
			c.queue = append(held, c.queue...)
			return m
		}
		held = append(held, m)
	}
}

// call is request that decodes a successful result.
func (c *client) call(method string, params, result any) {
	c.t.Helper()
	m := c.request(method, params)
	if m.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, m.Error.Code, m.Error.Message)
	}
	if result != nil {
		if err := json.Unmarshal(m.Result, result); err != nil {
			c.t.Fatalf("%s: %v in %s", method, err, m.Result)
		}
	}
}

// wait returns the next notification of a method that pred accepts,
// dropping the others.
func (c *client) wait(method string, pred func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	for {
		m := c.next()
		if m.Method == method && (pred == nil || pred(m.Params)) {
			return m.Params
		}
	}
}

type diag struct {
	Range struct {
		Start struct{ Line, Character int }
		End   struct{ Line, Character int }
	}
	Severity        int
	Code            string
	Source          string
	Message         string
	CodeDescription *struct{ Href string }
}

// String is the diagnostic as the tests write it:
// "line:char-line:char severity code message", 0-based as the protocol is.
func (d diag) String() string {
	sev := map[int]string{1: "error", 2: "warning"}[d.Severity]
	s := fmt.Sprintf("%d:%d-%d:%d %s %s %s", d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Line, d.Range.End.Character, sev, d.Code, d.Message)
	if d.CodeDescription != nil {
		s += " <" + d.CodeDescription.Href + ">"
	}
	return s
}

type published struct {
	URI         string
	Version     *int32
	Diagnostics []diag
}

// diagnostics waits for the diagnostics of a document at a version (or any
// version, with -1) and returns them as strings.
func (c *client) diagnostics(path string, version int) []string {
	c.t.Helper()
	u := uri(filepath.Join(c.dir, path))
	var p published
	c.wait("textDocument/publishDiagnostics", func(raw json.RawMessage) bool {
		p = published{}
		json.Unmarshal(raw, &p)
		return p.URI == u && (version < 0 || p.Version != nil && int(*p.Version) == version)
	})
	out := []string{}
	for _, d := range p.Diagnostics {
		if d.Source != "nolegacyruns" {
			c.t.Errorf("source %q", d.Source)
		}
		out = append(out, d.String())
	}
	return out
}

// rawDiagnostics is diagnostics as the server sent them.
func (c *client) rawDiagnostics(path string, version int) []json.RawMessage {
	c.t.Helper()
	u := uri(filepath.Join(c.dir, path))
	var p struct {
		URI         string
		Version     *int32
		Diagnostics []json.RawMessage
	}
	c.wait("textDocument/publishDiagnostics", func(raw json.RawMessage) bool {
		json.Unmarshal(raw, &p)
		return p.URI == u && (version < 0 || p.Version != nil && int(*p.Version) == version)
	})
	return p.Diagnostics
}

func (c *client) open(path, lang, text string) {
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri(filepath.Join(c.dir, path)), "languageId": lang, "version": 1, "text": text}})
}

func (c *client) openFile(path, lang string) string {
	data, err := os.ReadFile(filepath.Join(c.dir, path))
	if err != nil {
		c.t.Fatal(err)
	}
	c.open(path, lang, string(data))
	return string(data)
}

func (c *client) change(path string, version int, changes ...map[string]any) {
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri(filepath.Join(c.dir, path)), "version": version},
		"contentChanges": changes})
}

// shutdown ends the session as an editor does and returns the exit status.
func (c *client) shutdown() int {
	c.t.Helper()
	c.call("shutdown", nil, nil)
	c.notify("exit", nil)
	select {
	case code := <-c.exit:
		return code
	case <-time.After(deadlock):
		c.t.Fatal("the server did not exit")
	}
	return -1
}

func uri(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// pos is a protocol position.
type pos struct{ Line, Character int }

// offsetOf is the client's own conversion of a position to a byte offset,
// written apart from the server's: lines end at \n, \r\n or \r.
func offsetOf(text string, p pos, utf8Chars bool) int {
	off := 0
	for l := 0; l < p.Line; l++ {
		i := strings.IndexAny(text[off:], "\r\n")
		if i < 0 {
			return len(text)
		}
		off += i + 1
		if text[off-1] == '\r' && off < len(text) && text[off] == '\n' {
			off++
		}
	}
	line := text[off:]
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	if utf8Chars {
		return off + min(p.Character, len(line))
	}
	units := 0
	for i, r := range line {
		if units >= p.Character {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return off + len(line)
}

type edit struct {
	Range   struct{ Start, End pos }
	NewText string
}

// apply applies text edits as a client does: all against the original
// text, from the last to the first.
func apply(text string, edits []edit, utf8Chars bool) string {
	type span struct {
		a, b int
		s    string
	}
	var ss []span
	for _, e := range edits {
		ss = append(ss, span{offsetOf(text, e.Range.Start, utf8Chars), offsetOf(text, e.Range.End, utf8Chars), e.NewText})
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].a > ss[j].a })
	for _, s := range ss {
		text = text[:s.a] + s.s + text[s.b:]
	}
	return text
}

type action struct {
	Title       string
	Kind        string
	IsPreferred bool
	Diagnostics []diag
	Edit        struct {
		Changes         map[string][]edit
		DocumentChanges []struct {
			TextDocument struct {
				URI     string
				Version *int
			}
			Edits []edit
		}
	}
}

// edits returns an action's edits of one document, in either form.
func (a action) edits(u string) []edit {
	if len(a.Edit.DocumentChanges) > 0 {
		var out []edit
		for _, dc := range a.Edit.DocumentChanges {
			if dc.TextDocument.URI == u {
				out = append(out, dc.Edits...)
			}
		}
		return out
	}
	return a.Edit.Changes[u]
}

func (c *client) codeActions(path string, from, to pos) []action {
	c.t.Helper()
	var out []action
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri(filepath.Join(c.dir, path))},
		"range":        map[string]any{"start": from, "end": to},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &out)
	return out
}
