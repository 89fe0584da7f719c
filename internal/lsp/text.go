package lsp

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// encoding is how a position's character counts: UTF-16 code units (the
// protocol's default) or UTF-8 bytes (when the client offers it).
type encoding uint8

const (
	utf16Enc encoding = iota
	utf8Enc
)

func (e encoding) String() string {
	if e == utf8Enc {
		return "utf-8"
	}
	return "utf-16"
}

// lineIndex maps byte offsets of a text to positions and back. Lines end at
// \n, \r\n or a lone \r, as the protocol says.
type lineIndex struct {
	text  []byte
	start []int // byte offset of each line's start
	// The last UTF-16 position found: a later offset on its line counts on
	// from it, so that the findings of one long line (a minified file),
	// asked for in order, cost one pass over it, not one each.
	last struct{ line, off, units int }
}

func newLineIndex(text []byte) *lineIndex {
	ix := &lineIndex{text: text, start: []int{0}}
	for br := newBreaks(text, 0); ; {
		next := br.next()
		if next < 0 {
			return ix
		}
		ix.start = append(ix.start, next)
	}
}

// breaks finds line breaks with two byte searches (which use SIMD), not a
// byte loop: documents are searched again on every change.
type breaks struct {
	text         []byte
	at           int
	nextN, nextR int // next \n and \r at or after at; -1 none, -2 not looked for
}

func newBreaks(text []byte, from int) *breaks {
	return &breaks{text: text, at: from, nextN: -2, nextR: -2}
}

// next returns where the line after the next line break starts, or -1.
func (b *breaks) next() int {
	find := func(cur int, c byte) int {
		if cur == -1 || cur >= b.at {
			return cur
		}
		i := bytes.IndexByte(b.text[b.at:], c)
		if i < 0 {
			return -1
		}
		return b.at + i
	}
	b.nextN, b.nextR = find(b.nextN, '\n'), find(b.nextR, '\r')
	i := b.nextN
	if b.nextR >= 0 && (i < 0 || b.nextR < i) {
		i = b.nextR
	}
	if i < 0 {
		return -1
	}
	end := i + 1
	if b.text[i] == '\r' && end < len(b.text) && b.text[end] == '\n' {
		end++
	}
	b.at = end
	return end
}

// seek returns where line l starts, scanning from a known line start; ok
// is false past the last line.
func seek(text []byte, from, fromLine, l int) (int, bool) {
	br := newBreaks(text, from)
	for ; fromLine < l; fromLine++ {
		next := br.next()
		if next < 0 {
			return len(text), false
		}
		from = next
	}
	return from, true
}

// lineEnd is where line l's content ends, before its line break.
func (ix *lineIndex) lineEnd(l int) int {
	if l+1 >= len(ix.start) {
		return len(ix.text)
	}
	end := ix.start[l+1]
	if end > 0 && ix.text[end-1] == '\n' {
		end--
	}
	if end > ix.start[l] && ix.text[end-1] == '\r' {
		end--
	}
	return end
}

// offset turns a position into a byte offset. A line past the end is the
// end of the text; a character past its line's end is the line's end, as
// the protocol asks; one inside a character rounds down to its start.
func (ix *lineIndex) offset(p position, enc encoding) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(ix.start) {
		return len(ix.text)
	}
	return charOffset(ix.text, ix.start[p.Line], ix.lineEnd(p.Line), p.Character, enc)
}

// charOffset is the offset of a character of the line [at, end).
func charOffset(text []byte, at, end, char int, enc encoding) int {
	if char <= 0 {
		return at
	}
	if enc == utf8Enc {
		target := at + min(char, end-at)
		for at < target {
			_, size := utf8.DecodeRune(text[at:end])
			if at+size > target {
				break // inside a character: its start
			}
			at += size
		}
		return at
	}
	units := 0
	for at < end {
		r, size := utf8.DecodeRune(text[at:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > char {
			break
		}
		units += n
		at += size
	}
	return at
}

// position turns a byte offset into a position.
func (ix *lineIndex) position(off int, enc encoding) position {
	off = min(max(off, 0), len(ix.text))
	l := sort.Search(len(ix.start), func(i int) bool { return ix.start[i] > off }) - 1
	at := ix.start[l]
	if enc == utf8Enc {
		return position{Line: l, Character: off - at}
	}
	units := 0
	// (Only from a character's start: one cut in two counted apart.)
	if c := ix.last; c.line == l && c.off > at && c.off <= off && (c.off == len(ix.text) || utf8.RuneStart(ix.text[c.off])) {
		at, units = c.off, c.units
	}
	for at < off {
		r, size := utf8.DecodeRune(ix.text[at:off])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		at += size
	}
	ix.last.line, ix.last.off, ix.last.units = l, at, units
	return position{Line: l, Character: units}
}

// applyChange applies one content change to a text: a range replaced, or
// the whole text without a range. It looks for line breaks only up to the
// range's end, not in the whole text: a change can be one of thousands in
// a notification (a multi-cursor edit).
func applyChange(text []byte, ch contentChange, enc encoding) []byte {
	if ch.Range == nil {
		return []byte(ch.Text)
	}
	start, end := ch.Range.Start, ch.Range.End
	if end.Line < start.Line || end.Line == start.Line && end.Character < start.Character {
		start, end = end, start
	}
	// offset finds p from the start of line fromLine at from, and returns
	// p's line start too.
	offset := func(from, fromLine int, p position) (off, lineAt, line int) {
		if p.Line < 0 {
			return 0, 0, 0
		}
		at, ok := seek(text, from, fromLine, p.Line)
		if !ok {
			return len(text), from, fromLine
		}
		lineEnd := len(text)
		if next := newBreaks(text, at).next(); next >= 0 {
			lineEnd = next - 1
			if text[lineEnd] == '\n' && lineEnd > at && text[lineEnd-1] == '\r' {
				lineEnd--
			}
		}
		return charOffset(text, at, lineEnd, p.Character, enc), at, p.Line
	}
	a, at, line := offset(0, 0, start)
	b, _, _ := offset(at, line, end)
	b = max(a, b)
	out := make([]byte, 0, len(text)-(b-a)+len(ch.Text))
	out = append(out, text[:a]...)
	out = append(out, ch.Text...)
	return append(out, text[b:]...)
}

// byteOffset is the offset of a finding's line and byte column, counted as
// the engine counts them: lines by \n only, 1-based.
func byteOffset(text []byte, nl []int, line, col int) int {
	if line-1 >= len(nl) {
		return len(text)
	}
	return min(nl[line-1]+col-1, len(text))
}

// newlineStarts lists where each \n-separated line starts.
func newlineStarts(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}
