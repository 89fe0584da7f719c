package scanner

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf16"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// chunkRules has what makes chunks hard: tokens that overlap themselves and
// each other, whole words with dots and non-ASCII runes, case folding, and
// rule ids for directives.
var chunkRules = &rules.Set{Rules: []rules.Rule{
	{ID: "r1", Tokens: []string{"LegacyRun", "LegacyRunResource", "aXa", "aa"}},
	{ID: "r2", Match: rules.Word, Tokens: []string{"inventory.sync", "run_id", "é_run"}},
	{ID: "r3", IgnoreCase: true, Tokens: []string{"sync", "kk"}},
}}

// scanChunked scans one file twice, sequentially and in chunks of
// chunkSize bytes, with the same read buffer, and returns both results and
// how many chunks were searched.
func scanChunked(t testing.TB, e *Engine, dir string, bufSize, chunkSize, workers int) (seq, chunked *Result, chunks int) {
	t.Helper()
	var n atomic.Int64
	seq, err := e.Scan(context.Background(), Options{Root: dir, Workers: workers,
		tune: tuning{bufSize: bufSize, chunkMin: math.MaxInt}})
	if err != nil {
		t.Fatal(err)
	}
	chunked, err = e.Scan(context.Background(), Options{Root: dir, Workers: workers,
		tune: tuning{bufSize: bufSize, chunkMin: 1, chunkSize: chunkSize, beforeChunk: func(int) { n.Add(1) }}})
	if err != nil {
		t.Fatal(err)
	}
	return seq, chunked, int(n.Load())
}

// sameResults reports the first difference between two results, every
// field of every finding included.
func sameResults(a, b *Result) error {
	if len(a.Findings) != len(b.Findings) {
		return fmt.Errorf("%d findings, chunked %d", len(a.Findings), len(b.Findings))
	}
	for i := range a.Findings {
		if !reflect.DeepEqual(a.Findings[i], b.Findings[i]) {
			return fmt.Errorf("finding %d:\n sequential %+v\n chunked    %+v", i, *a.Findings[i], *b.Findings[i])
		}
	}
	if !reflect.DeepEqual(a.Errors, b.Errors) || a.Stats != b.Stats {
		return fmt.Errorf("errors %v stats %+v, chunked errors %v stats %+v", a.Errors, a.Stats, b.Errors, b.Stats)
	}
	return nil
}

// FuzzChunkedEquivalence: a file searched in chunks of any size, by any
// number of workers, gives exactly the sequential search's result.
func FuzzChunkedEquivalence(f *testing.F) {
	f.Add("x LegacyRun y // nolegacyruns:ignore r1 -- old\n", uint8(60), uint16(7), uint8(0), uint8(2))
	f.Add("aXaXaXaXa aaaaaaa LegacyRunResource\n", uint8(90), uint16(1), uint8(3), uint8(3))
	f.Add("é_run 'inventory.sync' inventory.sync.x run_id; ", uint8(200), uint16(500), uint8(1), uint8(1))
	f.Add("# nolegacyruns:ignore r1, r3 -- both\nSYNC aa\r\n", uint8(120), uint16(33), uint8(9), uint8(4))
	f.Add("𝄞é LegacyRun 𝄞 kK sync ", uint8(255), uint16(1500), uint8(40), uint8(2)) // one long line
	f.Add("<!-- nolegacyruns:ignore-file r2 -- generated -->\nrun_id\n", uint8(80), uint16(64), uint8(5), uint8(2))
	f.Add("/* nolegacyruns:ignore r9 */ LegacyRun\n\n\n", uint8(100), uint16(2), uint8(77), uint8(3))
	e, err := Compile(chunkRules)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string, rep uint8, chunk uint16, buf uint8, workers uint8) {
		data := []byte(strings.Repeat(text, 1+int(rep)))
		if len(data) > 16<<10 {
			data = data[:16<<10]
		}
		if err := os.WriteFile(filepath.Join(dir, "f.txt"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Each chunk reads about 2 KiB around it: at most 100 chunks keep
		// an input fast.
		size := max(1+int(chunk)%3000, len(data)/100)
		// A read buffer of the least size moves a byte a round; 256 more
		// keep an input fast, and FuzzMatcher tries the least sizes.
		seq, chunked, _ := scanChunked(t, e, dir, e.m.minBuf()+256+37*int(buf), size, 1+int(workers)%4)
		if err := sameResults(seq, chunked); err != nil {
			t.Fatalf("text %q x%d, chunks of %d: %v", text, 1+int(rep), size, err)
		}
	})
}

// chunkText is seeded text with everything at every offset: tokens,
// overlapping ones, directives (alone and after code), CRLF, multi-byte
// runes, and lines from empty to several KiB.
func chunkText(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	parts := []string{"LegacyRun", "LegacyRunResource", "aXaXa", "aaa", " inventory.sync ", "run_id", "é_run", "SYNC",
		"𝄞", "é", "\n", "\r\n", "\n\n", "// nolegacyruns:ignore r1 -- why\n", "# nolegacyruns:ignore r3\n",
		"x // nolegacyruns:ignore r1 -- after code\n", "/* nolegacyruns:ignore r2 */", " ", "code", "(", "'"}
	var b bytes.Buffer
	for b.Len() < n {
		if r.Intn(400) == 0 {
			b.WriteString(strings.Repeat("long line ", 100+r.Intn(500)))
		}
		b.WriteString(parts[r.Intn(len(parts))])
	}
	return b.Bytes()
}

// TestChunkedMatchesSequential compares chunked and sequential searches of
// seeded files for many chunk sizes and worker counts, and checks that the
// output is the same for every worker count.
func TestChunkedMatchesSequential(t *testing.T) {
	e := mustCompile(t, chunkRules)
	dir := t.TempDir()
	for seed := int64(1); seed <= 3; seed++ {
		os.WriteFile(filepath.Join(dir, "f.txt"), chunkText(16<<10, seed), 0o644)
		var first *Result
		for _, size := range []int{2, 7, 64, 1000, 1029, 1030, 5000} {
			for _, workers := range []int{1, 3, 8} {
				seq, chunked, n := scanChunked(t, e, dir, e.m.minBuf()+int(seed)*13, size, workers)
				if err := sameResults(seq, chunked); err != nil {
					t.Fatalf("seed %d, chunks of %d, %d workers: %v", seed, size, workers, err)
				}
				if n < 2 {
					t.Fatalf("seed %d, chunks of %d: %d chunks", seed, size, n)
				}
				if first == nil {
					first = chunked
				} else if err := sameResults(first, chunked); err != nil {
					t.Fatalf("workers %d: %v", workers, err)
				}
			}
		}
		first = nil
	}
}

// A directive alone on a chunk's last line suppresses the finding on the
// next chunk's first line, and a token across the cut is found once.
func TestChunkedDirectiveAtCut(t *testing.T) {
	e := mustCompile(t, chunkRules)
	dir := t.TempDir()
	head := strings.Repeat("filler\n", 600) + "// nolegacyruns:ignore r1 -- kept\n"
	for _, cut := range []int{len(head) - 1, len(head), len(head) + 4} {
		// A file of 2*cut bytes in chunks of cut bytes: one cut, there.
		body := head + "LegacyRun\n"
		body += strings.Repeat("y", 2*cut-len(body))
		os.WriteFile(filepath.Join(dir, "f.txt"), []byte(body), 0o644)
		seq, chunked, n := scanChunked(t, e, dir, e.m.minBuf(), cut, 2)
		if err := sameResults(seq, chunked); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if n != 2 || len(chunked.Findings) != 1 || chunked.Findings[0].Suppression == nil || chunked.Findings[0].Line != 602 {
			t.Fatalf("cut at %d: %d chunks, findings %+v", cut, n, positions(chunked))
		}
	}
}

// A big file that shrinks while its chunks are read is an error, never a
// crash; one that grows is read to its end, as the sequential search does.
func TestChunkedFileChangesSize(t *testing.T) {
	e := mustCompile(t, chunkRules)
	dir := t.TempDir()
	name := filepath.Join(dir, "f.txt")
	text := strings.Repeat("LegacyRun and more text\n", 2000)
	for _, c := range []struct {
		change  func()
		errs    int
		matches int
	}{
		{func() { os.Truncate(name, int64(len(text)/3)) }, 1, 0},
		{func() { os.Truncate(name, 0) }, 1, 0},
		{func() {
			f, _ := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("LegacyRun at the end\n")
			f.Close()
		}, 0, 2001},
	} {
		os.WriteFile(name, []byte(text), 0o644)
		res, err := e.Scan(context.Background(), Options{Root: dir, Workers: 1,
			tune: tuning{chunkMin: 1, chunkSize: 4096, bufSize: 8192, beforeChunk: func(k int) {
				if k == 1 {
					c.change()
				}
			}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != c.errs || len(res.Findings) != c.matches {
			t.Fatalf("errors %v, %d findings, want %d and %d", res.Errors, len(res.Findings), c.errs, c.matches)
		}
		if c.errs > 0 && !errors.Is(res.Errors[0].Err, errShrunk) {
			t.Fatalf("error %v", res.Errors[0])
		}
	}
}

// Binary and UTF-16 files are decided on their first read, as always, and
// never cut into chunks.
func TestChunkedBinaryAndUTF16(t *testing.T) {
	e := mustCompile(t, chunkRules)
	dir := t.TempDir()
	var u bytes.Buffer
	binary.Write(&u, binary.LittleEndian, uint16(0xFEFF))
	binary.Write(&u, binary.LittleEndian, utf16.Encode([]rune(strings.Repeat("é LegacyRun\r\n", 3000))))
	os.WriteFile(filepath.Join(dir, "u16.txt"), u.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "bin"), append([]byte("LegacyRun\x00"), bytes.Repeat([]byte("LegacyRun\n"), 8000)...), 0o644)
	seq, chunked, n := scanChunked(t, e, dir, e.m.minBuf(), 1000, 2)
	if err := sameResults(seq, chunked); err != nil {
		t.Fatal(err)
	}
	if n != 0 || chunked.Stats.FilesBinary != 1 || len(chunked.Findings) != 3000 {
		t.Fatalf("%d chunks, stats %+v, %d findings", n, chunked.Stats, len(chunked.Findings))
	}
}

// A scan cancelled while big files are in chunks returns the context's
// error and leaves no file open.
func TestChunkedCancel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts /proc/self/fd")
	}
	e := mustCompile(t, chunkRules)
	dir := t.TempDir()
	for i := 0; i < 5; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), bytes.Repeat([]byte("LegacyRun\n"), 5000), 0o644)
	}
	fds := func() int { es, _ := os.ReadDir("/proc/self/fd"); return len(es) }
	before := fds()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := e.Scan(ctx, Options{Root: dir, Workers: 3, tune: tuning{chunkMin: 1, chunkSize: 1000, bufSize: 8192,
		beforeChunk: func(k int) {
			if k == 3 {
				cancel()
			}
		}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if after := fds(); after != before {
		t.Fatalf("%d files open before, %d after", before, after)
	}
}

// Chunks are taken before anything else on the stack, first chunk first.
func TestChunksFirst(t *testing.T) {
	s := newScan(&Engine{}, Options{}, Paths(nil))
	s.stack = []task{{rel: "a", dir: true}, {rel: "b", dir: true}}
	b := &bigFile{}
	s.pushChunks(b, []task{{chunk: &chunkTask{b: b, k: 0}}, {chunk: &chunkTask{b: b, k: 1}}})
	var got []string
	for range 4 {
		tk, _ := s.pop()
		if tk.chunk != nil {
			got = append(got, fmt.Sprint(tk.chunk.k))
		} else {
			got = append(got, tk.rel)
		}
	}
	if strings.Join(got, " ") != "0 1 b a" {
		t.Fatalf("order %v", got)
	}
}

// BenchmarkBigFile scans one 64 MiB file, sequentially and in chunks.
func BenchmarkBigFile(b *testing.B) {
	dir := b.TempDir()
	text := benchText(64<<20, 1)
	os.WriteFile(filepath.Join(dir, "big.log"), text, 0o644)
	e, _ := Compile(&rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: legacyTokens}}})
	for _, c := range []struct {
		name string
		tune tuning
	}{{"sequential", tuning{chunkMin: math.MaxInt}}, {"chunked", tuning{}}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for i := 0; i < b.N; i++ {
				if _, err := e.Scan(context.Background(), Options{Root: dir, Source: Paths{"big.log"}, tune: c.tune}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
