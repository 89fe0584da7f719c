// Package baseline records today's findings so that only new ones fail, keyed on content rather than line numbers.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// DefaultFile is the baseline used when neither the flags nor the rule file
// name one.
const DefaultFile = ".nolegacyruns-baseline.json"

// MaxSize bounds the file read, like the rule file's.
const MaxSize = 64 << 20

// Entry is one recorded finding: where, what, and how often. An entry has no
// line number, so inserting lines or re-indenting does not resurface it.
type Entry struct {
	Rule  string `json:"rule"`
	Path  string `json:"path"`
	Match string `json:"match"`
	Line  string `json:"line"` // the finding's line, trimmed
	Count int    `json:"count"`
}

// File is the baseline file.
type File struct {
	Version int     `json:"version"`
	Entries []Entry `json:"findings"`
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

// Parse decodes a baseline; unknown fields and bad counts are errors.
func Parse(name string, data []byte) (*File, error) {
	var b File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
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
		return nil, &Error{File: name, Line: line, Col: col, Msg: "invalid baseline: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if dec.More() {
		line, col := position(data, dec.InputOffset())
		return nil, &Error{File: name, Line: line, Col: col, Msg: "invalid baseline: text after the JSON document"}
	}
	if b.Version != 1 {
		return nil, &Error{File: name, Msg: fmt.Sprintf("baseline version %d is not supported; write it again with --write-baseline", b.Version)}
	}
	for i, e := range b.Entries {
		if e.Count < 1 || e.Rule == "" || e.Path == "" || e.Match == "" {
			return nil, &Error{File: name, Msg: fmt.Sprintf("entry %d needs rule, path, match and a count of at least 1", i+1)}
		}
	}
	return &b, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// Apply marks as baselined the findings the baseline records, up to each
// entry's count, in file order; later copies are new debt and stay. It
// returns how many recorded findings of the files covers accepts no longer
// occur (stale); covers is the scope of the run, nil for everything.
func (b *File) Apply(fs []*result.Finding, covers func(path string) bool) (stale int) {
	left := make(map[string]int, len(b.Entries))
	for _, e := range b.Entries {
		left[result.KeyOf(e.Rule, e.Path, e.Match, e.Line)] += e.Count
	}
	for i := range fs {
		f := fs[i]
		if f.Suppression != nil {
			continue
		}
		k := result.Key(f)
		if left[k] > 0 {
			left[k]--
			f.Suppression = &result.Suppression{Kind: result.External, Justification: "recorded in the baseline"}
		}
	}
	for _, e := range b.Entries {
		k := result.KeyOf(e.Rule, e.Path, e.Match, e.Line)
		if left[k] > 0 && (covers == nil || covers(e.Path)) {
			stale += left[k]
			left[k] = 0 // counted once, however many entries share the key
		}
	}
	return stale
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
	b := &File{Version: 1, Entries: []Entry{}}
	for _, e := range counts {
		b.Entries = append(b.Entries, *e)
	}
	b.sort()
	return b
}

func (b *File) sort() {
	sort.Slice(b.Entries, func(i, j int) bool {
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

// Write writes the baseline as indented JSON, one entry per block, so that
// its diffs review well.
func (b *File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
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
