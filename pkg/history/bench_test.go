package history

import (
	"context"
	"os"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// BenchmarkHistory walks the history of the work tree that
// NOLEGACYRUNS_BENCH_HISTORY names with the default rules (bench/compare.sh
// unpacks the real application).
func BenchmarkHistory(b *testing.B) {
	dir := os.Getenv("NOLEGACYRUNS_BENCH_HISTORY")
	if dir == "" {
		b.Skip("set NOLEGACYRUNS_BENCH_HISTORY to a git work tree")
	}
	cfg, err := config.Load("../../rules.yaml")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := scanner.Compile(&cfg.Rules)
	if err != nil {
		b.Fatal(err)
	}
	s := &Setup{Engine: eng, Rules: eng.Rules()}
	opt := Options{Dir: dir, Log: gitsrc.LogSpec{MaxCount: 1000},
		Setup: func(Tree, func(string, int64) ([]byte, error)) (*Setup, error) { return s, nil }}
	for b.Loop() {
		res, err := Run(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.BlobsScanned), "blobs")
	}
}
