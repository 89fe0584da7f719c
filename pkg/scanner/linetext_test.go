package scanner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Findings on one line share its text, and a long line is cut around the match.
func TestLineTextSharing(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 3000) + " LegacyRun"
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a LegacyRun b LegacyRun\n"+long+"\n"), 0o644)
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	res, _ := e.Scan(context.Background(), Options{Root: dir})
	f := res.Findings
	if len(f) != 3 || f[0].LineText != "a LegacyRun b LegacyRun" || f[1].LineText != f[0].LineText || f[1].TextColumn != 1 {
		t.Fatalf("%+v", f)
	}
	if f[2].TextColumn != 3002 || !strings.HasPrefix(f[2].LineText, "LegacyRun") {
		t.Fatalf("long line: col %d text %.20q", f[2].TextColumn, f[2].LineText)
	}
}

// A finding's line text does not depend on where reads cut: a line that
// starts just before a buffer's cut is still reported whole.
func TestLineTextAcrossReads(t *testing.T) {
	e := mustCompile(t, &rules.Set{Rules: []rules.Rule{{ID: "r", Tokens: []string{"LegacyRun"}}}})
	line := "$a = LegacyRun::class; // a line of code"
	size := e.m.minBuf() + 50
	for k := 0; k < size; k += 3 {
		text := strings.Repeat("x\n", k/2) + line + "\n" + strings.Repeat("y\n", size/2)
		w := &worker{s: &scan{e: e}, buf: make([]byte, size)}
		w.search("f", nil, &trickle{data: []byte(text)})
		if len(w.findings) != 1 || w.findings[0].LineText != line {
			t.Fatalf("%d lines before: %+v", k/2, w.findings)
		}
	}
}
