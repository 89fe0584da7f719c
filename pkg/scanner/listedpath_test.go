package scanner

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// TestListedPathsOutsideRoot: a source lists what an index holds, and a
// hand-made or corrupt index can hold any path; git ls-files prints it as
// it is. A listed path that is not a clean path inside the root (absolute,
// with "..", "." or an empty segment; a trailing slash marks a folder) is
// an error: it is never read (the
// file beside the root holds a token), never read twice under two
// spellings, and never sends the scan into an endless climb to "/" (an
// absolute path overflowed the stack).
func TestListedPathsOutsideRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	os.MkdirAll(filepath.Join(root, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "outside.txt"), []byte("LegacyRun\n"), 0o644)
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("LegacyRun\n"), 0o644)
	os.WriteFile(filepath.Join(root, "app", "b.txt"), []byte("LegacyRun\n"), 0o644)
	bad := []string{"../outside.txt", "app/../../outside.txt", "/etc/hostname", "./a.txt", "app//b.txt", "app/./b.txt", ""}
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	for _, opened := range []bool{false, true} {
		var src Source = sourceFunc(func(add func([]Entry)) error {
			es := []Entry{{Path: "a.txt", Regular: true}, {Path: "app/b.txt", Regular: true}}
			for _, p := range bad {
				es = append(es, Entry{Path: p, Regular: true})
			}
			add(es)
			return nil
		})
		if opened {
			m := memSource{"a.txt": "LegacyRun\n", "app/b.txt": "LegacyRun\n"}
			for _, p := range bad {
				m[p] = "LegacyRun\n"
			}
			src = m
		}
		res, err := e.Scan(context.Background(), Options{Root: root, Source: src})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := positions(res), []string{"a.txt:1:1-10:LegacyRun", "app/b.txt:1:1-10:LegacyRun"}; !reflect.DeepEqual(got, want) {
			t.Errorf("opened=%v: findings %v, want %v", opened, got, want)
		}
		var errPaths []string
		for _, fe := range res.Errors {
			errPaths = append(errPaths, fe.Path)
		}
		want := append([]string(nil), bad...)
		sort.Strings(want)
		if !reflect.DeepEqual(errPaths, want) {
			t.Errorf("opened=%v: errors for %q, want %q", opened, errPaths, want)
		}
	}
}
