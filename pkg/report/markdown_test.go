package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// golden compares got with testdata/golden/name.golden (-update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name+".golden")
	if *update {
		os.WriteFile(path, got, 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func write(t *testing.T, f Format, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The CI variants: GitHub past its annotation limit, and the Markdown
// summary with links to the lines and cut to a limit.
func TestCIGolden(t *testing.T) {
	golden(t, "github-many", write(t, &GitHub{Elsewhere: []string{"in the job summary"}}, many(12, 11)))
	md := &Markdown{LinkBase: "https://github.com/o/r/blob/0123abc/"}
	golden(t, "markdown-links", write(t, md, sample()))
	cut := &Markdown{Limit: 2000, FullList: "in nolegacyruns.sarif"}
	golden(t, "markdown-cut", write(t, cut, many(30, 30)))
}

var cell = regexp.MustCompile(`(^|[^\\])(\\\\)*\|`) // an unescaped |

// Every row of the table has its four cells, whatever the file names and
// matches hold, and a link cannot be smuggled in.
func TestMarkdownHostile(t *testing.T) {
	r := many(3, 0)
	r.Findings[0].Path = "a|b](javascript:x)\n| x | y |<img src=x>`.php"
	r.Findings[1].Match = "|`![i](http://e/x.png)`|\\|"
	r.Findings[2].Path = "@someone #1 ~~s~~ $x$ &amp;.php"
	out := string(write(t, &Markdown{LinkBase: "https://github.com/o/r/blob/s/"}, r))
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "| [") {
			continue
		}
		rows++
		if n := len(cell.FindAllString(l, -1)); n != 5 {
			t.Errorf("%d cell borders in %q", n, l)
		}
		if strings.Count(l, "](") != 1 {
			t.Errorf("more than the one link in %q", l)
		}
		text := regexp.MustCompile(`\]\(https://[^ ]*\)`).ReplaceAllString(l, "]")
		if m := regexp.MustCompile("(^|[^\\\\])[<!`@~&$]").FindString(text); m != "" {
			t.Errorf("unescaped %q in %q", m, text)
		}
	}
	if rows != 3 {
		t.Errorf("%d rows:\n%s", rows, out)
	}
	if !strings.Contains(out, "(https://github.com/o/r/blob/s/a%7Cb%5D%28javascript%3Ax%29%0A%7C%20x%20%7C%20y%20%7C%3Cimg%20src%3Dx%3E%60.php#L2)") {
		t.Errorf("link target not percent-encoded:\n%s", out)
	}
}

// A cut summary stays within its limit, keeps whole rows, and says how
// many findings it leaves out.
func TestMarkdownCut(t *testing.T) {
	r := many(500, 500)
	full := write(t, &Markdown{}, r)
	for _, limit := range []int{1024, 1500, 4096, 50000, len(full) + cutReserve + 100} {
		out := write(t, &Markdown{Limit: limit, FullList: "in x.sarif"}, r)
		if len(out) > limit {
			t.Errorf("limit %d: wrote %d bytes", limit, len(out))
		}
		rows := strings.Count(string(out), "\n| app/")
		switch {
		case limit > len(full)+cutReserve:
			if !bytes.Equal(out, full) {
				t.Errorf("limit %d: a summary that fits is cut", limit)
			}
		default:
			want := regexp.MustCompile(`The summary is cut here to fit GitHub's 1 MiB step summary \((\d+) of 1000 findings not shown\); the full list is in x\.sarif\.\n$`)
			m := want.FindStringSubmatch(string(out))
			if m == nil {
				t.Errorf("limit %d: no cut note:\n%s", limit, out[max(0, len(out)-300):])
				continue
			}
			if m[1] != strconv.Itoa(1000-rows) {
				t.Errorf("limit %d: note says %s not shown, %d rows shown", limit, m[1], rows)
			}
			if !bytes.HasPrefix(full, out[:bytes.LastIndex(out, []byte("\n\n> [!NOTE]"))]) {
				t.Errorf("limit %d: the cut summary is not a prefix of the full one", limit)
			}
		}
	}
}

// The note of a cut summary fits in the limit whatever the names of the
// report files, which it escapes (a _ is two bytes in the note).
func TestMarkdownCutEscapedFullList(t *testing.T) {
	r := many(500, 500)
	for _, list := range []string{"in " + strings.Repeat("_", 600) + ".sarif", "in " + strings.Repeat("[x]", 300)} {
		for _, limit := range []int{4096, 50000} {
			out := write(t, &Markdown{Limit: limit, FullList: list}, r)
			if len(out) > limit {
				t.Errorf("limit %d, full list of %d bytes: wrote %d bytes", limit, len(list), len(out))
			}
		}
	}
}

// GitHub's Markdown turns www.example.com and https://example.com into
// links wherever they start a word (the autolinks of GFM): a file name or
// a match that holds one must not add a link to a summary or a comment.
func TestMarkdownAutolinks(t *testing.T) {
	r := many(3, 0)
	r.Findings[0].Path = "www.evil.example"
	r.Findings[1].Match = "see https://evil.example/x and ftp://e.example"
	r.Findings[2].Path = "WwW.evil.example/a.php"
	out := string(write(t, &Markdown{}, r))
	for _, l := range strings.Split(out, "\n") {
		if m := regexp.MustCompile(`(?i)www\.|[^\\]://`).FindString(l); m != "" {
			t.Errorf("%q would be a link in %q", m, l)
		}
	}
	if !strings.Contains(out, "| www\\.evil.example:2:1 |") {
		t.Errorf("the path is not shown as it is:\n%s", out)
	}
}
