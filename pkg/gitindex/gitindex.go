// Package gitindex reads the entries of a git index file (versions 2 to 4) without running git.
package gitindex

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"unsafe"
)

// ErrUnsupported is wrapped by every error for an index that may be valid
// but that Read does not list by itself: a required extension (a split or a
// sparse index), an entry without a path (a split index's), a skip-worktree
// entry, an unknown version, mode or flag, or v4 paths that expand to more
// than eight times the file's size and 64 KiB. Run git instead.
var ErrUnsupported = errors.New("gitindex: unsupported index")

// The modes an entry of a successful Read has.
const (
	ModeRegular    uint32 = 0o100644
	ModeExecutable uint32 = 0o100755
	ModeSymlink    uint32 = 0o120000
	ModeGitlink    uint32 = 0o160000
)

// modeSparseDir is the mode of a sparse index's directory entry.
const modeSparseDir uint32 = 0o040000

// An Index is the content of an index file.
type Index struct {
	Version int     // 2, 3 or 4
	Entries []Entry // in file order: sorted by path bytes, then by stage (those Config.Keep keeps)

	hashSize int
	oids     []byte // the entries' object ids, one after the other; nil with NoOIDs
}

// An Entry is one path of the index at one stage. Its object id is
// Index.OID's: an entry holds no slice, so that a listing, which needs
// none, pays 24 bytes an entry (64-bit) rather than 48 and the ids' bytes.
type Entry struct {
	// Path is the path from the top of the work tree, slash-separated, as
	// stored. The paths of one Index share one allocation.
	Path string
	Mode uint32
	// Stage is 0 for a merged path, 1 to 3 for the base, ours and theirs of
	// a conflict.
	Stage uint8
	// AssumeValid is set by git update-index --assume-unchanged.
	AssumeValid bool
	// IntentToAdd is set by git add -N: the path is tracked, the OID is the
	// empty blob's.
	IntentToAdd bool
	// SkipWorktree is always false after a successful Read: an index with a
	// skip-worktree entry is ErrUnsupported.
	SkipWorktree bool
}

// OID returns the object id of Entries[i]: 20 bytes for SHA-1, 32 for
// SHA-256, sharing one allocation with the other entries' ids; nil for an
// index read with Config.NoOIDs.
func (x *Index) OID(i int) []byte {
	if x.oids == nil {
		return nil
	}
	_ = x.Entries[i] // an entry's, or a panic
	return x.oids[i*x.hashSize : (i+1)*x.hashSize : (i+1)*x.hashSize]
}

// Hex returns the object id of Entries[i] in hexadecimal ("" with NoOIDs).
func (x *Index) Hex(i int) string { return hex.EncodeToString(x.OID(i)) }

// A Config says what Read keeps of an index; the zero Config keeps all of
// it. Neither field changes what is accepted: an index that Read refuses is
// refused whatever is kept.
type Config struct {
	// NoOIDs leaves the object ids out (Index.OID returns nil): a listing
	// needs only the paths and modes, and in a short run every 4 KiB of
	// fresh memory is a page fault.
	NoOIDs bool
	// Keep, if not nil, is asked about every entry's path, once each and
	// in order, before anything is kept (and before the entries are all
	// checked: it may see the paths of an index that Read then refuses):
	// Entries holds only the entries it keeps, and their ids. The bytes
	// are valid during the call only.
	Keep func(path []byte) bool
}

// Bits of an entry's flags and extended flags.
const (
	flagAssumeValid  = 0x8000
	flagExtended     = 0x4000
	flagStageShift   = 12
	nameMask         = 0x0fff
	extSkipWorktree  = 0x4000
	extIntentToAdd   = 0x2000
	extKnown         = extSkipWorktree | extIntentToAdd
	headerSize       = 12
	statSize         = 40 // ctime, mtime, dev, ino, mode, uid, gid, size
	maxExpansion     = 8  // see maxNameBytes
	maxExpansionBase = 1 << 16
)

// Read parses the content of an index file, all of it kept (Config.Read).
// hashSize is 20 in a SHA-1 repository, 32 in a SHA-256 one. Optional
// extensions are skipped, the trailing checksum is not verified (git checks
// it only in git fsck; with index.skipHash it is zero), and nothing of data
// is kept.
func Read(data []byte, hashSize int) (*Index, error) { return Config{}.Read(data, hashSize) }

// Read is the package's Read, keeping what c says.
func (c Config) Read(data []byte, hashSize int) (*Index, error) {
	if hashSize != 20 && hashSize != 32 {
		return nil, fmt.Errorf("gitindex: hash size %d, want 20 or 32", hashSize)
	}
	if len(data) < headerSize+hashSize {
		return nil, malformed("%d bytes are too few for an index", len(data))
	}
	if string(data[:4]) != "DIRC" {
		return nil, malformed("no index signature")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("%w: version %d", ErrUnsupported, version)
	}
	d := decoder{data: data, hashSize: hashSize, version: int(version)}

	// Every entry takes at least its stat data, object id, flags, one byte
	// of name and its NUL (v4: a one-byte prefix length and the NUL), so a
	// count beyond what the bytes can hold is rejected before anything is
	// allocated for it.
	count := uint64(binary.BigEndian.Uint32(data[8:]))
	if count*uint64(statSize+hashSize+4) > uint64(len(data)-headerSize-hashSize) {
		return nil, malformed("%d entries do not fit in %d bytes", count, len(data))
	}
	n := int(count)

	// A first pass finds where the entries end, checks the extensions that
	// follow and measures the paths, so that one exact allocation holds
	// them all. Keep, if any, is asked next; the last pass checks the rest
	// of each entry. v4 paths are put together in one buffer of the
	// longest one's size: each keeps a prefix of the path before.
	off, prevLen, total, longest := headerSize, 0, 0, 0
	maxNameBytes := maxExpansion*len(data) + maxExpansionBase
	for i := 0; i < n; i++ {
		next, reuse, suffix, err := d.span(off, prevLen)
		if err != nil {
			return nil, err
		}
		length := reuse + len(suffix)
		// A v4 path reuses a prefix of the one before, so paths can add up
		// to far more than the file's size (one path never does).
		if total += length; total > maxNameBytes {
			return nil, fmt.Errorf("%w: paths longer than %d bytes in all", ErrUnsupported, maxNameBytes)
		}
		off, prevLen, longest = next, length, max(longest, length)
	}
	if err := d.extensions(off); err != nil {
		return nil, err
	}
	var v4 []byte
	if d.version == 4 {
		v4 = make([]byte, 0, longest)
	}

	kept, keptBytes := n, total
	var dropped []uint64 // bit i: Keep left entry i out
	if c.Keep != nil {
		off, prevLen = headerSize, 0
		for i := 0; i < n; i++ {
			next, reuse, suffix, _ := d.span(off, prevLen) // checked above
			path := suffix
			if d.version == 4 {
				v4 = append(v4[:reuse], suffix...)
				path = v4
			}
			if !c.Keep(path) {
				if dropped == nil {
					dropped = make([]uint64, (n+63)/64)
				}
				dropped[i/64] |= 1 << (i % 64)
				kept, keptBytes = kept-1, keptBytes-len(path)
			}
			off, prevLen = next, len(path)
		}
	}

	entries := make([]Entry, kept)
	var oids []byte
	if !c.NoOIDs {
		oids = make([]byte, kept*hashSize)
	}
	names := make([]byte, 0, keptBytes)
	off = headerSize
	var prev []byte // the path before (in v4, the one in v4)
	var prevStage uint8
	var r rawEntry
	for i, j := 0, 0; i < n; i++ {
		if err := d.entry(&r, off, len(prev)); err != nil {
			return nil, err
		}
		off = r.next
		stage := uint8(r.flags>>flagStageShift) & 3
		// git keeps entries sorted, merged paths once; an index in any
		// other order is not one to list from. The path and the one before
		// share their first r.keep bytes: the rest decides.
		order := 0
		if i > 0 {
			order = bytes.Compare(prev[r.keep:], r.suffix)
		}
		path := r.suffix
		if d.version == 4 {
			v4 = append(v4[:r.keep], r.suffix...)
			path = v4
		}
		if i > 0 && (order > 0 || order == 0 && (prevStage == 0 || prevStage >= stage)) {
			return nil, malformed("entry %d (%q, stage %d) is out of order", i, path, stage)
		}
		prev, prevStage = path, stage
		if dropped != nil && dropped[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		start := len(names)
		names = append(names, path...)
		if oids != nil {
			copy(oids[j*hashSize:], r.oid)
		}
		// Field by field: the entries are zero, and a whole-struct store
		// costs a bulk write barrier while the collector runs. The bytes of
		// names[start:] are never written again (appends go after them),
		// so the path can share them.
		e := &entries[j]
		e.Path = unsafe.String(&names[start], len(path))
		e.Mode = r.mode
		e.Stage = stage
		e.AssumeValid = r.flags&flagAssumeValid != 0
		e.IntentToAdd = r.ext&extIntentToAdd != 0
		j++
	}
	return &Index{Version: d.version, Entries: entries, hashSize: hashSize, oids: oids}, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("gitindex: malformed index: "+format, args...)
}

type decoder struct {
	data     []byte
	hashSize int
	version  int
}

// rawEntry is an entry as it lies in the data.
type rawEntry struct {
	oid    []byte
	suffix []byte // the path after the keep bytes reused from the one before
	keep   int
	mode   uint32
	flags  uint16
	ext    uint16
	next   int // the offset of what follows
}

// span returns the offset after the entry at off and its path: the number
// of bytes it reuses of the path before (v4), whose length is prevLen, and
// the bytes that follow them. It checks only what finding them needs.
func (d *decoder) span(off, prevLen int) (next, reuse int, suffix []byte, err error) {
	data := d.data
	p := off + statSize + d.hashSize + 2
	if p > len(data) {
		return 0, 0, nil, malformed("an entry at offset %d is cut off", off)
	}
	if data[p-2]&(flagExtended>>8) != 0 {
		p += 2
	}
	if d.version == 4 {
		strip, q, err := varint(data, p)
		if err != nil {
			return 0, 0, nil, err
		}
		if strip > uint64(prevLen) {
			return 0, 0, nil, malformed("an entry at offset %d removes %d bytes from a %d-byte path", off, strip, prevLen)
		}
		reuse, p = prevLen-int(strip), q
	}
	if p > len(data) {
		return 0, 0, nil, malformed("an entry at offset %d is cut off", off)
	}
	end := bytes.IndexByte(data[p:], 0)
	if end < 0 {
		return 0, 0, nil, malformed("the path at offset %d has no end", p)
	}
	end += p
	next = end + 1
	if d.version < 4 {
		next = off + (end-off+8)&^7
		if next > len(data) {
			return 0, 0, nil, malformed("an entry at offset %d is cut off", off)
		}
	}
	return next, reuse, data[p:end], nil
}

// entry decodes the entry at off; prevLen is the length of the path before.
func (d *decoder) entry(r *rawEntry, off, prevLen int) error {
	data := d.data
	fixed := statSize + d.hashSize + 2
	if len(data)-off < fixed {
		return malformed("an entry at offset %d is cut off", off)
	}
	*r = rawEntry{
		mode:  binary.BigEndian.Uint32(data[off+24:]),
		oid:   data[off+statSize : off+statSize+d.hashSize],
		flags: binary.BigEndian.Uint16(data[off+fixed-2:]),
	}
	p := off + fixed
	if r.flags&flagExtended != 0 {
		if d.version < 3 {
			return malformed("extended flags in a version 2 index, at offset %d", off)
		}
		if len(data)-p < 2 {
			return malformed("an entry at offset %d is cut off", off)
		}
		r.ext = binary.BigEndian.Uint16(data[p:])
		p += 2
		if r.ext&^extKnown != 0 {
			return fmt.Errorf("%w: extended flags %#04x at offset %d", ErrUnsupported, r.ext, off)
		}
		if r.ext&extSkipWorktree != 0 {
			return fmt.Errorf("%w: a skip-worktree entry (sparse checkout), at offset %d", ErrUnsupported, off)
		}
	}
	switch r.mode {
	case ModeRegular, ModeExecutable, ModeSymlink, ModeGitlink:
	case modeSparseDir:
		return fmt.Errorf("%w: a sparse directory entry, at offset %d", ErrUnsupported, off)
	default:
		return fmt.Errorf("%w: mode %o at offset %d", ErrUnsupported, r.mode, off)
	}

	if d.version == 4 {
		strip, q, err := varint(data, p)
		if err != nil {
			return err
		}
		if strip > uint64(prevLen) {
			return malformed("an entry at offset %d removes %d bytes from a %d-byte path", off, strip, prevLen)
		}
		r.keep = prevLen - int(strip)
		p = q
	}
	end := bytes.IndexByte(data[p:], 0)
	if end < 0 {
		return malformed("the path at offset %d has no end", p)
	}
	end += p
	r.suffix = data[p:end]
	length := r.keep + len(r.suffix)
	// The flags hold the path's length, or 0xfff for 0xfff bytes and more.
	if want := int(r.flags & nameMask); want != nameMask && want != length {
		return malformed("the path at offset %d has %d bytes, its entry says %d", p, length, want)
	}
	if length == 0 {
		// A split index strips the paths of the entries that replace
		// those of its shared index.
		return fmt.Errorf("%w: an entry without a path (a split index?), at offset %d", ErrUnsupported, off)
	}
	r.next = end + 1
	if d.version < 4 {
		// One to eight NULs end the path and pad the entry to a multiple
		// of eight bytes.
		r.next = off + (end-off+8)&^7
		if r.next > len(data) {
			return malformed("an entry at offset %d is cut off", off)
		}
	}
	return nil
}

// varint decodes git's offset varint at off: seven bits a byte, most
// significant first, with one added at each continuation.
func varint(data []byte, off int) (uint64, int, error) {
	var v uint64
	for i := off; i < len(data); i++ {
		c := data[i]
		v += uint64(c & 0x7f)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
		if v >= 1<<40 {
			break
		}
		v = (v + 1) << 7
	}
	return 0, 0, malformed("a bad path prefix length at offset %d", off)
}

// extensions checks the extensions from off, and that the checksum follows.
// Optional ones (an upper-case first letter: TREE, REUC, UNTR, FSMN, EOIE,
// IEOT, ...) only cache or record what the entries already say.
func (d *decoder) extensions(off int) error {
	data := d.data
	for len(data)-off > d.hashSize {
		if len(data)-off-d.hashSize < 8 {
			return malformed("%d bytes left after the extensions", len(data)-off-d.hashSize)
		}
		sig := data[off : off+4]
		size := uint64(binary.BigEndian.Uint32(data[off+4:]))
		if size > uint64(len(data)-off-8-d.hashSize) {
			return malformed("extension %q at offset %d is cut off", sig, off)
		}
		switch c := sig[0]; {
		case 'a' <= c && c <= 'z':
			// link: a split index; sdir: a sparse index.
			return fmt.Errorf("%w: required extension %q", ErrUnsupported, sig)
		case c < 'A' || c > 'Z':
			return malformed("extension %q at offset %d", sig, off)
		}
		off += 8 + int(size)
	}
	if len(data)-off != d.hashSize {
		return malformed("the checksum is cut off")
	}
	return nil
}
