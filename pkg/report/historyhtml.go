package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tenantatlas/nolegacyruns/pkg/history"
)

// HistoryHTML is one self-contained page: no script, no font, no request
// of any kind. Burn-down charts (inline SVG), the counts per rule and per
// top-level folder now, and the events, with links to the commits when
// the remote's web pages are known. It prints on A4 and fits a laptop.
type HistoryHTML struct{}

const historyCSS = `
:root{--ink:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--up:#cf222e;--down:#1a7f37;--plot:#0969da}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.sub{color:var(--mute);margin:0}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--bg)}
.card b{display:block;font-size:28px;line-height:1.2}
.card span{color:var(--mute);font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px 10px 4px}
figure.total{grid-column:1/-1}
figcaption{font-weight:600;font-size:14px;display:flex;justify-content:space-between;gap:8px}
figcaption span{color:var(--mute);font-weight:400}
svg{display:block;width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:var(--mute)}
.axis{stroke:var(--line);stroke-width:1}
.area{fill:var(--plot);fill-opacity:.12;stroke:none}
.plot{fill:none;stroke:var(--plot);stroke-width:2;stroke-linejoin:round}
.event{fill:var(--up);stroke:#fff;stroke-width:1}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:var(--up)}.down{color:var(--down)}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
td.k{white-space:nowrap}
td.w code{overflow-wrap:anywhere}
.scroll{overflow-x:auto}
.none{color:var(--mute)}
footer{margin-top:32px;color:var(--mute);font-size:12px}
@media (max-width:700px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media print{
 body{font-size:10pt}
 main{max-width:none;padding:0}
 .grid{grid-template-columns:repeat(2,minmax(0,1fr))}
 figure,tr,.card{break-inside:avoid}
 h2{break-after:avoid}
 a{color:inherit;text-decoration:none}
 .scroll{overflow:visible}
}
@page{size:A4;margin:14mm}
`

// Write implements HistoryFormat.
func (HistoryHTML) Write(w io.Writer, h *History) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw}
	res := h.Result
	cs := res.Commits
	ew.printf("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	ew.printf("<title>Legacy references over %s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", countOf(len(cs), "commit"), historyCSS)
	ew.printf("<header>\n<h1>Legacy references over time</h1>\n")
	if len(cs) == 0 {
		ew.printf("<p class=\"sub\">No commits to report.</p>\n</header>\n</main>\n</body>\n</html>\n")
		return flushed(ew, bw)
	}
	first, last := cs[0], cs[len(cs)-1]
	ew.printf("<p class=\"sub\">%s on the first-parent history, %s to %s, %s to %s.</p>\n</header>\n",
		countOf(len(cs), "commit"), esc(day(first.Date)), esc(day(last.Date)), h.commitLink(first.ID), h.commitLink(last.ID))

	events := 0
	for _, c := range cs {
		if len(c.Added) > 0 {
			events++
		}
	}
	now, then := total(last), total(first)
	ew.printf("<section class=\"cards\" aria-label=\"summary\">\n")
	ew.printf("<div class=\"card\"><b>%d</b><span>findings now</span></div>\n", now)
	ew.printf("<div class=\"card\"><b>%d</b><span>at the first commit</span></div>\n", then)
	ew.printf("<div class=\"card\"><b class=\"%s\">%s</b><span>change</span></div>\n", trend(now-then), signed(now-then))
	ew.printf("<div class=\"card\"><b>%d</b><span>commits brought findings back</span></div>\n", events)
	ew.printf("</section>\n")

	// Charts: all rules together, then one per rule.
	xs := chartX(cs)
	ew.printf("<section id=\"charts\">\n<h2>Burn-down</h2>\n<div class=\"grid\">\n")
	ew.printf("%s", chart("all rules", "", xs, cs, func(c history.Commit) (int, bool) { return total(c), true }, true))
	for _, r := range res.Rules {
		id := r.ID
		ew.printf("%s", chart(id, r.Severity.String(), xs, cs, func(c history.Commit) (int, bool) { n, ok := c.Counts[id]; return n, ok }, false))
	}
	ew.printf("</div>\n</section>\n")

	// Now, per rule.
	ew.printf("<section id=\"rules\">\n<h2>Now, per rule</h2>\n<div class=\"scroll\"><table>\n")
	ew.printf("<thead><tr><th>rule</th><th>severity</th><th class=\"n\">now</th><th class=\"n\">at the first commit</th><th class=\"n\">change</th><th class=\"n\">suppressed now</th></tr></thead>\n<tbody>\n")
	for _, r := range res.Rules {
		n, ok := last.Counts[r.ID]
		nowS := strconv.Itoa(n)
		if !ok {
			nowS = "-"
		}
		f, fok := first.Counts[r.ID]
		firstS := strconv.Itoa(f)
		if !fok {
			firstS = "-"
		}
		ew.printf("<tr><td><code>%s</code></td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n %s\">%s</td><td class=\"n\">%d</td></tr>\n",
			esc(r.ID), r.Severity, nowS, firstS, trend(n-f), signed(n-f), last.Suppressed[r.ID])
	}
	ew.printf("</tbody>\n</table></div>\n</section>\n")

	// Now, per top-level folder.
	ew.printf("<section id=\"folders\">\n<h2>Now, per top-level folder</h2>\n")
	if len(res.Folders) == 0 {
		ew.printf("<p class=\"none\">No findings at the newest commit.</p>\n")
	} else {
		ew.printf("<div class=\"scroll\"><table>\n<thead><tr><th>folder</th><th class=\"n\">total</th>")
		for _, r := range last.Rules {
			ew.printf("<th class=\"n\"><code>%s</code></th>", esc(r.ID))
		}
		ew.printf("</tr></thead>\n<tbody>\n")
		for _, dir := range sortedKeys(res.Folders) {
			n := 0
			for _, v := range res.Folders[dir] {
				n += v
			}
			name := dir + "/"
			if dir == "." {
				name = "(top level)"
			}
			ew.printf("<tr><td><code>%s</code></td><td class=\"n\">%d</td>", esc(QuotePath(name)), n)
			for _, r := range last.Rules {
				ew.printf("<td class=\"n\">%d</td>", res.Folders[dir][r.ID])
			}
			ew.printf("</tr>\n")
		}
		ew.printf("</tbody>\n</table></div>\n")
	}
	ew.printf("</section>\n")

	// Events, newest first: what a reader looks for.
	ew.printf("<section id=\"events\">\n<h2>Commits that brought findings back</h2>\n")
	if events == 0 {
		ew.printf("<p class=\"none\">No commit in this range raised a rule's count.</p>\n")
	} else {
		ew.printf("<div class=\"scroll\"><table>\n<thead><tr><th>date</th><th>commit</th><th>author</th><th>subject</th><th>rule</th><th>where</th><th>line</th></tr></thead>\n<tbody>\n")
		for i := len(cs) - 1; i >= 0; i-- {
			c := cs[i]
			for _, f := range c.Added {
				ew.printf("<tr><td class=\"k\">%s</td><td class=\"k\">%s</td><td>%s</td><td>%s</td><td class=\"k\"><code>%s</code></td><td class=\"w\"><code>%s:%d:%d</code></td><td class=\"w\"><code>%s</code></td></tr>\n",
					esc(day(c.Date)), h.commitLink(c.ID), esc(printable(c.Author)), esc(printable(c.Subject)), esc(f.Rule.ID),
					esc(QuotePath(f.Path)), f.Line, f.Column, esc(printable(strings.TrimSpace(f.LineText))))
			}
		}
		ew.printf("</tbody>\n</table></div>\n")
	}
	ew.printf("</section>\n<footer>%s %s. Counts are what a plain run of each commit reports: not suppressed in the code, not in the baseline.</footer>\n</main>\n</body>\n</html>\n", esc(h.Tool), esc(h.Version))
	return flushed(ew, bw)
}

// commitLink is a commit's short id, linked to its page when known.
func (h *History) commitLink(id string) string {
	s := "<code>" + esc(short(id)) + "</code>"
	if h.CommitURL == "" {
		return s
	}
	return "<a href=\"" + esc(h.CommitURL+id) + "\">" + s + "</a>"
}

func countOf(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func trend(n int) string {
	switch {
	case n > 0:
		return "up"
	case n < 0:
		return "down"
	}
	return ""
}

// esc escapes text for HTML content and quoted attributes.
func esc(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsAny(s, "&<>\"'") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// chartX places the commits on the time axis, from 0 to 1: by committer
// date, never going back (a rebased commit can be dated before its
// parent), or evenly when the dates do not spread.
func chartX(cs []history.Commit) []float64 {
	xs := make([]float64, len(cs))
	ts := make([]int64, len(cs))
	var lo, hi int64
	for i, c := range cs {
		t, err := time.Parse(time.RFC3339, c.Date)
		if err == nil {
			ts[i] = t.Unix()
		}
		if i > 0 && ts[i] < ts[i-1] {
			ts[i] = ts[i-1]
		}
	}
	lo, hi = ts[0], ts[len(ts)-1]
	for i := range cs {
		switch {
		case hi > lo:
			xs[i] = float64(ts[i]-lo) / float64(hi-lo)
		case len(cs) > 1:
			xs[i] = float64(i) / float64(len(cs)-1)
		}
	}
	return xs
}

// chart draws one step chart of a count over the commits; the commits
// where it rose are marked.
func chart(title, severity string, xs []float64, cs []history.Commit, count func(history.Commit) (int, bool), wide bool) string {
	const h, padL, padR, padT, padB = 150.0, 40.0, 12.0, 10.0, 24.0
	w := 420.0
	if wide {
		w = 1120
	}
	top := 1
	for _, c := range cs {
		if n, ok := count(c); ok && n > top {
			top = n
		}
	}
	px := func(x float64) float64 { return padL + x*(w-padL-padR) }
	py := func(n int) float64 { return padT + (1-float64(n)/float64(top))*(h-padT-padB) }
	var line, area strings.Builder
	var marks strings.Builder
	prev, started := 0, false
	now := 0
	for i, c := range cs {
		n, ok := count(c)
		if !ok {
			started = false
			continue
		}
		x, y := px(xs[i]), py(n)
		if !started {
			fmt.Fprintf(&line, "M%.1f %.1f", x, y)
			if area.Len() == 0 {
				fmt.Fprintf(&area, "M%.1f %.1fV%.1f", x, py(0), y)
			}
		} else {
			fmt.Fprintf(&line, "H%.1fV%.1f", x, y)
			fmt.Fprintf(&area, "H%.1fV%.1f", x, y)
			if n > prev {
				fmt.Fprintf(&marks, "<circle class=\"event\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>%s %s: %s</title></circle>", x, y, esc(short(c.ID)), esc(day(c.Date)), signed(n-prev))
			}
		}
		started, prev, now = true, n, n
	}
	if area.Len() > 0 {
		fmt.Fprintf(&area, "H%.1fV%.1fZ", px(xs[len(xs)-1]), py(0))
	}
	var b strings.Builder
	class := ""
	if wide {
		class = " class=\"total\""
	}
	sev := ""
	if severity != "" {
		sev = " · " + severity
	}
	fmt.Fprintf(&b, "<figure%s><figcaption><code>%s</code><span>%d now%s</span></figcaption>\n", class, esc(title), now, sev)
	fmt.Fprintf(&b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s: findings per commit\">", w, h, esc(title))
	fmt.Fprintf(&b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", padL, py(0), w-padR, py(0))
	fmt.Fprintf(&b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", padL, py(top), padL, py(0))
	fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>", padL-6, py(top)+4, top)
	fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>", padL-6, py(0)+4)
	fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", padL, h-6, esc(day(cs[0].Date)))
	fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", w-padR, h-6, esc(day(cs[len(cs)-1].Date)))
	if area.Len() > 0 {
		fmt.Fprintf(&b, "<path class=\"area\" d=\"%s\"/><path class=\"plot\" d=\"%s\"/>", area.String(), line.String())
	}
	b.WriteString(marks.String())
	b.WriteString("</svg></figure>\n")
	return b.String()
}
