// Package baseline records today's findings so that only new ones fail, keyed on content rather than line numbers.
package baseline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// DefaultFile is the baseline used when neither the flags nor the rule file
// name one.
const DefaultFile = ".nolegacyruns-baseline.json"

// MaxSize bounds the file read, like the rule file's.
const MaxSize = 64 << 20

// MaxEntries bounds the findings a baseline records: more than a version 2
// file of MaxSize can hold (a line of 32 bytes each at the least). A
// version 1 file's counts are checked against it, since rewriting one
// repeats each entry's line count times.
const MaxEntries = MaxSize / 32

// Entry is one recorded finding: where, what, and how often. An entry has no
// line number, so inserting lines or re-indenting does not resurface it.
type Entry struct {
	Rule  string
	Path  string
	Match string
	Line  string // the finding's line, trimmed
	Count int    // occurrences: a version 1 file counts, a version 2 file repeats the line
	Pos   int    // the line of its first occurrence in a version 2 file, for messages; 0 if unknown
}

// File is the baseline file.
type File struct {
	Version int // as read: 1 or 2; always written as 2
	Entries []Entry
}

// fileEntry is an entry as either version writes it; version 1 has counts.
// JSON strings hold UTF-8 only: a path, match or line that is not (a
// Latin-1 source line, a file name in another encoding) is written with
// U+FFFD for each invalid byte, for people, and its bytes in the matching
// _bytes field, in base64, which a read takes instead; so the entry keeps
// matching its finding, and the file's shard and scope.
type fileEntry struct {
	Path       string `json:"path"`
	PathBytes  []byte `json:"path_bytes,omitempty"`
	Rule       string `json:"rule"`
	Match      string `json:"match"`
	MatchBytes []byte `json:"match_bytes,omitempty"`
	Line       string `json:"line"`
	LineBytes  []byte `json:"line_bytes,omitempty"`
	Count      *int   `json:"count,omitempty"`
}

// raw returns the bytes of a string that is not UTF-8, for its _bytes
// field; nil for UTF-8.
func raw(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// text is a string field as read: its _bytes if given.
func text(s string, b []byte) string {
	if b != nil {
		return string(b)
	}
	return s
}

type fileDoc struct {
	Version int          `json:"version"`
	Entries []*fileEntry `json:"findings"`
}

// Error is a malformed baseline file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Load reads a baseline file.
func Load(name string) (*File, error) {
	data, err := fileio.ReadLimited(name, MaxSize)
	if errors.Is(err, fileio.ErrTooLarge) {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d MiB", MaxSize>>20)}
	}
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// ConflictMarkers is the message for a baseline that git left merged with
// conflict markers in it.
const ConflictMarkers = "the baseline holds git conflict markers"

// Parse decodes a baseline of either version; unknown fields, bad counts
// and counts in version 2 are errors.
func Parse(name string, data []byte) (*File, error) {
	var doc fileDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		line, col := position(data, dec.InputOffset())
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col = position(data, se.Offset)
		case errors.As(err, &te):
			line, col = position(data, te.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			// encoding/json gives no offset here; point at the field's name.
			name := strings.TrimPrefix(err.Error(), "json: unknown field ")
			if i := bytes.Index(data, []byte(name)); i >= 0 {
				line, col = position(data, int64(i))
			}
		}
		if l, ok := conflictMarker(data); ok {
			return nil, &Error{File: name, Line: l, Col: 1, Msg: ConflictMarkers}
		}
		return nil, &Error{File: name, Line: line, Col: col, Msg: "invalid baseline: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if dec.More() {
		line, col := position(data, dec.InputOffset())
		return nil, &Error{File: name, Line: line, Col: col, Msg: "invalid baseline: text after the JSON document"}
	}
	if doc.Version != 1 && doc.Version != 2 {
		return nil, &Error{File: name, Msg: fmt.Sprintf("baseline version %d is not supported; write it again with --write-baseline", doc.Version)}
	}
	b := &File{Version: doc.Version, Entries: make([]Entry, 0, len(doc.Entries))}
	pos := entryLines(data)
	n, total := 0, 0
	for i, e := range doc.Entries {
		if e == nil && doc.Version == 2 {
			continue // the line that closes the list
		}
		switch {
		case e == nil || e.Rule == "" || e.Path == "" || e.Match == "":
			return nil, &Error{File: name, Msg: fmt.Sprintf("entry %d needs rule, path and match", i+1)}
		case doc.Version == 1 && (e.Count == nil || *e.Count < 1):
			return nil, &Error{File: name, Msg: fmt.Sprintf("entry %d needs a count of at least 1", i+1)}
		case doc.Version == 2 && e.Count != nil:
			return nil, &Error{File: name, Msg: fmt.Sprintf("entry %d has a count; version 2 repeats the line instead", i+1)}
		}
		c := 1
		if e.Count != nil {
			c = *e.Count
		}
		if c > MaxEntries-total {
			// Written as version 2, each would be a line of its own.
			return nil, &Error{File: name, Msg: fmt.Sprintf("entry %d: the counts add up to more findings than a baseline of %d MiB can hold (%d)", i+1, MaxSize>>20, MaxEntries)}
		}
		total += c
		p := 0
		if doc.Version == 2 && len(pos) == len(doc.Entries)-nulls(doc.Entries) {
			p = pos[n]
		}
		n++
		b.Entries = append(b.Entries, Entry{Rule: e.Rule, Path: text(e.Path, e.PathBytes), Match: text(e.Match, e.MatchBytes),
			Line: text(e.Line, e.LineBytes), Count: c, Pos: p})
	}
	return b, nil
}

func nulls(es []*fileEntry) int {
	n := 0
	for _, e := range es {
		if e == nil {
			n++
		}
	}
	return n
}

// entryLines returns the line numbers of the lines that hold one entry
// each, as Write puts them.
func entryLines(data []byte) []int {
	var out []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		if l = bytes.TrimSpace(l); bytes.HasPrefix(l, []byte("{\"path\":")) && bytes.HasSuffix(l, []byte("},")) {
			out = append(out, i+1)
		}
	}
	return out
}

// conflictMarker finds the first line that git's merge marks a conflict with.
func conflictMarker(data []byte) (int, bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		for _, m := range []string{"<<<<<<< ", "=======", ">>>>>>> ", "||||||| "} {
			if bytes.HasPrefix(l, []byte(m)) {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// Progress is what the baseline says about one rule in a run.
type Progress = result.BaselineProgress

// Applied is what Apply found.
type Applied struct {
	Stale int        // recorded findings of the covered files that no longer occur
	Rules []Progress // per rule with entries or baselined findings, by rule id
	used  map[string]int
}

// Apply marks as baselined the findings the baseline records, up to each
// entry's count, in file order; later copies are new debt and stay. It
// counts how many recorded findings of the files covers accepts no longer
// occur (stale), in all and per rule; covers is the scope of the run, nil
// for everything.
func (b *File) Apply(fs []*result.Finding, covers func(path string) bool) Applied {
	left := make(map[string]int, len(b.Entries))
	for _, e := range b.Entries {
		left[result.KeyOf(e.Rule, e.Path, e.Match, e.Line)] += e.Count
	}
	a := Applied{used: map[string]int{}}
	per := map[string]*Progress{}
	prog := func(rule string) *Progress {
		p := per[rule]
		if p == nil {
			p = &Progress{Rule: rule}
			per[rule] = p
		}
		return p
	}
	for i := range fs {
		f := fs[i]
		if f.Suppression != nil {
			continue
		}
		k := result.Key(f)
		if left[k] > 0 {
			left[k]--
			a.used[k]++
			prog(f.Rule.ID).Baselined++
			f.Suppression = &result.Suppression{Kind: result.External, Justification: "recorded in the baseline"}
		}
	}
	for _, e := range b.Entries {
		k := result.KeyOf(e.Rule, e.Path, e.Match, e.Line)
		p := prog(e.Rule)
		if left[k] > 0 && (covers == nil || covers(e.Path)) {
			a.Stale += left[k]
			p.Fixed += left[k]
			left[k] = 0 // counted once, however many entries share the key
		}
	}
	for _, p := range per {
		a.Rules = append(a.Rules, *p)
	}
	sort.Slice(a.Rules, func(i, j int) bool { return a.Rules[i].Rule < a.Rules[j].Rule })
	return a
}

// Pruned returns the baseline without what Apply found stale: of each
// entry that keep does not protect (files the run did not cover, rules it
// did not run), only as many occurrences stay as the run matched. It never
// adds an entry.
func (b *File) Pruned(a Applied, keep func(Entry) bool) *File {
	out := &File{Version: 2, Entries: []Entry{}}
	budget := map[string]int{}
	for k, n := range a.used {
		budget[k] = n
	}
	for _, e := range b.Entries {
		if keep != nil && keep(e) {
			out.Entries = append(out.Entries, e)
			continue
		}
		k := result.KeyOf(e.Rule, e.Path, e.Match, e.Line)
		if n := min(e.Count, budget[k]); n > 0 {
			budget[k] -= n
			e.Count = n
			out.Entries = append(out.Entries, e)
		}
	}
	out.sort()
	return out
}

// Renamed returns the baseline with the entries of each file that renames
// maps (old path to new) moved to the new path, so that recorded debt
// follows its file through a rename.
func (b *File) Renamed(renames map[string]string) *File {
	if len(renames) == 0 {
		return b
	}
	out := &File{Version: b.Version, Entries: make([]Entry, len(b.Entries))}
	for i, e := range b.Entries {
		if to, ok := renames[e.Path]; ok {
			e.Path = to
		}
		out.Entries[i] = e
	}
	return out
}

// Count is the number of recorded findings.
func (b *File) Count() int {
	n := 0
	for _, e := range b.Entries {
		n += e.Count
	}
	return n
}

// Merge records the findings of a run that covered only some files: the
// entries of the files it did not cover stay as they were, the others are
// replaced by what the run found. covers nil means the run covered all.
func Merge(old *File, fs []*result.Finding, covers func(path string) bool) *File {
	if covers == nil {
		return New(fs)
	}
	return MergeKeep(old, fs, func(e Entry) bool { return !covers(e.Path) })
}

// MergeKeep records the findings of a run, keeping the old entries that
// keep says the run did not judge (files it did not cover, rules it did
// not run); the others are replaced by what the run found.
func MergeKeep(old *File, fs []*result.Finding, keep func(Entry) bool) *File {
	b := New(fs)
	if old == nil {
		return b
	}
	for _, e := range old.Entries {
		if keep(e) {
			b.Entries = append(b.Entries, e)
		}
	}
	b.sort()
	return b
}

// New records the findings not suppressed in the code, sorted and counted.
func New(fs []*result.Finding) *File {
	counts := map[string]*Entry{}
	for _, f := range fs {
		if f.Suppression != nil && !f.Baselined() {
			continue
		}
		k := result.Key(f)
		if e, ok := counts[k]; ok {
			e.Count++
			continue
		}
		counts[k] = &Entry{Rule: f.Rule.ID, Path: f.Path, Match: f.Match, Line: strings.TrimSpace(f.LineText), Count: 1}
	}
	b := &File{Version: 2, Entries: []Entry{}}
	for _, e := range counts {
		b.Entries = append(b.Entries, *e)
	}
	b.sort()
	return b
}

func (b *File) sort() {
	sort.SliceStable(b.Entries, func(i, j int) bool {
		x, y := b.Entries[i], b.Entries[j]
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		if x.Match != y.Match {
			return x.Match < y.Match
		}
		return x.Line < y.Line
	})
}

// Header and Footer open and close a version 2 baseline. Between them
// stands one recorded finding per line, sorted, each line ending with a
// comma (the footer's null closes the list), and with no counts: a finding
// recorded twice is two equal lines. So adding or removing one finding
// changes one line, and branches that change the debt of different files
// merge without touching the same lines.
const (
	Header = `{"version":2,"findings":[`
	Footer = `null]}`
)

// Write writes the baseline in version 2, whatever version was read.
func (b *File) Write(w io.Writer) error {
	sorted := &File{Entries: append([]Entry(nil), b.Entries...)}
	sorted.sort()
	bw := bufio.NewWriter(w)
	bw.WriteString(Header + "\n")
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for _, e := range sorted.Entries {
		line.Reset()
		fe := fileEntry{Path: e.Path, PathBytes: raw(e.Path), Rule: e.Rule, Match: e.Match, MatchBytes: raw(e.Match),
			Line: e.Line, LineBytes: raw(e.Line)}
		if err := enc.Encode(fe); err != nil {
			return err
		}
		l := bytes.TrimSuffix(line.Bytes(), []byte("\n"))
		for range e.Count {
			bw.Write(l)
			bw.WriteString(",\n")
		}
	}
	bw.WriteString(Footer + "\n")
	return bw.Flush()
}

// Save writes the baseline to a file as fileio.WriteFile does: a regular
// file (a symbolic link's target included) through a temporary file and a
// rename, a device or FIFO in place.
func (b *File) Save(name string) error {
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	return fileio.WriteFile(name, buf.Bytes(), 0o644)
}
