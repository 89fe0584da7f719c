package lsp

import (
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
}

func newLineIndex(text []byte) *lineIndex {
	ix := &lineIndex{text: text, start: []int{0}}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			ix.start = append(ix.start, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			ix.start = append(ix.start, i+1)
		}
	}
	return ix
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
	at, end := ix.start[p.Line], ix.lineEnd(p.Line)
	if p.Character <= 0 {
		return at
	}
	if enc == utf8Enc {
		target := at + min(p.Character, end-at)
		for at < target {
			_, size := utf8.DecodeRune(ix.text[at:end])
			if at+size > target {
				break // inside a character: its start
			}
			at += size
		}
		return at
	}
	units := 0
	for at < end {
		r, size := utf8.DecodeRune(ix.text[at:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > p.Character {
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
	for at < off {
		r, size := utf8.DecodeRune(ix.text[at:off])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		at += size
	}
	return position{Line: l, Character: units}
}

// applyChange applies one content change to a text: a range replaced, or
// the whole text without a range.
func applyChange(text []byte, ch contentChange, enc encoding) []byte {
	if ch.Range == nil {
		return []byte(ch.Text)
	}
	ix := newLineIndex(text)
	a, b := ix.offset(ch.Range.Start, enc), ix.offset(ch.Range.End, enc)
	if b < a {
		a, b = b, a
	}
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
