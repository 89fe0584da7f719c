package gitindex

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the seeds in testdata/fuzz/FuzzRead written by real git")

// allocated is the bytes allocated so far.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Any input: no panic, allocation bounded by a multiple of its size, and
// entries that are well formed and encode to an index that reads back the
// same.
func FuzzRead(f *testing.F) {
	for _, hashSize := range []int{20, 32} {
		for _, version := range []int{2, 3, 4} {
			f.Add(encode(version, hashSize, sample(version > 2)[:6], someExtensions[:2]...), hashSize == 32)
		}
	}
	f.Add(encode(4, 20, []Entry{{Path: "a/b/c", Mode: ModeRegular}, {Path: "a/b/d", Mode: ModeRegular}}), false)
	f.Add(encode(2, 20, []Entry{{Path: strings.Repeat("l", 0x1000), Mode: ModeRegular}}), false)
	f.Fuzz(func(t *testing.T, data []byte, sha256 bool) {
		hashSize := 20
		if sha256 {
			hashSize = 32
		}
		before := allocated()
		idx, err := Read(data, hashSize)
		// Entries take 24 bytes and ids 20 or 32 for every 64 or 76 bytes
		// of input at least; paths add up to maxExpansion times the input;
		// the v4 paths are put together in one buffer, the input's size at
		// most.
		if n, limit := allocated()-before, uint64((maxExpansion+2)*len(data)+maxExpansionBase+1<<20); n > limit {
			t.Fatalf("%d bytes allocated for %d bytes of input", n, len(data))
		}
		// Without the ids: the same answer, the ids left out. Keeping some
		// entries: the same answer, Keep asked about each path in order.
		bare, bareErr := Config{NoOIDs: true}.Read(data, hashSize)
		var seen []string
		some, someErr := Config{Keep: func(p []byte) bool {
			seen = append(seen, string(p))
			return len(p)%3 != 1
		}}.Read(data, hashSize)
		for _, other := range []error{bareErr, someErr} {
			if (err == nil) != (other == nil) || err != nil && err.Error() != other.Error() {
				t.Fatalf("with all kept: %v; with less: %v", err, other)
			}
		}
		if err != nil {
			if idx != nil || bare != nil || some != nil {
				t.Fatal("an index and an error")
			}
			return
		}
		if bare.Version != idx.Version || !reflect.DeepEqual(bare.Entries, idx.Entries) {
			t.Fatalf("without ids: %+v, with: %+v", bare, idx)
		}
		j := 0
		for i, e := range idx.Entries {
			if i >= len(seen) || seen[i] != e.Path {
				t.Fatalf("Keep saw %q, the entries are %+v", seen, idx.Entries)
			}
			if len(e.Path)%3 == 1 {
				continue
			}
			if j >= len(some.Entries) || some.Entries[j] != e || !bytes.Equal(some.OID(j), idx.OID(i)) {
				t.Fatalf("kept %+v of %+v", some.Entries, idx.Entries)
			}
			j++
		}
		if j != len(some.Entries) || len(seen) != len(idx.Entries) {
			t.Fatalf("kept %+v of %+v; Keep saw %q", some.Entries, idx.Entries, seen)
		}
		if idx.Version < 2 || idx.Version > 4 {
			t.Fatalf("version %d", idx.Version)
		}
		for i, e := range idx.Entries {
			switch {
			case e.Path == "" || strings.IndexByte(e.Path, 0) >= 0:
				t.Fatalf("entry %d: path %q", i, e.Path)
			case len(idx.OID(i)) != hashSize || cap(idx.OID(i)) != hashSize || bare.OID(i) != nil:
				t.Fatalf("entry %d: a %d-byte id", i, len(idx.OID(i)))
			case e.Mode != ModeRegular && e.Mode != ModeExecutable && e.Mode != ModeSymlink && e.Mode != ModeGitlink:
				t.Fatalf("entry %d: mode %o", i, e.Mode)
			case e.Stage > 3 || e.SkipWorktree || e.IntentToAdd && idx.Version < 3:
				t.Fatalf("entry %d: %+v", i, e)
			case i > 0 && (idx.Entries[i-1].Path > e.Path || idx.Entries[i-1].Path == e.Path && (idx.Entries[i-1].Stage == 0 || idx.Entries[i-1].Stage >= e.Stage)):
				t.Fatalf("entry %d is out of order", i)
			}
		}
		again, err := Read(encodeWith(idx.Version, hashSize, idx.Entries, idx.oids), hashSize)
		if err != nil {
			t.Fatalf("written again: %v", err)
		}
		if !reflect.DeepEqual(again, idx) {
			t.Fatalf("written again: %+v, was %+v", again, idx)
		}
	})
}

// With -update, small indexes written by real git become seeds of FuzzRead:
// each version, SHA-256, a conflict and REUC, optional extensions, a split
// and a sparse index. Without it, the seeds must still read as they did.
func TestGitSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	seeds := map[string]func(r *repo){
		"git-v2": func(r *repo) {
			r.write("a", "a\n")
			r.write("dir/b", "b\n")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "one") // TREE
		},
		"git-v3-intent-to-add": func(r *repo) {
			r.write("a", "a\n")
			r.write("n", "n\n")
			r.git("add", "a")
			r.git("add", "-N", "n")
		},
		"git-v4-prefixes": func(r *repo) {
			for _, p := range []string{"src/app/model/user.go", "src/app/model/user_test.go", "src/app/view/page.go", "src/lib/x.go"} {
				r.write(p, p)
			}
			r.git("add", "-A")
			r.git("update-index", "--index-version", "4")
		},
		"git-v4-conflict": func(r *repo) {
			seedsConflict(r)
			r.git("update-index", "--index-version", "4")
		},
		"git-v2-resolved": func(r *repo) {
			seedsConflict(r)
			r.git("add", "f") // REUC
		},
		"git-sha256": func(r *repo) {
			r.write("a", "a\n")
			r.write("dir/b", "b\n")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "one")
			r.git("update-index", "--index-version", "4")
		},
		"git-extensions": func(r *repo) {
			r.write("a", "a\n")
			r.write("dir/b", "b\n")
			r.git("add", "-A")
			r.write("untracked", "u\n")
			r.git("update-index", "--untracked-cache")
			r.git("status", "--porcelain")
			r.git("-c", "index.threads=2", "-c", "index.recordEndOfIndexEntries=true", "-c", "index.recordOffsetTable=true",
				"update-index", "--force-write-index")
		},
		"git-split": func(r *repo) {
			r.write("a", "a\n")
			r.git("add", "-A")
			r.git("update-index", "--split-index")
			r.write("a", "changed\n")
			r.git("add", "-A")
		},
		"git-sparse": func(r *repo) {
			r.write("a", "a\n")
			r.write("dir/b", "b\n")
			r.write("other/c", "c\n")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "one")
			r.git("sparse-checkout", "init", "--cone", "--sparse-index")
			r.git("sparse-checkout", "set", "dir")
		},
	}
	for name, build := range seeds {
		path := filepath.Join(dir, name)
		if *update {
			format := "sha1"
			if strings.Contains(name, "sha256") {
				format = "sha256"
			}
			r := newRepo(t, format)
			build(r)
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbool(%v)\n", r.index(), format == "sha256")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, sha256 := readSeed(t, path)
		hashSize := 20
		if sha256 {
			hashSize = 32
		}
		_, err := Read(data, hashSize)
		if want := name == "git-split" || name == "git-sparse"; errors.Is(err, ErrUnsupported) != want || !want && err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func seedsConflict(r *repo) {
	r.write("f", "base\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	r.git("checkout", "-q", "-b", "other")
	r.write("f", "theirs\n")
	r.git("commit", "-q", "-am", "theirs")
	r.git("checkout", "-q", "main")
	r.write("f", "ours\n")
	r.git("commit", "-q", "-am", "ours")
	_, _ = r.run("merge", "other")
}

// readSeed reads a corpus file of FuzzRead.
func readSeed(t *testing.T, path string) ([]byte, bool) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s: not a FuzzRead seed", path)
	}
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(data), lines[2] == "bool(true)"
}
