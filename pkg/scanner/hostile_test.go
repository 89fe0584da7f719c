package scanner

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

var legacyRule = rules.Rule{ID: "r", Tokens: []string{"LegacyRun"}}

func scanDir(t *testing.T, root string, opt Options) *Result {
	t.Helper()
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{legacyRule}})
	opt.Root = root
	res, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Files listed (by git, say) but gone by the time they are read are
// skipped, not errors: there is nothing left to look at.
func TestVanishedFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "here.txt"), []byte("LegacyRun"), 0o644)
	res := scanDir(t, dir, Options{Source: Files{{Path: "here.txt"}, {Path: "gone.txt"}}})
	if len(res.Findings) != 1 || res.Stats.FilesSkipped != 1 || len(res.Errors) != 0 {
		t.Fatalf("%+v", res)
	}
	// Named outright, a missing path is an error: the user asked for it.
	res = scanDir(t, dir, Options{Source: Paths{"gone.txt"}})
	if len(res.Errors) != 1 {
		t.Fatalf("errors %v", res.Errors)
	}
}

func TestManyFilesAndDeepPaths(t *testing.T) {
	dir := t.TempDir()
	n := 100000
	if testing.Short() || raceBuild {
		n = 5000
	}
	flat := filepath.Join(dir, "flat")
	os.Mkdir(flat, 0o755)
	for i := 0; i < n; i++ {
		body := []byte("x")
		if i%10000 == 0 {
			body = []byte("LegacyRun")
		}
		if err := os.WriteFile(filepath.Join(flat, fmt.Sprintf("f%06d", i)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deep := filepath.Join(dir, "deep")
	for i := 0; i < 200; i++ {
		deep = filepath.Join(deep, "d")
	}
	os.MkdirAll(deep, 0o755)
	os.WriteFile(filepath.Join(deep, "x.txt"), []byte("LegacyRun"), 0o644)
	res := scanDir(t, dir, Options{})
	if res.Stats.FilesScanned != n+1 || len(res.Findings) != (n+9999)/10000+1 {
		t.Fatalf("scanned %d findings %d", res.Stats.FilesScanned, len(res.Findings))
	}
	last := res.Findings[0].Path
	if strings.Count(last, "/") != 201 {
		t.Fatalf("deep path %q", last)
	}
}

// UTF-16 files with a byte order mark are decoded and searched.
func TestUTF16(t *testing.T) {
	dir := t.TempDir()
	enc := func(order binary.ByteOrder, bom uint16, s string) []byte {
		var b bytes.Buffer
		binary.Write(&b, order, bom)
		binary.Write(&b, order, utf16.Encode([]rune(s)))
		return b.Bytes()
	}
	os.WriteFile(filepath.Join(dir, "le.txt"), enc(binary.LittleEndian, 0xFEFF, "line one\r\nx = LegacyRun;\r\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "be.txt"), enc(binary.BigEndian, 0xFEFF, "é LegacyRun"), 0o644)
	res := scanDir(t, dir, Options{})
	want := []string{"be.txt:1:4-13:LegacyRun", "le.txt:2:5-14:LegacyRun"}
	if got := positions(res); !reflect.DeepEqual(got, want) || res.Stats.FilesBinary != 0 {
		t.Fatalf("got %v binary %d", got, res.Stats.FilesBinary)
	}
}

// TestUTF16Probe: whether a file with a byte order mark is UTF-16 depends
// on its first 8 KiB only (a NUL byte there), never on the read buffer: a
// named file searched in Scan's goroutine (a 16 KiB buffer) is decoded
// exactly when a scan with workers (256 KiB) decodes it.
func TestUTF16Probe(t *testing.T) {
	dir := t.TempDir()
	enc := func(s string) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint16(0xFEFF))
		binary.Write(&b, binary.LittleEndian, utf16.Encode([]rune(s)))
		return b.Bytes()
	}
	// "中文" is 2D 4E 87 65 in UTF-16LE: no NUL before the line break.
	os.WriteFile(filepath.Join(dir, "near.txt"), enc(strings.Repeat("中文", 1000)+"\nLegacyRun\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "far.txt"), enc(strings.Repeat("中文", 5000)+"\nLegacyRun\n"), 0o644)
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{legacyRule}})
	var inline []bool
	opt := Options{Root: dir, Source: Paths{"near.txt", "far.txt"}}
	opt.tune.inline = func(b bool) { inline = append(inline, b) }
	got, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inline, []bool{true}) {
		t.Fatalf("inline %v: the test needs a search in Scan's goroutine", inline)
	}
	opt.tune.inline, opt.Workers = nil, 3
	want, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("inline: %v %+v\nwith workers: %v %+v", positions(got), got.Stats, positions(want), want.Stats)
	}
	if p := positions(got); !reflect.DeepEqual(p, []string{"near.txt:2:1-10:LegacyRun"}) {
		t.Fatalf("findings %v, want near.txt's only (far.txt has no NUL in its first 8 KiB)", p)
	}
}

// A 4 GB sparse file and a 200 MB single-line file are scanned through the
// fixed buffer: the heap does not grow with them.
func TestHugeFilesFlatMemory(t *testing.T) {
	dir := t.TempDir()
	sparse, line := int64(4<<30), 200<<20
	if testing.Short() || raceBuild {
		sparse, line = 64<<20, 8<<20
	}
	f, err := os.Create(filepath.Join(dir, "sparse.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(strings.Repeat("text ", 2000)) // not binary: no NUL in the first 8 KiB
	if err := f.Truncate(sparse); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.WriteAt([]byte("LegacyRun"), sparse-9)
	f.Close()
	g, _ := os.Create(filepath.Join(dir, "oneline.txt"))
	chunk := bytes.Repeat([]byte("abcdefgh "), 1<<16)
	written := 0
	for written < line {
		g.Write(chunk)
		written += len(chunk)
	}
	g.WriteString("LegacyRun")
	g.Close()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := scanDir(t, dir, Options{Workers: 2})
	runtime.ReadMemStats(&after)
	// Sorted by path: oneline.txt, then sparse.txt, whose only line holds the hole.
	if len(res.Findings) != 2 || res.Findings[0].Column != written+1 || res.Findings[1].Column != int(sparse-9+1) {
		t.Fatalf("findings %+v", positions(res))
	}
	if grew := int64(after.HeapSys) - int64(before.HeapSys); grew > 64<<20 {
		t.Fatalf("heap grew by %d MiB scanning %d MiB", grew>>20, (sparse+int64(line))>>20)
	}
}

// No goroutine outlives a scan, finished or cancelled.
func TestNoGoroutineLeak(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 300; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), []byte("LegacyRun"), 0o644)
	}
	base := runtime.NumGoroutine()
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{legacyRule}})
	e.Scan(context.Background(), Options{Root: dir, Workers: 16})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(time.Millisecond); cancel() }()
	e.Scan(ctx, Options{Root: dir, Workers: 16})
	cancel()
	// Goroutines that have returned may take a moment to be counted out.
	for i := 0; i < 100 && runtime.NumGoroutine() > base; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Fatalf("%d goroutines before, %d after", base, n)
	}
}
