// Package lsp is the language server: it publishes the engine's findings for the documents an editor has open, and offers their fixes and suppressions as code actions.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Setup is what applies to the documents of one folder, found as the
// command finds it for a run in that folder.
type Setup struct {
	Engine   *scanner.Engine
	Root     string         // the folder paths and globs are relative to
	Skip     []string       // root-relative files never searched: the rule file, the baseline
	Baseline *baseline.File // nil: no baseline
	RuleFile string         // absolute; "" for the embedded rules
	// Deps are the files whose change makes the setup stale: the rule
	// file, and the baseline (or where the default one would be).
	Deps []string
}

// Loader finds and loads the setup of a folder; the command supplies it,
// so that the server discovers rule files and baselines exactly as a run
// does.
type Loader interface {
	// Find returns the rule file in effect for documents in dir ("" for
	// the embedded rules): cheap, called before every search. Errors of
	// Find and Load name files absolutely or relative to Options.Dir.
	Find(dir string) (string, error)
	// Load loads ruleFile as it applies to documents in dir. base is the
	// folder a run would be started in: the editor's workspace folder that
	// holds dir (or the server's own folder, or dir); the root when there is
	// neither a rule file nor a git work tree.
	Load(dir, ruleFile, base string) (*Setup, error)
	// Explain renders an error of Find or Load as the command prints it:
	// "nolegacyruns: ..." and a "hint: ..." line.
	Explain(err error) string
	// Reload forgets what Load keeps between calls: the client said files
	// changed.
	Reload()
}

// Options configure a server.
type Options struct {
	Loader  Loader
	Stderr  io.Writer // for the server's own failures
	Version string
	Dir     string // the server's current folder
}

// Serve runs the server over in and out until the client says exit or in
// ends. It returns the exit status: 0 after shutdown and exit, 1 when the
// client left without shutting the server down, 2 when the stream broke.
func Serve(ctx context.Context, in io.Reader, out io.Writer, opt Options) int {
	s := &server{
		opt:    opt,
		conn:   newConn(in, out),
		docs:   map[string]*document{},
		setups: map[string]*cached{},
		shown:  map[string]bool{},
		errs:   map[string]diagnostic{},
	}
	return s.serve(ctx)
}

type server struct {
	opt  Options
	conn *conn

	enc         encoding
	docChanges  bool // the client applies versioned document edits
	watch       bool // the client registers file watchers
	initialized bool
	shutdown    bool
	nextID      int

	folders []string // the workspace folders, absolute

	docs   map[string]*document  // open documents by URI
	dirty  []string              // URIs to search again, in the order they changed
	setups map[string]*cached    // by folder
	shown  map[string]bool       // messages shown to the user since the last reload
	errs   map[string]diagnostic // rule files that did not load, by path: their error
}

type incoming struct {
	body []byte
	err  error
}

func (s *server) serve(ctx context.Context) int {
	msgs := make(chan incoming, 64)
	var queued atomic.Int64        // bytes in msgs: at most maxQueued, and one message
	room := make(chan struct{}, 1) // queued went down
	go func() {
		for {
			for queued.Load() > maxQueued {
				select {
				case <-room:
				case <-ctx.Done():
					return
				}
			}
			body, err := s.conn.read()
			queued.Add(int64(len(body)))
			select {
			case msgs <- incoming{body, err}:
			case <-ctx.Done():
				return
			}
			if err != nil && err != errTooLarge {
				return
			}
		}
	}()
	for {
		var in incoming
		select {
		case in = <-msgs:
			if queued.Add(-int64(len(in.body))) <= maxQueued {
				select {
				case room <- struct{}{}:
				default:
				}
			}
		case <-ctx.Done():
			return 1
		}
		if in.err == errTooLarge {
			fmt.Fprintf(s.opt.Stderr, "nolegacyruns: lsp: skipped a message over %d MiB\nhint: close very large files in the editor; they are not searched while open\n", MaxMessage>>20)
			continue
		}
		if in.err != nil {
			var fe *frameError
			if errors.As(in.err, &fe) {
				fmt.Fprintf(s.opt.Stderr, "nolegacyruns: lsp: %s\nhint: start the server from an editor's LSP client, which frames messages with Content-Length headers\n", fe.msg)
				return 2
			}
			if s.shutdown {
				return 0
			}
			return 1
		}
		if exit := s.handle(ctx, in.body); exit {
			if s.shutdown {
				return 0
			}
			return 1
		}
		// Search again only once every message already here is handled:
		// a burst of changes is searched once, at its last version.
		if len(msgs) == 0 {
			s.flush(ctx)
		}
	}
}

// handle dispatches one message; it returns true on exit.
func (s *server) handle(ctx context.Context, body []byte) bool {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		s.conn.reply(nil, nil, &rpcError{codeParseError, "invalid JSON: " + err.Error()})
		return false
	}
	if m.Method == "" {
		return false // a response to one of our requests
	}
	if m.Method == "exit" {
		return true
	}
	if !s.initialized && m.Method != "initialize" {
		if m.isRequest() {
			s.conn.reply(m.ID, nil, &rpcError{codeNotInitialized, "the server is not initialized"})
		}
		return false
	}
	if s.shutdown && m.isRequest() {
		s.conn.reply(m.ID, nil, &rpcError{codeInvalidRequest, "the server is shutting down"})
		return false
	}
	result, rerr := s.dispatch(ctx, &m)
	if m.isRequest() {
		s.conn.reply(m.ID, result, rerr)
	}
	return false
}

func (s *server) dispatch(ctx context.Context, m *message) (any, *rpcError) {
	params := func(v any) *rpcError {
		if len(m.Params) == 0 {
			return &rpcError{codeInvalidParams, m.Method + ": no params"}
		}
		if err := json.Unmarshal(m.Params, v); err != nil {
			return &rpcError{codeInvalidParams, m.Method + ": " + err.Error()}
		}
		return nil
	}
	switch m.Method {
	case "initialize":
		if s.initialized {
			return nil, &rpcError{codeInvalidRequest, "initialize was sent twice"}
		}
		var p initializeParams
		if err := params(&p); err != nil {
			return nil, err
		}
		return s.initialize(&p), nil
	case "initialized":
		s.registerWatchers()
	case "shutdown":
		s.shutdown = true
		return nil, nil
	case "textDocument/didOpen":
		var p didOpenParams
		if err := params(&p); err != nil {
			return nil, err
		}
		s.open(p.TextDocument)
	case "textDocument/didChange":
		var p didChangeParams
		if err := params(&p); err != nil {
			return nil, err
		}
		s.change(&p)
	case "textDocument/didClose":
		var p didCloseParams
		if err := params(&p); err != nil {
			return nil, err
		}
		s.close(p.TextDocument.URI)
	case "textDocument/didSave":
		var p didSaveParams
		if err := params(&p); err != nil {
			return nil, err
		}
		if s.isDep(p.TextDocument.URI) {
			s.reload()
		}
	case "workspace/didChangeWatchedFiles":
		var p didChangeWatchedFilesParams
		if err := params(&p); err != nil {
			return nil, err
		}
		if len(p.Changes) > 0 {
			s.reload()
		}
	case "workspace/didChangeWorkspaceFolders":
		var p didChangeWorkspaceFoldersParams
		if err := params(&p); err != nil {
			return nil, err
		}
		s.changeFolders(&p)
	case "textDocument/codeAction":
		var p codeActionParams
		if err := params(&p); err != nil {
			return nil, err
		}
		return s.codeActions(ctx, &p), nil
	default:
		if m.isRequest() {
			return nil, &rpcError{codeMethodNotFound, "method not supported: " + m.Method}
		}
		// Other notifications ($/cancelRequest, $/setTrace, ...) need nothing.
	}
	return nil, nil
}

func (s *server) initialize(p *initializeParams) any {
	s.initialized = true
	offered := append(p.Capabilities.General.PositionEncodings, p.Capabilities.OffsetEncoding...)
	for _, e := range offered {
		if e == "utf-8" {
			s.enc = utf8Enc
		}
	}
	s.watch = p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration
	for _, f := range p.WorkspaceFolders {
		if d, ok := uriPath(f.URI); ok {
			s.folders = append(s.folders, d)
		}
	}
	if len(s.folders) == 0 {
		if d, ok := uriPath(p.RootURI); ok {
			s.folders = append(s.folders, d)
		} else if p.RootPath != "" && filepath.IsAbs(p.RootPath) {
			s.folders = append(s.folders, filepath.Clean(p.RootPath))
		}
	}
	s.docChanges = p.Capabilities.Workspace.WorkspaceEdit.DocumentChanges
	result := map[string]any{
		"capabilities": map[string]any{
			"positionEncoding": s.enc.String(),
			"textDocumentSync": map[string]any{
				"openClose": true,
				"change":    2, // incremental; a change without a range replaces the whole text
				"save":      map[string]any{"includeText": false},
			},
			"codeActionProvider": map[string]any{
				"codeActionKinds": []string{kindQuickFix, kindFixAll},
			},
			"workspace": map[string]any{
				"workspaceFolders": map[string]any{"supported": true, "changeNotifications": true},
			},
		},
		"serverInfo": map[string]any{"name": "nolegacyruns", "version": s.opt.Version},
	}
	if len(p.Capabilities.OffsetEncoding) > 0 {
		result["offsetEncoding"] = s.enc.String()
	}
	return result
}

// changeFolders follows the workspace folders: outside git and without a
// rule file, they are the root.
func (s *server) changeFolders(p *didChangeWorkspaceFoldersParams) {
	for _, f := range p.Event.Removed {
		if d, ok := uriPath(f.URI); ok {
			for i, g := range s.folders {
				if g == d {
					s.folders = append(s.folders[:i], s.folders[i+1:]...)
					break
				}
			}
		}
	}
	for _, f := range p.Event.Added {
		if d, ok := uriPath(f.URI); ok {
			s.folders = append(s.folders, d)
		}
	}
	s.reload()
}

// registerWatchers asks the client to report changes to rule files and
// baselines, when it can.
func (s *server) registerWatchers() {
	if !s.watch {
		return
	}
	var ws []fileSystemWatcher
	for _, g := range []string{"**/.nolegacyruns.yaml", "**/.nolegacyruns.yml", "**/" + baseline.DefaultFile} {
		ws = append(ws, fileSystemWatcher{GlobPattern: g})
	}
	s.nextID++
	s.conn.write(request{"2.0", s.nextID, "client/registerCapability", map[string]any{
		"registrations": []registration{{ID: "nolegacyruns-files", Method: "workspace/didChangeWatchedFiles",
			RegisterOptions: map[string]any{"watchers": ws}}},
	}})
}

func (s *server) markDirty(uri string) {
	for _, u := range s.dirty {
		if u == uri {
			return
		}
	}
	s.dirty = append(s.dirty, uri)
}

func (s *server) open(item textDocumentItem) {
	d := &document{uri: item.URI, lang: item.LanguageID, version: item.Version, text: []byte(item.Text)}
	d.path, _ = uriPath(item.URI)
	s.docs[item.URI] = d
	s.markDirty(item.URI)
}

func (s *server) change(p *didChangeParams) {
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return
	}
	for _, ch := range p.ContentChanges {
		d.text = applyChange(d.text, ch, s.enc)
	}
	if p.TextDocument.Version != nil {
		d.version = *p.TextDocument.Version
	}
	d.result = nil
	s.markDirty(d.uri)
}

func (s *server) close(uri string) {
	d, ok := s.docs[uri]
	if !ok {
		return
	}
	delete(s.docs, uri)
	for i, u := range s.dirty {
		if u == uri {
			s.dirty = append(s.dirty[:i], s.dirty[i+1:]...)
			break
		}
	}
	ds := []diagnostic{}
	if e, ok := s.errs[d.path]; ok && d.path != "" {
		ds = append(ds, e) // a broken rule file keeps its error, as when it was never open
	}
	s.conn.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: uri, Diagnostics: ds})
}

// flush searches the changed documents and publishes their diagnostics.
func (s *server) flush(ctx context.Context) {
	for len(s.dirty) > 0 {
		uri := s.dirty[0]
		s.dirty = s.dirty[1:]
		d := s.docs[uri]
		if d == nil {
			continue
		}
		ds := s.current(ctx, d).diagnostics()
		if e, ok := s.errs[d.path]; ok && d.path != "" {
			ds = append(ds, e) // a rule file open in the editor
		}
		v := d.version
		s.conn.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: uri, Version: &v, Diagnostics: ds})
	}
}

// setError puts a rule file's error on it (nil takes it off): published at
// once when the file is not open, else with its next diagnostics.
func (s *server) setError(path string, e *diagnostic) {
	if e != nil {
		s.errs[path] = *e
	} else {
		delete(s.errs, path)
	}
	for _, uri := range sortedKeys(s.docs) {
		if s.docs[uri].path == path {
			s.markDirty(uri)
			return
		}
	}
	ds := []diagnostic{}
	if e != nil {
		ds = append(ds, *e)
	}
	s.conn.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: pathURI(path), Diagnostics: ds})
}

// reload forgets every loaded rule file and baseline and searches every
// open document again.
func (s *server) reload() {
	s.opt.Loader.Reload()
	clear(s.setups)
	clear(s.shown)
	for _, p := range sortedKeys(s.errs) {
		s.setError(p, nil)
	}
	for _, uri := range sortedKeys(s.docs) {
		s.docs[uri].result = nil
		s.markDirty(uri)
	}
}

// isDep reports whether a saved file is a rule file or one of the files a
// loaded setup depends on.
func (s *server) isDep(uri string) bool {
	p, ok := uriPath(uri)
	if !ok {
		return false
	}
	if b := filepath.Base(p); b == ".nolegacyruns.yaml" || b == ".nolegacyruns.yml" {
		return true
	}
	for _, c := range s.setups {
		if c.setup == nil {
			continue
		}
		for _, d := range c.setup.Deps {
			if d == p {
				return true
			}
		}
	}
	return false
}

// showError tells the user about a rule file or baseline that could not be
// loaded, once until the next reload, and puts it on the rule file too.
func (s *server) showError(err error) {
	text := strings.TrimRight(s.opt.Loader.Explain(err), "\n")
	if s.shown[text] {
		return
	}
	s.shown[text] = true
	fmt.Fprintln(s.opt.Stderr, text)
	s.conn.notify("window/showMessage", showMessageParams{Type: messageError, Message: text})
	if file, code, line, col, msg, ok := errorPlace(err, s.opt.Dir); ok {
		// The YAML's line and column: right for ASCII, which rule file keys are.
		at := position{max(line-1, 0), max(col-1, 0)}
		s.setError(file, &diagnostic{Range: lspRange{at, at}, Severity: severityError, Source: "nolegacyruns", Code: code, Message: msg})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// base is the folder a run for documents in dir would start in: the
// innermost workspace folder that holds it, else the server's folder if it
// holds it, else dir.
func (s *server) base(dir string) string {
	holds := func(f string) bool {
		_, in := inRoot(f, dir)
		return f != "" && (f == dir || in)
	}
	best := ""
	for _, f := range s.folders {
		if holds(f) && len(f) > len(best) {
			best = f
		}
	}
	switch {
	case best != "":
		return best
	case holds(s.opt.Dir):
		return s.opt.Dir
	}
	return dir
}

// cached is a folder's setup with the state of its files when it was loaded.
type cached struct {
	ruleFile string
	setup    *Setup
	stamps   []stamp
}

type stamp struct {
	path string
	fi   os.FileInfo // nil: the file was not there
}

func stampOf(p string) stamp {
	fi, err := os.Stat(p)
	if err != nil {
		fi = nil
	}
	return stamp{p, fi}
}

func (st stamp) fresh() bool {
	now := stampOf(st.path)
	if st.fi == nil || now.fi == nil {
		return st.fi == nil && now.fi == nil
	}
	return os.SameFile(st.fi, now.fi) && st.fi.Size() == now.fi.Size() && st.fi.ModTime().Equal(now.fi.ModTime())
}

// setup returns the setup in effect for a folder, loading it when the rule
// file in effect or a file it depends on changed.
func (s *server) setup(dir string) (*Setup, error) {
	rf, err := s.opt.Loader.Find(dir)
	if err != nil {
		return nil, err
	}
	if c, ok := s.setups[dir]; ok && c.ruleFile == rf {
		fresh := true
		for _, st := range c.stamps {
			fresh = fresh && st.fresh()
		}
		if fresh {
			return c.setup, nil
		}
	}
	c := &cached{ruleFile: rf}
	before := stampOf(rf) // taken first: a change while loading makes it stale
	if c.setup, err = s.opt.Loader.Load(dir, rf, s.base(dir)); err != nil {
		return nil, err // not kept: loaded again until it loads
	}
	if _, ok := s.errs[rf]; ok {
		s.setError(rf, nil)
	}
	for _, d := range c.setup.Deps {
		if d == rf {
			c.stamps = append(c.stamps, before)
		} else {
			c.stamps = append(c.stamps, stampOf(d))
		}
	}
	s.setups[dir] = c
	return c.setup, nil
}
