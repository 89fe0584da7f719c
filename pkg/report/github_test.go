package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// many has e errors and w warnings, interleaved by path, and a suppressed one.
func many(e, w int) *Report {
	r := sample()
	r.Findings = nil
	for i := 0; i < max(e, w); i++ {
		if i < w {
			r.Findings = append(r.Findings, &result.Finding{Path: fmt.Sprintf("app/f%03d.php", i), Line: 1, Column: 1, EndColumn: 15,
				Rule: ruleWarn, Match: "inventory.sync", LineText: "inventory.sync", TextColumn: 1})
		}
		if i < e {
			r.Findings = append(r.Findings, &result.Finding{Path: fmt.Sprintf("app/f%03d.php", i), Line: 2, Column: 1, EndColumn: 17,
				Rule: ruleErr, Match: "InventorySyncRun", LineText: "InventorySyncRun", TextColumn: 1})
		}
	}
	r.Findings = append(r.Findings, &result.Finding{Path: "z.php", Line: 1, Column: 1, EndColumn: 17, Rule: ruleErr,
		Match: "InventorySyncRun", LineText: "InventorySyncRun", TextColumn: 1, Suppression: &result.Suppression{Kind: result.External}})
	return r
}

// GitHub keeps 10 error and 10 warning annotations of a step: the first
// errors come first, then the first warnings, then one notice that says
// how many were left out and where all of them are, and the full list
// folded in the log.
func TestGitHubLimit(t *testing.T) {
	for _, c := range []struct {
		errs, warns   int
		wantE, wantW  int
		notice, group bool
	}{
		{0, 0, 0, 0, false, false},
		{10, 10, 10, 10, false, false},
		{11, 0, 10, 0, true, true},
		{0, 11, 0, 10, true, true},
		{3, 25, 3, 10, true, true},
		{40, 40, 10, 10, true, true},
	} {
		r := many(c.errs, c.warns)
		g := &GitHub{Elsewhere: []string{"in the job summary", "in nolegacyruns.sarif"}}
		var b strings.Builder
		if err := g.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		ne, nw := 0, 0
		lastErr, firstWarn := -1, len(lines)
		for i, l := range lines {
			switch {
			case strings.HasPrefix(l, "::error "):
				ne++
				lastErr = i
			case strings.HasPrefix(l, "::warning "):
				nw++
				firstWarn = min(firstWarn, i)
			}
		}
		name := fmt.Sprintf("%d errors, %d warnings", c.errs, c.warns)
		if ne != c.wantE || nw != c.wantW {
			t.Errorf("%s: %d error and %d warning annotations, want %d and %d", name, ne, nw, c.wantE, c.wantW)
		}
		if lastErr > firstWarn {
			t.Errorf("%s: a warning annotation before an error's", name)
		}
		if ne > 0 && !strings.Contains(lines[0], "file=app/f000.php,line=2,") {
			t.Errorf("%s: the first error in output order comes first: %s", name, lines[0])
		}
		total := c.errs + c.warns
		left := fmt.Sprintf("%d findings are", total-ne-nw)
		if total-ne-nw == 1 {
			left = "1 finding is"
		}
		notice := fmt.Sprintf("::notice title=nolegacyruns::%s not annotated: GitHub shows 10 error and 10 warning annotations per step; all %d are listed in the job summary, in nolegacyruns.sarif and below\n",
			left, total)
		if strings.Contains(out, notice) != c.notice || strings.Count(out, "::notice") > 1 {
			t.Errorf("%s: notice %v, want %v:\n%s", name, strings.Contains(out, "::notice"), c.notice, out)
		}
		if strings.Contains(out, "::group::") != c.group {
			t.Errorf("%s: group", name)
		}
		if c.group {
			g := out[strings.Index(out, "::group::"):]
			listed := regexp.MustCompile(`(?m)^app/f\d+\.php:\d+:1: (error|warning): `).FindAllString(g, -1)
			if len(listed) != total || !strings.HasSuffix(out, "::endgroup::\n") {
				t.Errorf("%s: %d findings listed in the group, want %d", name, len(listed), total)
			}
		}
	}
}

// A line break in a rule's message or a file name cannot start a workflow
// command in the plain list.
func TestGitHubListInjection(t *testing.T) {
	r := many(11, 0)
	bad := *ruleErr
	bad.Message = "x\n::error file=evil::pwned"
	r.Findings[0].Rule = &bad
	r.Findings[1].Path = "a\n::warning::b.php"
	var b strings.Builder
	if err := (&GitHub{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "::") && !regexp.MustCompile(`^::(error|warning|notice) [^\n]*::|^::(group::|endgroup::$)`).MatchString(l) {
			t.Errorf("injected command line %q", l)
		}
		if strings.Contains(l, "pwned") && strings.HasPrefix(l, "::error file=evil") {
			t.Errorf("injected: %q", l)
		}
	}
}

// GitHub's runner also reads the old form of workflow commands, ##[name],
// anywhere in a line (not only at its start): a file name, a match or a
// message that holds one cannot become a command in the plain list either.
func TestGitHubListLegacyCommand(t *testing.T) {
	r := many(11, 0)
	bad := *ruleErr
	bad.Message = "see ##[error]forged"
	r.Findings[0].Rule = &bad
	r.Findings[1].Path = "app/##[add-mask]f.php"
	r.Findings[2].Match = "##[stop-commands]tok"
	var b strings.Builder
	if err := (&GitHub{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "::") && strings.Contains(l, "##[") {
			t.Errorf("a legacy workflow command in the list: %q", l)
		}
	}
	if !strings.Contains(out, "\n"+`"app/#\x23[add-mask]f.php":2:1: `) {
		t.Errorf("the path is not shown Go-quoted:\n%s", out)
	}
}
