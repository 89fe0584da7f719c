package gitindex

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// gitIndex has git write an index of n entries, in a tree of folders like a
// project's, in the version.
func gitIndex(b *testing.B, n, version int) []byte {
	r := newRepo(b, "sha1")
	blob := "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "100644 %s\tsrc/module%02d/package%03d/internal/file_%05d.go\n", blob, i/10000, i/100%100, i)
	}
	cmd := exec.Command("git", "update-index", "--add", "--index-info")
	cmd.Dir, cmd.Env = r.dir, r.env
	cmd.Stdin = strings.NewReader(in.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git update-index: %v: %s", err, out)
	}
	r.git("update-index", "--index-version", fmt.Sprint(version))
	return r.index()
}

func BenchmarkRead(b *testing.B) {
	for _, n := range []int{2000, 100000} {
		for _, version := range []int{2, 4} {
			var data []byte // made once, for the sub-benchmarks that run
			for _, c := range []struct {
				name string
				c    Config
			}{
				{"all", Config{}},
				{"noids", Config{NoOIDs: true}},
				// Half the entries, as a listing of some folders keeps.
				{"noids-half", Config{NoOIDs: true, Keep: func(p []byte) bool { return p[len(p)-4]%2 == 0 }}},
			} {
				b.Run(fmt.Sprintf("entries=%d/v%d/%s", n, version, c.name), func(b *testing.B) {
					if data == nil {
						data = gitIndex(b, n, version)
					}
					b.ReportAllocs()
					b.SetBytes(int64(len(data)))
					for b.Loop() {
						idx, err := c.c.Read(data, 20)
						if err != nil || len(idx.Entries) != n && c.c.Keep == nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
				})
			}
		}
	}
}
