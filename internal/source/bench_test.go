package source

import (
	"context"
	"os"
	"testing"

	"github.com/tenantatlas/nolegacyruns"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// BenchmarkGitMode scans the git work tree in NOLEGACYRUNS_BENCH_TREE (for
// example the Monica corpus, unpacked) with the default rules, listed
// in-process, by git, and by a plain walk.
func BenchmarkGitMode(b *testing.B) {
	top := os.Getenv("NOLEGACYRUNS_BENCH_TREE")
	if top == "" {
		b.Skip("set NOLEGACYRUNS_BENCH_TREE to a git work tree")
	}
	cfg, err := config.Parse("rules.yaml", nolegacyruns.DefaultRules())
	if err != nil {
		b.Fatal(err)
	}
	e, err := scanner.Compile(&cfg.Rules)
	if err != nil {
		b.Fatal(err)
	}
	dirs := []string{"app", "database", "resources", "routes"}
	ctx := context.Background()
	run := func(b *testing.B, src func() scanner.Source) {
		for b.Loop() {
			if _, err := e.Scan(ctx, scanner.Options{Root: top, Source: src()}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("inprocess", func(b *testing.B) {
		run(b, func() scanner.Source {
			repo, err := gitrepo.Open(top, gitrepo.Env{Getenv: os.Getenv, Euid: os.Geteuid()})
			if err != nil {
				b.Fatal(err)
			}
			w, err := NewWorktree(top, repo, dirs, nil)
			if err != nil {
				b.Fatal(err)
			}
			return w
		})
	})
	b.Run("git", func(b *testing.B) {
		run(b, func() scanner.Source {
			g := &Git{Root: top}
			for _, d := range dirs {
				g.Pathspecs = append(g.Pathspecs, ":(literal)"+d)
			}
			return g
		})
	})
	b.Run("walk", func(b *testing.B) {
		run(b, func() scanner.Source { return Paths(nil) })
	})
}
