package scanner

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// maxUTF16 bounds the UTF-16 files decoded in memory.
const maxUTF16 = 256 << 20

// utf16Order returns the byte order of a UTF-16 file: a byte order mark,
// then a NUL byte in the first 8 KiB (binaryProbe), which any ASCII in
// UTF-16 has. Text that merely starts with the bytes FF FE is not UTF-16.
// Only those 8 KiB count, as for binary files: how much a search's first
// read holds (16 KiB in Scan's goroutine, 256 KiB in a worker) must not
// decide how a file is read.
func utf16Order(b []byte) binary.ByteOrder {
	var order binary.ByteOrder
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		order = binary.LittleEndian
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		order = binary.BigEndian
	default:
		return nil // most files: their NUL bytes are the binary check's
	}
	if bytes.IndexByte(b[:min(len(b), binaryProbe)], 0) < 0 {
		return nil
	}
	return order
}

// searchUTF16 decodes a UTF-16 file with a byte order mark to UTF-8 and
// searches that; lines and columns are those of the UTF-8 text.
func (w *worker) searchUTF16(active []bool, order binary.ByteOrder, head []byte, r reader, eof bool) {
	data := append([]byte(nil), head...)
	for !eof {
		if len(data) > maxUTF16 {
			w.fail(w.relPath(), fmt.Errorf("UTF-16 file larger than %d MiB; convert it to UTF-8 or exclude it", maxUTF16>>20))
			return
		}
		data = slices.Grow(data, 64<<10)
		k, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if err != nil && !isEOF(err) {
			w.fail(w.relPath(), err)
			return
		}
		eof = k == 0 || err != nil
	}
	units := make([]uint16, (len(data)-2)/2)
	for i := range units {
		units[i] = order.Uint16(data[2+2*i:])
	}
	text := []byte(string(utf16.Decode(units)))
	if len(data)%2 == 1 {
		text = utf8.AppendRune(text, utf8.RuneError) // a dangling byte
	}
	w.searchCur(active, bytes.NewReader(text))
}
