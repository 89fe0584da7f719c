package gitindex

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
)

// encode writes entries as an index of the version, the way git does, then
// the extensions (each a signature and its content) and a checksum. It
// writes whatever it is given, in order, so that tests can make bad indexes.
// Entry i gets the id oid(hashSize, byte(i)).
func encode(version, hashSize int, entries []Entry, exts ...ext) []byte {
	return encodeWith(version, hashSize, entries, nil, exts...)
}

// encodeWith is encode with the ids given: hashSize bytes for each entry,
// one after the other (as Index keeps them); nil for encode's.
func encodeWith(version, hashSize int, entries []Entry, oids []byte, exts ...ext) []byte {
	b := []byte("DIRC")
	b = binary.BigEndian.AppendUint32(b, uint32(version))
	b = binary.BigEndian.AppendUint32(b, uint32(len(entries)))
	prev := ""
	for i, e := range entries {
		start := len(b)
		var stat [statSize]byte
		binary.BigEndian.PutUint32(stat[24:], e.Mode)
		b = append(b, stat[:]...)
		if oids != nil {
			b = append(b, oids[i*hashSize:(i+1)*hashSize]...)
		} else {
			b = append(b, oid(hashSize, byte(i))...)
		}
		flags := uint16(e.Stage&3)<<flagStageShift | uint16(min(len(e.Path), nameMask))
		if e.AssumeValid {
			flags |= flagAssumeValid
		}
		var extFlags uint16
		if e.IntentToAdd {
			extFlags |= extIntentToAdd
		}
		if e.SkipWorktree {
			extFlags |= extSkipWorktree
		}
		if extFlags != 0 {
			flags |= flagExtended
		}
		b = binary.BigEndian.AppendUint16(b, flags)
		if extFlags != 0 {
			b = binary.BigEndian.AppendUint16(b, extFlags)
		}
		if version == 4 {
			common := 0
			for common < len(prev) && common < len(e.Path) && prev[common] == e.Path[common] {
				common++
			}
			b = appendVarint(b, uint64(len(prev)-common))
			b = append(b, e.Path[common:]...)
			b = append(b, 0)
		} else {
			b = append(b, e.Path...)
			size := (len(b) - start + 8) &^ 7
			for len(b)-start < size {
				b = append(b, 0)
			}
		}
		prev = e.Path
	}
	for _, x := range exts {
		b = append(b, x.sig...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(x.data)))
		b = append(b, x.data...)
	}
	if hashSize == 32 {
		sum := sha256.Sum256(b)
		return append(b, sum[:]...)
	}
	sum := sha1.Sum(b)
	return append(b, sum[:]...)
}

type ext struct {
	sig  string
	data []byte
}

// appendVarint is git's encode_varint.
func appendVarint(b []byte, v uint64) []byte {
	var buf [16]byte
	i := len(buf) - 1
	buf[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		i--
		buf[i] = 0x80 | byte(v&0x7f)
	}
	return append(b, buf[i:]...)
}
