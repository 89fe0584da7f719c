package scanner

import (
	"bytes"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

type reader interface {
	Read([]byte) (int, error)
}

// search streams one file through the matcher with a fixed buffer. Each round
// accepts matches that start before cut; the bytes after cut (and m.behind
// before it, for word boundaries and directives) are carried into the next
// round, so a token that straddles two reads is still found and memory stays
// flat.
func (w *worker) search(rel string, active []bool, r reader) {
	w.cur = pathRef{rel: rel}
	w.searchCur(active, r)
}

// searchCur searches the file that w.cur names.
func (w *worker) searchCur(active []bool, r reader) {
	first0, bytes0 := len(w.findings), w.stats.Bytes
	sp := span{to: -1, whole: true}
	ok := w.searchSpan(active, r, &sp)
	if sp.big != nil {
		w.endChunk(sp.big, 0, &sp, ok, first0, bytes0)
		return
	}
	if !ok {
		return
	}
	w.stats.FilesScanned++
	if len(sp.dirs) > 0 {
		w.findings = append(w.findings[:first0], w.s.e.applySuppressions(w.findings[first0:], sp.dirs, w.relPath(), w.newFinding)...)
	}
}

// searchSpan searches what sp says of the file that r reads: the whole
// file, or a chunk of a big one (chunk.go). It reports whether the search
// ran to the end; if not, the file was binary, decoded from UTF-16, split
// into chunks, unreadable or the scan was cancelled, and that is accounted
// for.
func (w *worker) searchSpan(active []bool, r reader, sp *span) bool {
	m := w.s.e.m
	buf := w.buf
	overlap := m.maxLen + boundary
	var (
		base     = sp.start // absolute offset of buf[0]
		n        int        // valid bytes in buf
		scanFrom = sp.from  // absolute: match starts before this were decided
		line     = 1
		lineAt   = sp.from // absolute offset of the start of line `line`
		counted  = sp.from // absolute: newlines before this are counted
		first    = true
		eof      bool
		next     = sp.next
		isActive func(int32) bool
		lastLine int // line of the previous finding, whose text can be shared
		lastCol  int
		lastFrom int // absolute offset where that text starts
		lastC16  int
		// UTF-16 units of the current line before base: a line can be longer
		// than the buffer, and SARIF counts columns in UTF-16.
		units16 int
		// Findings on lines up to this one never share text: a chunk's first
		// line may have had findings in the chunk before, and the merge
		// settles what they share.
		fresh int
		// Matches that start before this are a chunk's early ones, which a
		// match of the chunk before may overlap (see merge).
		early int
	)
	if !sp.whole && sp.from > 0 {
		fresh, early = 1, sp.from+m.maxLen
	}
	if active != nil {
		isActive = func(r int32) bool { return int(r) >= len(active) || active[r] }
	}
	var dirs []directive
	rx := m.startRegex(active)
	if rx != nil {
		defer rx.release()
	}
	countTo := func(abs int) {
		seg := buf[counted-base : abs-base]
		if k := bytes.Count(seg, []byte{'\n'}); k > 0 {
			line += k
			lineAt = counted + bytes.LastIndexByte(seg, '\n') + 1
		}
		counted = abs
	}
	for {
		if w.s.stopped.Load() {
			return false // cancelled: the result is thrown away
		}
		for n < len(buf) && !eof {
			k, err := r.Read(buf[n:])
			n += k
			if err != nil {
				if sp.whole && notRegular(err) {
					w.stats.FilesSkipped++ // a folder where a file was listed
					return false
				}
				if !isEOF(err) {
					if sp.whole {
						w.fail(w.relPath(), err)
					} else {
						sp.err = err
					}
					return false
				}
				eof = true
			} else if k == 0 {
				eof = true
			}
		}
		if first {
			first = false
			if !sp.whole {
				lineAt = sp.startLine(buf[:n])
			} else {
				if order := utf16Order(buf[:n]); order != nil {
					w.searchUTF16(active, order, buf[:n], r, eof)
					return false
				}
				if bytes.IndexByte(buf[:min(n, binaryProbe)], 0) >= 0 {
					w.stats.FilesBinary++
					return false
				}
				if n == len(buf) && !eof && len(m.rx) == 0 {
					// Regex rules read whole lines in order: with them, no
					// file is split.
					if b := w.split(active, r); b != nil {
						// Big: this search goes on as its first chunk.
						sp.whole, sp.big, sp.to, sp.known = false, b, b.parts[0].to, true
					}
				}
			}
		}
		cut := base + n
		if !eof {
			cut -= overlap
		}
		if sp.to >= 0 && cut >= sp.to {
			cut, eof = sp.to, true
		}
		w.stats.Bytes += int64(cut - scanFrom)
		w.occs = m.occurrences(buf[:n], scanFrom-base, w.occs[:0], &w.lowered)
		if len(w.occs) > 0 {
			if next == nil {
				next = map[int32]int{}
			}
			for _, o := range m.selectMatches(buf[:n], w.occs, cut-base, isActive, next, base) {
				if base+o.start < early {
					sp.early = append(sp.early, occ{start: base + o.start, end: base + o.end, pat: o.pat})
				}
				countTo(base + o.start)
				col := base + o.start - lineAt + 1
				if m.pats[o.pat].lit {
					rx.hit(m.pats[o.pat].rule, line, lineAt)
					continue
				}
				if m.pats[o.pat].rule == m.directive {
					if d, end, ok := readDirective(buf[:n], lineAt-base, o.start); ok {
						d.line, d.col, d.endCol = line, col, col+end-o.start
						dirs = append(dirs, d)
					}
					continue
				}
				if a := m.allow[m.pats[o.pat].rule]; a != nil && allowed(buf[:n], o.start, o.end, a) {
					continue
				}
				f := w.newFinding()
				*f = result.Finding{
					Path:      w.relPath(),
					Line:      line,
					Column:    col,
					EndColumn: col + o.end - o.start,
					Rule:      &w.s.e.rules[m.pats[o.pat].rule],
					Match:     w.matchText(buf[o.start:o.end], o.pat),
				}
				w.findings = append(w.findings, f)
				if prev := len(w.findings) - 2; line == lastLine && line > fresh && base+o.start >= lastFrom &&
					base+o.end-lastFrom <= len(w.findings[prev].LineText) {
					// Findings on one line share its text.
					f.LineText, f.TextColumn = w.findings[prev].LineText, lastCol
					f.TextColumn16 = lastC16
				} else {
					f.LineText, f.TextColumn = lineText(buf[:n], max(lineAt-base, 0), o.start)
					f.TextColumn += base + max(lineAt-base, 0) - lineAt
					f.TextColumn16 = 1
					if f.TextColumn != 1 {
						// The text was cut: count the units of the line before it.
						from := lineAt + f.TextColumn - 1 - base
						if lineAt >= base {
							f.TextColumn16 += utf16Units(buf[lineAt-base : from])
						} else {
							f.TextColumn16 += units16 + utf16Units(buf[:from])
						}
					}
					lastLine, lastCol, lastFrom, lastC16 = line, f.TextColumn, lineAt+f.TextColumn-1, f.TextColumn16
				}
			}
		}
		if rx != nil {
			rx.round(w, buf[scanFrom-base:cut-base], scanFrom, eof)
		}
		if eof {
			break
		}
		keep := cut - m.behind
		if keep > counted {
			countTo(keep)
		}
		switch {
		case lineAt >= keep:
			units16 = 0 // the line starts in what is kept
		case lineAt >= base:
			units16 = utf16Units(buf[lineAt-base : keep-base])
		default:
			units16 += utf16Units(buf[:keep-base])
		}
		copy(buf, buf[keep-base:n])
		n -= keep - base
		base = keep
		scanFrom = cut
	}
	sp.dirs, sp.next = dirs, next
	if !sp.whole && sp.to >= 0 {
		countTo(sp.to)
		var u int // UTF-16 units from the last line start (or base) to sp.to
		if lineAt >= base {
			u = utf16Units(buf[lineAt-base : sp.to-base])
		} else {
			u = units16 + utf16Units(buf[:sp.to-base])
		}
		sp.endLine(line, lineAt, u)
	}
	if rx != nil {
		w.findings = append(w.findings, rx.found...)
	}
	sp.last = textState{line: lastLine, col: lastCol, from: lastFrom, c16: lastC16}
	return true
}

// newFinding returns room for one more finding. Findings live in chunks
// that never move, so a million of them are never copied to grow a slice.
func (w *worker) newFinding() *result.Finding {
	if len(w.store) == cap(w.store) {
		w.store = make([]result.Finding, 0, min(max(2*cap(w.store), 16), 1024))
	}
	w.store = w.store[:len(w.store)+1]
	return &w.store[len(w.store)-1]
}

// matchText returns the matched text as a string without allocating in the
// common cases: a case-sensitive match is its token, and a file full of one
// spelling repeats the previous finding's text.
func (w *worker) matchText(b []byte, pat int32) string {
	if tok := w.s.e.m.pats[pat].tok; tok == string(b) {
		return tok
	}
	if n := len(w.findings); n > 0 && w.findings[n-1].Match == string(b) {
		return w.findings[n-1].Match
	}
	return string(b)
}

// utf16Units counts the UTF-16 code units of UTF-8 text byte by byte, so
// that a rune split between two reads is counted once: every byte but a
// continuation byte starts a unit, and a 4-byte sequence takes two.
func utf16Units(b []byte) int {
	n := 0
	for _, c := range b {
		switch {
		case c&0xC0 != 0x80:
			n++
			if c >= 0xF0 && c <= 0xF4 {
				n++
			}
		}
	}
	return n
}

// lineText returns the line around buf[at] that starts at buf[start],
// without its line break, capped at maxLineText bytes, and the offset of its
// first byte from start.
func lineText(buf []byte, start, at int) (string, int) {
	end := bytes.IndexByte(buf[at:], '\n')
	if end < 0 {
		end = len(buf)
	} else {
		end += at
	}
	from := start
	if end-start > maxLineText {
		end = start + maxLineText
		if end < at+1 {
			from, end = at, min(at+maxLineText, len(buf))
		}
	}
	return strings.TrimSuffix(string(buf[from:end]), "\r"), from - start + 1
}
