package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func mustCompile(t testing.TB, rs *rules.Set) *Engine {
	t.Helper()
	e, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func positions(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s:%d:%d-%d:%s", f.Path, f.Line, f.Column, f.EndColumn, f.Match))
	}
	return out
}

// TestBufferEdges puts tokens across every read-buffer boundary of a large
// file, and inside a line longer than the buffer, and compares the streamed
// scan with the reference run over the whole text.
func TestBufferEdges(t *testing.T) {
	rule := rules.Rule{ID: "r", Match: rules.Word, Tokens: []string{"LegacyRun", "LegacyRunResource", "é_run"}}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{rule}})
	rng := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	filler := []byte("abc déf\t(x) ")
	for b.Len() < 3*bufSize {
		// Dense tokens near each multiple of the buffer size, sparse elsewhere.
		near := b.Len()%bufSize > bufSize-200 || b.Len()%bufSize < 200
		if near || rng.Intn(50) == 0 {
			b.WriteString([]string{"LegacyRun", "LegacyRunResource", " é_run ", "(LegacyRun)", "xLegacyRun", "\n"}[rng.Intn(6)])
		} else {
			b.Write(filler[:1+rng.Intn(len(filler))])
		}
	}
	long := bytes.Repeat([]byte("x LegacyRun "), bufSize/6) // one line of 2 buffers
	text := append(b.Bytes(), long...)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "big.txt"), text, 0o644)
	res, err := e.Scan(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range toLineCols(text, naiveFind(rule, text)) {
		want = append(want, "big.txt:"+s)
	}
	if got := positions(res); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d findings, want %d", len(got), len(want))
	}
	if len(want) < 1000 {
		t.Fatalf("test built too few tokens: %d", len(want))
	}
}

func TestListModeAndErrors(t *testing.T) {
	e := mustCompile(t, &rules.Set{Include: []string{"app/**"}, Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	src := memSource{"app/a.php": "x LegacyRun", "app/bad.php": "", "vendor/x.php": "x LegacyRun", ".git/config": "x LegacyRun"}
	res, err := e.Scan(context.Background(), Options{Root: "/nonexistent", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if got := positions(res); !reflect.DeepEqual(got, []string{"app/a.php:1:3-12:LegacyRun"}) {
		t.Fatalf("findings %v", got)
	}
	if len(res.Errors) != 1 || res.Errors[0].Error() != "app/bad.php: boom" {
		t.Fatalf("errors %v", res.Errors)
	}
	// An empty list scans nothing; it never falls back to a walk.
	res, _ = e.Scan(context.Background(), Options{Root: t.TempDir(), Source: Files{}})
	if res.Stats.FilesScanned != 0 {
		t.Fatal("empty list scanned files")
	}
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 200; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), []byte("LegacyRun"), 0o644)
	}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Scan(ctx, Options{Root: dir}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestScopeTable(t *testing.T) {
	rs := &rules.Set{
		Include: []string{"app/**", "database/**", "*.php"},
		Exclude: []string{"vendor/**", "app/cache", "**/*.min.js"},
		Rules: []rules.Rule{
			{ID: "a", Tokens: []string{"x"}},
			{ID: "b", Tokens: []string{"y"}, Exclude: []string{"database/migrations/**"}},
		},
	}
	sc := newScope(rs)
	tests := []struct {
		path   string
		in     bool
		ruleB  bool
		pruned string // a folder above that must be pruned, if any
	}{
		{"app/Models/X.php", true, true, ""},
		{"app/cache/y.php", false, false, "app/cache"},
		{"app/js/a.min.js", false, false, ""},
		{"database/migrations/1.php", true, false, ""},
		{"root.php", true, true, ""},
		{"vendor/a/b.php", false, false, "vendor"},
		{"docs/x.php", false, false, "docs"},
	}
	for _, tt := range tests {
		s := &scan{e: &Engine{sc: sc}, dirMemo: map[string][]globState{}}
		dir := filepath.ToSlash(filepath.Dir(tt.path))
		if tt.pruned != "" {
			if !s.pruned(tt.pruned) {
				t.Errorf("%s: folder %s not pruned", tt.path, tt.pruned)
			}
			continue
		}
		in, active := sc.file(s.dirState(dir), tt.path, nil)
		if in != tt.in || (in && active != nil && active[1] != tt.ruleB) {
			t.Errorf("%s: in=%v active=%v, want in=%v ruleB=%v", tt.path, in, active, tt.in, tt.ruleB)
		}
	}
}

// A feed adds files from two goroutines while workers run; a feed error
// fails the scan rather than passing on a partial list.
func TestFeed(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i := 0; i < 400; i++ {
		n := fmt.Sprintf("d%d/f%03d.txt", i%7, i)
		os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755)
		os.WriteFile(filepath.Join(dir, n), []byte("x LegacyRun"), 0o644)
		names = append(names, n)
	}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	feed := sourceFunc(func(add func([]Entry)) error {
		done := make(chan bool)
		for half := 0; half < 2; half++ {
			go func(part []string) {
				for i := 0; i < len(part); i += 37 {
					var batch []Entry
					for _, n := range part[i:min(i+37, len(part))] {
						batch = append(batch, Entry{Path: n})
					}
					add(batch)
				}
				done <- true
			}(names[half*200 : half*200+200])
		}
		<-done
		<-done
		return nil
	})
	res, err := e.Scan(context.Background(), Options{Root: dir, Source: feed, Workers: 3})
	if err != nil || len(res.Findings) != 400 || res.Stats.FilesScanned != 400 {
		t.Fatalf("err %v, %d findings, %d scanned", err, len(res.Findings), res.Stats.FilesScanned)
	}
	if !sort.SliceIsSorted(res.Findings, func(i, j int) bool { return res.Findings[i].Path < res.Findings[j].Path }) {
		t.Fatal("findings not sorted")
	}
	boom := errors.New("git ls-files: boom")
	_, err = e.Scan(context.Background(), Options{Root: dir, Workers: 3,
		Source: sourceFunc(func(add func([]Entry)) error { add([]Entry{{Path: names[0]}}); return boom })})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the feed's error", err)
	}
}

// sourceFunc is a Source written as a function.
type sourceFunc func(add func([]Entry)) error

func (f sourceFunc) List(_ context.Context, add func([]Entry)) error { return f(add) }

// memSource serves contents from memory, like the git index; an empty
// content cannot be read.
type memSource map[string]string

func (m memSource) List(_ context.Context, add func([]Entry)) error {
	var es []Entry
	for p := range m {
		es = append(es, Entry{Path: p})
	}
	add(es)
	return nil
}

func (m memSource) Open(p string) (io.ReadCloser, error) {
	if m[p] == "" {
		return nil, errors.New("boom")
	}
	return io.NopCloser(strings.NewReader(m[p])), nil
}

// TestFewNamedFiles holds the search of a few small named files in Scan's
// own goroutine to the search with workers, and to when it applies.
func TestFewNamedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var many []string
	for i := range fewFiles + 1 {
		name := fmt.Sprintf("many/%02d.txt", i)
		write(name, "x LegacyRun\n")
		many = append(many, name)
	}
	write("a.txt", "LegacyRun\nok\n LegacyRun")
	// Read in rounds by a search in Scan's goroutine, with tokens across
	// their edges.
	write("mid.txt", strings.Repeat("LegacyRun x\n", 5*inlineBuf/2/12)+"LegacyRun")
	write("b.txt", "nothing")
	write("dir/c.txt", "LegacyRun")
	write("big.txt", strings.Repeat(" ", fewBytes)+"LegacyRun")
	if err := os.Symlink("a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		src    Source
		inline bool
	}{
		{"files", Paths{"a.txt", "b.txt", "dir/c.txt", "mid.txt"}, true},
		{"a missing file and a symlink", Paths{"a.txt", "gone.txt", "link"}, true},
		{"a folder", Paths{"a.txt", "dir"}, false},
		{"the root", Paths{}, false},
		{"too many", Paths(many), false},
		{"just enough", Paths(many[:fewFiles]), true},
		{"too many bytes", Paths{"a.txt", "big.txt"}, false},
		{"listed, not named", Files{{Path: "a.txt"}, {Path: "b.txt"}}, false},
	}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{legacyRule}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inline []bool
			opt := Options{Root: dir, Source: tt.src}
			opt.tune.inline = func(b bool) { inline = append(inline, b) }
			got, err := e.Scan(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inline, []bool{tt.inline}) {
				t.Fatalf("inline %v, want %v", inline, tt.inline)
			}
			opt.Workers = 3
			want, err := e.Scan(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("inline:\n%+v\nwith workers:\n%+v", got, want)
			}
			if len(got.Findings) == 0 {
				t.Fatal("no findings: the test scans nothing")
			}
		})
	}
}

// TestFewNamedFilesGrow: a named file that grows into a big one between
// the listing and its read is cut into chunks that the one worker of Scan's
// own goroutine searches, with the findings of a scan with workers; and a
// scan whose context is cancelled returns its error.
func TestFewNamedFilesGrow(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(name, []byte("LegacyRun\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := []byte(strings.Repeat("x LegacyRun y\n", 4000))
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{legacyRule}})
	var chunks int
	opt := Options{Root: dir, Source: Paths{"a.txt", "b.txt"}}
	opt.tune = tuning{chunkMin: 4096, chunkSize: 4096, bufSize: 4096, beforeChunk: func(int) { chunks++ }}
	opt.tune.inline = func(inline bool) {
		if !inline {
			t.Fatal("not searched inline")
		}
		if err := os.WriteFile(name, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if chunks < 2 {
		t.Fatalf("%d chunks: the file was not cut", chunks)
	}
	opt.tune.inline, opt.tune.beforeChunk, opt.Workers = nil, nil, 3
	want, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 4000 || !reflect.DeepEqual(positions(got), positions(want)) || got.Stats != want.Stats {
		t.Fatalf("inline: %d findings, %+v; with workers: %d, %+v", len(got.Findings), got.Stats, len(want.Findings), want.Stats)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opt.Workers = 0
	if res, err := e.Scan(ctx, opt); !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("cancelled: %v, %v", res, err)
	}
}

// namedTwice names each of its paths twice, as a hook or a user can.
type namedTwice []string

func (n namedTwice) List(_ context.Context, add func([]Entry)) error {
	var es []Entry
	for _, p := range n {
		es = append(es, Entry{Path: p, Named: true}, Entry{Path: "./" + p, Named: true})
	}
	add(es)
	return nil
}

// TestNamedTwice: a path named twice is searched once, whatever the source.
func TestNamedTwice(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "d"), 0o755)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("LegacyRun"), 0o644)
	os.WriteFile(filepath.Join(dir, "d", "b.txt"), []byte("LegacyRun"), 0o644)
	res := scanDir(t, dir, Options{Source: namedTwice{"a.txt", "d"}})
	if got := positions(res); len(got) != 2 || res.Stats.FilesScanned != 2 {
		t.Fatalf("findings %v, %d files scanned; want each once", got, res.Stats.FilesScanned)
	}
}
