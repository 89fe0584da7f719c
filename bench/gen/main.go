// Command gen writes a deterministic benchmark corpus: a Laravel-shaped app or a large generic source tree.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

var (
	out    = flag.String("out", "bench/corpus", "folder to write")
	shape  = flag.String("shape", "laravel", "laravel, tree, or log (one file of -log MB at -out)")
	seed   = flag.Int64("seed", 87, "random seed; the same seed writes the same bytes")
	files  = flag.Int("files", 70000, "tree shape: number of files (70,000 is about 1 GB)")
	logMB  = flag.Int("log", 50, "laravel shape: size of storage/logs/laravel.log in MB")
	vendor = flag.Int("vendor", 15000, "laravel shape: files under vendor/")
	plant  = flag.Int("plant", 20000, "plant a default-rules token about once per this many words; 0 plants none")
	tokens = flag.Int("tokens", 5000, "write this many tokens, one a line, to OUT.tokens; the first 9 are the default rules' tokens")
)

// The default rule set's tokens, planted rarely so that there are findings.
var legacy = []string{"InventorySyncRun", "inventory_sync_runs", "InventorySyncRunResource", "EntraGroupSyncRun",
	"entra_group_sync_runs", "EntraGroupSyncRunResource", "BackupScheduleRun", "backup_schedule_runs",
	"BackupScheduleRunsRelationManager"}

var words = strings.Fields(`public function return $this->query where orderBy get first
	create update delete tenant Tenant operation OperationRun operation_runs run_type status
	started_at finished_at created_at updated_at user_id tenant_id model Model Builder Collection
	array string int bool null true false self static new class extends implements use namespace
	App Models Http Controllers Filament Resources Pages Table Form Action Notification Job Queue
	dispatch handle config env route view compact request validate response json redirect with
	items inventory Inventory sync Sync entra Entra group Group backup Backup schedule Schedule
	policy Policy authorize can gate Gate event Event listener log Log info error debug cache Cache
	foreach if else elseif match fn => -> :: ; , ( ) [ ] { } = == === != !== && || ! + - * /`)

type gen struct {
	r *rand.Rand
	w *bufio.Writer
}

func (g *gen) line() {
	n := 2 + g.r.Intn(12)
	indent := g.r.Intn(4) * 4
	g.w.WriteString(strings.Repeat(" ", indent))
	for i := 0; i < n; i++ {
		if i > 0 {
			g.w.WriteByte(' ')
		}
		if *plant > 0 && g.r.Intn(*plant) == 0 {
			g.w.WriteString(legacy[g.r.Intn(len(legacy))])
			continue
		}
		g.w.WriteString(words[g.r.Intn(len(words))])
	}
	g.w.WriteByte('\n')
}

func (g *gen) file(path string, size int, header string) {
	must(os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	must(err)
	g.w.Reset(f)
	g.w.WriteString(header)
	for written := len(header); written < size; {
		before := g.w.Buffered()
		g.line()
		written += g.w.Buffered() - before
		if g.w.Buffered() > 32<<10 {
			must(g.w.Flush())
		}
	}
	must(g.w.Flush())
	must(f.Close())
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// size draws a file size with a long tail, like real source trees.
func (g *gen) size(mean int) int {
	s := int(g.r.ExpFloat64() * float64(mean))
	return min(max(s, 64), mean*40)
}

func main() {
	flag.Parse()
	g := &gen{r: rand.New(rand.NewSource(*seed)), w: bufio.NewWriterSize(nil, 64<<10)}
	switch *shape {
	case "laravel":
		parts := []struct {
			dir  string
			n    int
			ext  string
			mean int
		}{
			{"app/Models", 180, ".php", 3000}, {"app/Http/Controllers", 220, ".php", 4000},
			{"app/Filament/Resources", 600, ".php", 5000}, {"app/Jobs", 150, ".php", 3000},
			{"app/Services", 300, ".php", 6000}, {"app/Support", 120, ".php", 2500},
			{"database/migrations", 400, ".php", 2000}, {"database/factories", 120, ".php", 1500},
			{"resources/views", 700, ".blade.php", 2500}, {"resources/js", 250, ".js", 6000},
			{"resources/css", 40, ".css", 4000}, {"routes", 8, ".php", 3000},
		}
		for _, p := range parts {
			for i := 0; i < p.n; i++ {
				sub := fmt.Sprintf("%s/m%02d/f%04d%s", p.dir, i%17, i, p.ext)
				g.file(filepath.Join(*out, sub), g.size(p.mean), "<?php\n\nnamespace App;\n\n")
			}
		}
		for i := 0; i < *vendor; i++ {
			g.file(filepath.Join(*out, fmt.Sprintf("vendor/pkg%03d/src/d%02d/F%05d.php", i%300, i%23, i)), g.size(4000), "<?php\n")
		}
		g.file(filepath.Join(*out, "storage/logs/laravel.log"), *logMB<<20, "")
	case "tree":
		n := *files
		for i := 0; i < n; i++ {
			sub := fmt.Sprintf("src%02d/pkg%02d/d%d/f%06d.php", i%20, (i/20)%100, i%3, i)
			g.file(filepath.Join(*out, sub), g.size(15000), "<?php\n")
		}
	case "log":
		// One log file of -log MB at -out itself.
		g.file(*out, *logMB<<20, "")
	default:
		must(fmt.Errorf("unknown shape %q", *shape))
	}
	if *shape != "log" {
		writeTokens(*out, *tokens, g.r)
	}
}

// writeTokens writes OUT.tokens: the default rules' nine tokens, then
// diverse made-up identifiers, one a line.
func writeTokens(dir string, n int, r *rand.Rand) {
	syl := strings.Fields("al be cor da en fi go hu in jo ka lu mi no or pa qu ri su ta ul vi wa xe yo za")
	toks := append([]string(nil), legacy...)
	seen := map[string]bool{}
	for len(toks) < n {
		var parts []string
		for i := 2 + r.Intn(3); i > 0; i-- {
			parts = append(parts, syl[r.Intn(len(syl))]+syl[r.Intn(len(syl))]+syl[r.Intn(len(syl))])
		}
		sep := "_"
		if r.Intn(2) == 0 {
			sep = ""
			for i, p := range parts {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
		if t := strings.Join(parts, sep); !seen[t] {
			seen[t] = true
			toks = append(toks, t)
		}
	}
	must(os.WriteFile(dir+".tokens", []byte(strings.Join(toks[:n], "\n")+"\n"), 0o644))
}
