package scanner

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/1", Shard{1, 1}, true},
		{"2/4", Shard{2, 4}, true},
		{"4/4", Shard{4, 4}, true},
		{"0/4", Shard{}, false},
		{"5/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"-1/4", Shard{}, false},
		{"+1/4", Shard{}, false},
		{"1/+4", Shard{}, false},
		{"1", Shard{}, false},
		{"1/4/2", Shard{}, false},
		{"a/b", Shard{}, false},
		{"", Shard{}, false},
		{" 1/4", Shard{}, false},
	} {
		got, err := ParseShard(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseShard(%q) = %v, %v", c.in, got, err)
		}
	}
}

// The hash of a path is fixed: these values are what every machine, and
// every later version, must compute, or shards of one run would overlap.
func TestShardOfStable(t *testing.T) {
	got := []int{ShardOf("", 7), ShardOf("app/Models/Item.php", 7), ShardOf("app/Models/Item.php", 2), ShardOf("é/\xff", 1000)}
	want := []int{6, 4, 2, 592}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ShardOf = %v, want %v", got, want)
	}
	// Spread: 10,000 similar paths in 4 parts of 2,500 each, give or take 5%.
	n := [5]int{}
	for i := range 10000 {
		n[ShardOf(fmt.Sprintf("app/Models/Model%04d.php", i), 4)]++
	}
	for i := 1; i <= 4; i++ {
		if n[i] < 2375 || n[i] > 2625 {
			t.Errorf("part %d has %d of 10000 paths", i, n[i])
		}
	}
}

// Every path is in exactly one part of N.
func FuzzShard(f *testing.F) {
	f.Add("app/a.php", uint8(4))
	f.Add("", uint8(1))
	f.Add("\x00\xff/ü", uint8(255))
	f.Fuzz(func(t *testing.T, p string, n uint8) {
		if n == 0 {
			n = 1
		}
		in := 0
		for i := 1; i <= int(n); i++ {
			if (Shard{i, int(n)}).Has(p) {
				in++
			}
		}
		if in != 1 {
			t.Fatalf("%q is in %d of %d parts", p, in, n)
		}
		if s := ShardOf(p, int(n)); s < 1 || s > int(n) || s != ShardOf(p, int(n)) {
			t.Fatalf("ShardOf(%q, %d) = %d", p, n, s)
		}
	})
}

// shardTree writes a random tree: files with and without findings, binary
// files, symlinks, a FIFO, an unreadable file, folders out of scope.
func shardTree(t *testing.T, seed int64) string {
	dir := t.TempDir()
	rnd := rand.New(rand.NewSource(seed))
	for i := range 300 {
		d := filepath.Join(dir, []string{"app", "app/Models", "app/x/y", "lib", "vendor"}[rnd.Intn(5)])
		os.MkdirAll(d, 0o755)
		name := filepath.Join(d, fmt.Sprintf("f%d.%s", i, []string{"php", "txt", "bin"}[rnd.Intn(3)]))
		var b strings.Builder
		for l := range rnd.Intn(6) {
			if rnd.Intn(2) == 0 {
				fmt.Fprintf(&b, "line %d LegacyRun and OldRun\n", l)
			} else {
				b.WriteString("nothing here\n")
			}
		}
		if strings.HasSuffix(name, ".bin") {
			b.WriteString("\x00LegacyRun")
		}
		os.WriteFile(name, []byte(b.String()), 0o644)
		if rnd.Intn(15) == 0 {
			os.Symlink(name, name+".link")
		}
	}
	if runtime.GOOS != "windows" {
		mkfifo(filepath.Join(dir, "app", "fifo"))
		locked := filepath.Join(dir, "app", "locked.php")
		os.WriteFile(locked, []byte("LegacyRun"), 0o000)
	}
	return dir
}

type shardRun struct {
	findings, errors []string
	scanned, binary  int
	skipped, else_   int
}

func runShard(t *testing.T, e *Engine, opt Options) shardRun {
	t.Helper()
	res, err := e.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	r := shardRun{findings: positions(res), scanned: res.Stats.FilesScanned, binary: res.Stats.FilesBinary,
		skipped: res.Stats.FilesSkipped, else_: res.Stats.FilesElsewhere}
	for _, fe := range res.Errors {
		r.errors = append(r.errors, fe.Error())
	}
	for _, f := range res.Findings {
		if !opt.Shard.Has(f.Path) {
			t.Errorf("part %v reports %s", opt.Shard, f.Path)
		}
	}
	return r
}

// The parts of a sharded scan are disjoint and complete, for several N and
// any number of workers: their findings, file errors and counts add up to
// the whole scan's, each file's in exactly one part.
func TestShardCompleteAndDisjoint(t *testing.T) {
	e := mustCompile(t, &rules.Set{Exclude: []string{"vendor/**"}, Rules: []rules.Rule{
		{ID: "a", Tokens: []string{"LegacyRun"}}, {ID: "b", Tokens: []string{"OldRun"}}}})
	for seed := int64(1); seed <= 3; seed++ {
		dir := shardTree(t, seed)
		for _, src := range []struct {
			name string
			src  Source
		}{{"walk", nil}, {"named", Paths{"app/Models", "lib", "app/x/y/../../app/x", "app/missing.php", "lib/gone/x.php"}}} {
			whole := runShard(t, e, Options{Root: dir, Source: src.src, Workers: 3})
			if len(whole.findings) == 0 || whole.binary == 0 || whole.skipped == 0 {
				t.Fatalf("the tree tests too little: %+v", whole)
			}
			if src.name == "named" && len(whole.errors) != 2 {
				t.Fatalf("want the missing named files' errors: %v", whole.errors)
			}
			if os.Geteuid() != 0 && src.name == "walk" && len(whole.errors) != 1 {
				t.Fatalf("want the unreadable file's error: %v", whole.errors)
			}
			for _, n := range []int{1, 2, 3, 5, 8, 13} {
				var sum shardRun
				for i := 1; i <= n; i++ {
					p := runShard(t, e, Options{Root: dir, Source: src.src, Shard: Shard{i, n}, Workers: 1 + (i*7)%16})
					sum.findings = append(sum.findings, p.findings...)
					sum.errors = append(sum.errors, p.errors...)
					sum.scanned += p.scanned
					sum.binary += p.binary
					sum.skipped += p.skipped
					if n > 1 && p.scanned+p.binary+p.else_ == 0 {
						t.Errorf("%s, part %d/%d: no file here or elsewhere", src.name, i, n)
					}
				}
				slices.Sort(sum.findings)
				slices.Sort(sum.errors)
				want := slices.Clone(whole.findings)
				slices.Sort(want)
				name := fmt.Sprintf("seed %d, %s, %d parts", seed, src.name, n)
				if !reflect.DeepEqual(sum.findings, want) {
					t.Errorf("%s: the parts' findings (%d) are not the whole scan's (%d)", name, len(sum.findings), len(want))
				}
				if !reflect.DeepEqual(sum.errors, whole.errors) {
					t.Errorf("%s: errors %v, want %v", name, sum.errors, whole.errors)
				}
				if sum.scanned != whole.scanned || sum.binary != whole.binary || sum.skipped != whole.skipped {
					t.Errorf("%s: counts %d/%d/%d, want %d/%d/%d", name, sum.scanned, sum.binary, sum.skipped,
						whole.scanned, whole.binary, whole.skipped)
				}
			}
		}
	}
}

// A part of an Opener's files (the git index) is chosen the same way.
func TestShardOpener(t *testing.T) {
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	src := memSource{}
	for i := range 50 {
		src[fmt.Sprintf("f%d.php", i)] = "LegacyRun"
	}
	src["bad.php"] = ""
	total, errs := 0, 0
	for i := 1; i <= 3; i++ {
		r := runShard(t, e, Options{Root: "/nonexistent", Source: src, Shard: Shard{i, 3}})
		total += len(r.findings)
		errs += len(r.errors)
		if r.scanned+len(r.errors)+r.else_ != 51 {
			t.Errorf("part %d: %d scanned, %d errors, %d elsewhere", i, r.scanned, len(r.errors), r.else_)
		}
	}
	if total != 50 || errs != 1 {
		t.Errorf("%d findings, %d errors", total, errs)
	}
}
