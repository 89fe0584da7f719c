package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tenantatlas/nolegacyruns/pkg/history"
)

// History is what --history has to say: every commit's counts and events.
type History struct {
	Tool    string
	Version string
	Result  *history.Result
	// CommitURL is the web page of a commit id: a prefix to append it to,
	// or "" when no remote web URL is known.
	CommitURL string
}

// HistoryFormat writes a history report.
type HistoryFormat interface {
	Write(w io.Writer, h *History) error
}

// HistoryFormats lists the formats of --history, in the order the help
// shows them.
func HistoryFormats() []Spec {
	return []Spec{
		{"text", "a table of the commits whose counts changed, then the events", nil},
		{"json", "every commit's counts, suppressed findings and added findings", nil},
		{"html", "one self-contained page: burn-down charts, current counts, events", nil},
	}
}

// LookupHistory returns a --history format by name.
func LookupHistory(name string) (HistoryFormat, bool) {
	switch name {
	case "text":
		return HistoryText{}, true
	case "json":
		return HistoryJSON{}, true
	case "html":
		return HistoryHTML{}, true
	}
	return nil, false
}

// HistoryNames lists the --history format names, for messages.
func HistoryNames() string { return "text, json, html" }

// HistoryJSON is {"version":1,"commits":[...]}, oldest commit first.
type HistoryJSON struct{}

type jsonCommit struct {
	Commit     string         `json:"commit"`
	Date       string         `json:"date"`
	Author     string         `json:"author"`
	Subject    string         `json:"subject"`
	Counts     map[string]int `json:"counts"`
	Suppressed map[string]int `json:"suppressed"`
	Added      []jsonFinding  `json:"added"`
}

// Write implements HistoryFormat. Commits are written one at a time.
func (HistoryJSON) Write(w io.Writer, h *History) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw}
	ew.printf("{\n  \"version\": 1,\n  \"commits\": [")
	for i, c := range h.Result.Commits {
		jc := jsonCommit{Commit: c.ID, Date: c.Date, Author: validUTF8(c.Author), Subject: validUTF8(c.Subject),
			Counts: c.Counts, Suppressed: c.Suppressed, Added: make([]jsonFinding, 0, len(c.Added))}
		for _, f := range c.Added {
			jc.Added = append(jc.Added, jsonFinding{
				Path: validUTF8(f.Path), PathBytes: pathBytes(f.Path), Line: f.Line, Column: f.Column, EndColumn: f.EndColumn,
				Rule: f.Rule.ID, Severity: f.Rule.Severity.String(), Match: validUTF8(f.Match),
				Message: Message(f), Hint: f.Rule.Hint,
			})
		}
		b, err := json.MarshalIndent(jc, "    ", "  ")
		if err != nil {
			return err
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		ew.printf("%s\n    %s", sep, b)
	}
	if len(h.Result.Commits) > 0 {
		ew.printf("\n  ")
	}
	ew.printf("]\n}\n")
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

// HistoryText is a table of the commits whose counts changed (and the
// first and last), then every event with its findings.
type HistoryText struct{}

// Write implements HistoryFormat.
func (HistoryText) Write(w io.Writer, h *History) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw}
	res := h.Result
	if len(res.Commits) == 0 {
		ew.printf("no commits\n")
		return flushed(ew, bw)
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"commit", "date", "total"}
	for _, r := range res.Rules {
		head = append(head, r.ID+" ("+r.Severity.String()+")")
	}
	fmt.Fprintf(tw, "%s\t\n", strings.Join(head, "\t"))
	left := 0
	for i, c := range res.Commits {
		if i > 0 && i < len(res.Commits)-1 && sameCounts(c, res.Commits[i-1]) {
			left++
			continue
		}
		row := []string{short(c.ID), day(c.Date), strconv.Itoa(total(c))}
		for _, r := range res.Rules {
			if n, ok := c.Counts[r.ID]; ok {
				row = append(row, strconv.Itoa(n))
			} else {
				row = append(row, "-")
			}
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if left > 0 {
		ew.printf("(%d of %d commits changed no count and are left out; --format json lists every one)\n", left, len(res.Commits))
	}
	events := 0
	for _, c := range res.Commits {
		if len(c.Added) == 0 {
			continue
		}
		if events == 0 {
			ew.printf("\ncommits that brought findings back:\n")
		}
		events++
		// Authors, subjects, paths and lines are the commits' own: printed
		// so that GitHub's runner reads no workflow command in them
		// (logsafe.go); a line of code can start a line here.
		ew.printf("\n%s %s %s: %s\n", day(c.Date), short(c.ID), LogSafe(printable(c.Author)), LogSafe(printable(c.Subject)))
		for _, f := range c.Added {
			ew.printf("  %s:%d:%d: %s: %s (%s)\n", LogPath(f.Path), f.Line, f.Column, f.Rule.Severity, logQuote(f.Match), f.Rule.ID)
			ew.printf("      %s\n", LogLine(printable(strings.TrimSpace(f.LineText))))
		}
	}
	if events == 0 {
		ew.printf("\nno commit brought a finding back\n")
	}
	return flushed(ew, bw)
}

func flushed(ew *errWriter, bw *bufio.Writer) error {
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

func sameCounts(a, b history.Commit) bool {
	if len(a.Counts) != len(b.Counts) {
		return false
	}
	for k, v := range a.Counts {
		if w, ok := b.Counts[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func total(c history.Commit) int {
	n := 0
	for _, v := range c.Counts {
		n += v
	}
	return n
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// day is the date part of an ISO 8601 date.
func day(d string) string {
	if len(d) >= 10 {
		return d[:10]
	}
	return d
}

// printable makes text safe for one line of a terminal: control characters
// and invalid UTF-8 are shown escaped.
func printable(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			b.WriteString(strconv.QuoteRune(r)[1 : len(strconv.QuoteRune(r))-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
