//go:build unix

package source

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// benchTree is the git work tree of NOLEGACYRUNS_BENCH_TREE (for example the
// Monica corpus, unpacked), or a Laravel-shaped one made here: 2,000
// tracked files in 60 folders, untracked and ignored files beside them, and
// a few .gitignore files.
func benchTree(b *testing.B) (top, home string) {
	home = isolateGit(b)
	if top = os.Getenv("NOLEGACYRUNS_BENCH_TREE"); top != "" {
		return top, home
	}
	top = b.TempDir()
	runGit(b, top, nil, "init", "-q")
	write := func(p, s string) {
		abs := filepath.Join(top, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(".gitignore", "/vendor/\n/node_modules/\n*.log\n.env\n/public/build/\n")
	write("storage/.gitignore", "*\n!.gitignore\n")
	write("resources/views/.gitignore", "*.cache.php\n")
	var add []byte
	for i := range 2000 {
		top := []string{"app", "database", "resources/views", "routes", "tests", "config"}[i%6]
		p := fmt.Sprintf("%s/Module%02d/Sub%d/File%04d.php", top, i/200, i%7, i)
		write(p, "<?php\n")
		add = append(append(add, p...), 0)
		if i%50 == 0 {
			write(strings.TrimSuffix(p, ".php")+".log", "log\n")
			write(strings.TrimSuffix(p, ".php")+"New.php", "<?php\n")
		}
	}
	for i := range 200 {
		write(fmt.Sprintf("vendor/pkg%02d/src/F%d.php", i/20, i), "<?php\n")
	}
	write("storage/logs/laravel.log", "log\n")
	add = append(add, ".gitignore\x00storage/.gitignore\x00resources/views/.gitignore\x00"...)
	runGit(b, top, add, "update-index", "--add", "-z", "--stdin")
	return top, home
}

// listing is a tree's folders as the engine lists them: names and types.
type listing map[string][]listed

type listed struct {
	name []byte
	typ  fs.FileMode
	rel  string // a folder's path, made beforehand as the engine makes it
}

func listTree(b *testing.B, top string) listing {
	l := listing{}
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(top, p)
		if rel = filepath.ToSlash(rel); rel == "." {
			rel = ""
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		for _, e := range ents {
			l[rel] = append(l[rel], listed{[]byte(e.Name()), e.Type(), path.Join(rel, e.Name())})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// walk asks w about the listing as the engine's walk does (one worker):
// Enter with the folder's has, then Choose for each entry but .git, into
// the folders taken. It returns the files taken.
func (l listing) walk(b *testing.B, w *Worktree) int {
	taken := 0
	var walk func(parent scanner.Chooser, dir string)
	walk = func(parent scanner.Chooser, dir string) {
		ents := l[dir]
		has := func(name string) bool {
			for _, e := range ents {
				if string(e.name) == name {
					return true
				}
			}
			return false
		}
		ch, err := w.Enter(parent, dir, has)
		if err != nil {
			b.Fatal(err)
		}
		if ch == nil {
			return
		}
		for _, e := range ents {
			if string(e.name) == ".git" || ch.Choose(e.name, e.typ) != scanner.Take {
				continue
			}
			if e.typ.IsDir() {
				walk(ch, e.rel)
			} else {
				taken++
			}
		}
	}
	walk(nil, "")
	return taken
}

// BenchmarkWorktree is the in-process listing's own cost, without the
// search: "open" reads the index and the exclude files (NewWorktree; and
// "open-scoped" for four folders, as the default rules list),
// "walk" is the Enter and Choose calls of a walk of the whole tree (its
// folders listed beforehand), "all" is both and Rest, as one scan has them.
func BenchmarkWorktree(b *testing.B) {
	top, home := benchTree(b)
	repo, err := gitrepo.Open(top, testEnv(home, nil))
	if err != nil {
		b.Fatal(err)
	}
	l := listTree(b, top)
	open := func(b *testing.B) *Worktree {
		w, err := NewWorktree(top, repo, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		return w
	}
	b.Run("open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			open(b)
		}
	})
	// As the default rules' include globs narrow it: the index read keeps
	// the entries of these folders only.
	b.Run("open-scoped", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewWorktree(top, repo, []string{"app", "database", "resources", "routes"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("walk", func(b *testing.B) {
		w := open(b)
		b.ReportAllocs()
		for b.Loop() {
			if l.walk(b, w) == 0 {
				b.Fatal("no file taken")
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := open(b)
			l.walk(b, w)
			w.Rest(func([]scanner.Entry) {})
		}
	})
}
