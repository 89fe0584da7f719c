package scanner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

var benchWords = strings.Fields(`public function return $this->query where orderBy get first create
	update delete tenant Tenant operation OperationRun operation_runs run_type status started_at
	finished_at user_id tenant_id Model Builder Collection array string null true false class
	extends use namespace App Models Filament Resources inventory sync Sync entra group backup
	schedule Schedule ( ) [ ] { } => -> :: ; , = === !== && ||`)

var legacyTokens = []string{"InventorySyncRun", "inventory_sync_runs", "InventorySyncRunResource",
	"EntraGroupSyncRun", "entra_group_sync_runs", "EntraGroupSyncRunResource", "BackupScheduleRun",
	"backup_schedule_runs", "BackupScheduleRunsRelationManager"}

// benchText is seeded, code-like text with a legacy token every ~50 KB.
func benchText(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	for b.Len() < n {
		for i := 2 + r.Intn(10); i > 0; i-- {
			if r.Intn(8000) == 0 {
				b.WriteString(legacyTokens[r.Intn(len(legacyTokens))])
			} else {
				b.WriteString(benchWords[r.Intn(len(benchWords))])
			}
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String()[:n])
}

// benchTokens returns the legacy tokens, then diverse made-up identifiers.
func benchTokens(n int) []string {
	r := rand.New(rand.NewSource(2))
	toks := append([]string(nil), legacyTokens...)
	for len(toks) < n {
		toks = append(toks, identifier(r))
	}
	return toks[:n]
}

var syllables = strings.Fields("al be cor da en fi go hu in jo ka lu mi no or pa qu ri su ta ul vi wa xe yo za")

// identifier makes a CamelCase or snake_case name of 2-4 made-up words.
func identifier(r *rand.Rand) string {
	var parts []string
	for i := 2 + r.Intn(3); i > 0; i-- {
		w := syllables[r.Intn(len(syllables))] + syllables[r.Intn(len(syllables))] + syllables[r.Intn(len(syllables))]
		parts = append(parts, w)
	}
	if r.Intn(2) == 0 {
		return strings.Join(parts, "_")
	}
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

// BenchmarkFinders measures each finder over 1 MB of code-like text.
func BenchmarkFinders(b *testing.B) {
	text := benchText(1<<20, 1)
	for _, n := range []int{9, 500, 5000} {
		e, _ := Compile(&rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: benchTokens(n)}}})
		for name, f := range finderVariants(e.m) {
			if name == "anchors-generic" {
				continue // a test oracle, never used in production
			}
			b.Run(fmt.Sprintf("tokens=%d/%s", n, name), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				var dst []occ
				for i := 0; i < b.N; i++ {
					dst = f.find(text, 0, dst[:0])
				}
			})
		}
	}
}

// BenchmarkTermFinders measures each way of finding the default rules'
// terms (30 case-insensitive spellings and the suppression directive) over
// 1 MB of code-like text.
func BenchmarkTermFinders(b *testing.B) {
	text := benchText(1<<20, 1)
	e, _ := Compile(&rules.Set{Rules: []rules.Rule{
		{ID: "a", Match: rules.Term, Tokens: []string{"InventorySyncRun", "EntraGroupSyncRun", "BackupScheduleRun"}},
		{ID: "b", Match: rules.Term, Tokens: []string{"baseline_run_id", "current_run_id", "last_seen_run_id"}},
	}})
	for name, f := range lowerVariants(e.m.lower) {
		if name == "fold-generic" {
			continue // a test oracle, never used in production
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var dst []occ
			var scratch []byte
			for b.Loop() {
				dst = f.find(text, 0, dst[:0], &scratch)
			}
		})
	}
}

// BenchmarkScan measures a whole scan of a seeded tree of 2,000 files.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	var total int64
	for i := 0; i < 2000; i++ {
		p := filepath.Join(dir, fmt.Sprintf("app/d%02d/f%04d.php", i%37, i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data := benchText(1000+(i*7919)%20000, int64(i))
		total += int64(len(data))
		os.WriteFile(p, data, 0o644)
	}
	e, _ := Compile(&rules.Set{Include: []string{"app/**"}, Exclude: []string{"vendor/**"},
		Rules: []rules.Rule{{ID: "r", Tokens: legacyTokens}}})
	for _, w := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.SetBytes(total)
			for i := 0; i < b.N; i++ {
				if _, err := e.Scan(context.Background(), Options{Root: dir, Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRegexRules measures the search of one 4 MiB file with the
// legacy tokens alone, and with a regex rule added whose required literal
// is rare, common (on a third of the lines), or missing (every line).
func BenchmarkRegexRules(b *testing.B) {
	text := benchText(4<<20, 1)
	legacy := rules.Rule{ID: "legacy", Tokens: legacyTokens}
	for _, c := range []struct{ name, expr string }{
		{"none", ""},
		{"rare-literal", `DB::table\(['"][a-z_]+_runs['"]\)`},
		{"common-literal", `\bfunction \w*[Rr]un\w*\b`},
		{"common-literal-rare-inner", `\bfunction \w*SyncRun\w*\b`},
		{"no-literal", `[0-9]{3}-[0-9]{4}`},
		{"substring-instead", "DB::table("},
	} {
		rs := []rules.Rule{legacy}
		if c.name == "substring-instead" {
			rs = append(rs, rules.Rule{ID: "sub", Tokens: []string{c.expr}})
		} else if c.expr != "" {
			rs = append(rs, rules.Rule{ID: "rx", Match: rules.Regex, Tokens: []string{c.expr}})
		}
		e, err := Compile(&rules.Set{Rules: rs})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			w := &worker{s: &scan{e: e}, buf: make([]byte, bufSize)}
			for i := 0; i < b.N; i++ {
				w.findings, w.store = w.findings[:0], nil
				w.search("f", nil, bytes.NewReader(text))
			}
		})
	}
}

// BenchmarkCompile measures building the engine of the default rules' two
// term rules, which every run does before it reads a file.
func BenchmarkCompile(b *testing.B) {
	set := &rules.Set{Rules: []rules.Rule{
		{ID: "a", Match: rules.Term, Tokens: []string{"InventorySyncRun", "EntraGroupSyncRun", "BackupScheduleRun"}},
		{ID: "b", Match: rules.Term, Tokens: []string{"baseline_run_id", "current_run_id", "last_seen_run_id"}},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(set); err != nil {
			b.Fatal(err)
		}
	}
}
