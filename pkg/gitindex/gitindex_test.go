package gitindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// oid makes an object id of n bytes from a seed.
func oid(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// sample is an index's worth of entries in git's order: every mode, a
// conflict, shared prefixes, odd bytes and a path longer than the flags
// can count.
func sample(extended bool) []Entry {
	long := strings.Repeat("d/", 2100) + "f" // 4201 bytes
	es := []Entry{
		{Path: "-x", Mode: ModeRegular},
		{Path: ".hidden", Mode: ModeRegular, AssumeValid: true},
		{Path: "a\nb", Mode: ModeRegular},
		{Path: "a b", Mode: ModeExecutable},
		{Path: "conflict", Mode: ModeRegular, Stage: 1},
		{Path: "conflict", Mode: ModeRegular, Stage: 2},
		{Path: "conflict", Mode: ModeExecutable, Stage: 3},
		{Path: long, Mode: ModeRegular},
		{Path: long + "g", Mode: ModeRegular},
		{Path: "dir-x", Mode: ModeSymlink},
		{Path: "dir/sub/x", Mode: ModeRegular},
		{Path: "dir/sub/xy", Mode: ModeRegular},
		{Path: "dir/subdir/z", Mode: ModeRegular},
		{Path: "dir0", Mode: ModeGitlink},
		{Path: "only-theirs", Mode: ModeRegular, Stage: 1},
		{Path: "only-theirs", Mode: ModeRegular, Stage: 3},
		{Path: strings.Repeat("p", nameMask-1), Mode: ModeRegular},
		{Path: strings.Repeat("p", nameMask), Mode: ModeRegular},
		{Path: strings.Repeat("p", nameMask+1), Mode: ModeRegular},
		{Path: "q", Mode: ModeRegular, IntentToAdd: extended},
		{Path: "ü/日本語.go", Mode: ModeRegular},
	}
	return es // encode gives entry i the id oid(hashSize, byte(i))
}

// someExtensions are optional extensions git writes, with made-up content.
var someExtensions = []ext{
	{"TREE", []byte("\x001 0\n" + string(oid(20, 7)))},
	{"REUC", []byte("conflict\x00100644\x000\x000\x00")},
	{"UNTR", bytes.Repeat([]byte{0xff}, 100)},
	{"FSMN", []byte{0, 0, 0, 2}},
	{"IEOT", []byte{0, 0, 0, 1, 0, 0, 0, 12, 0, 0, 0, 3}},
	{"EOIE", make([]byte, 24)},
}

func TestReadSample(t *testing.T) {
	for _, hashSize := range []int{20, 32} {
		for _, version := range []int{2, 3, 4} {
			want := sample(version > 2)
			for _, exts := range [][]ext{nil, someExtensions} {
				data := encode(version, hashSize, want, exts...)
				idx, err := Read(data, hashSize)
				if err != nil {
					t.Fatalf("v%d, %d-byte ids, %d extensions: %v", version, hashSize, len(exts), err)
				}
				if idx.Version != version || !reflect.DeepEqual(idx.Entries, want) {
					t.Fatalf("v%d, %d-byte ids: got version %d and\n%+v\nwant\n%+v", version, hashSize, idx.Version, idx.Entries, want)
				}
				for i := range want {
					if id := idx.OID(i); !bytes.Equal(id, oid(hashSize, byte(i))) || cap(id) != hashSize {
						t.Fatalf("v%d, %d-byte ids: entry %d has id %x (capacity %d)", version, hashSize, i, id, cap(id))
					}
				}
				// Without the ids: the same entries, and no id.
				bare, err := Config{NoOIDs: true}.Read(data, hashSize)
				if err != nil || bare.Version != version || !reflect.DeepEqual(bare.Entries, want) || bare.OID(0) != nil || bare.Hex(0) != "" {
					t.Fatalf("v%d, %d-byte ids, without them: %v", version, hashSize, err)
				}
				// git writes a zero checksum with index.skipHash.
				clear(data[len(data)-hashSize:])
				if idx, err := Read(data, hashSize); err != nil || !reflect.DeepEqual(idx.Entries, want) {
					t.Fatalf("v%d, zero checksum: %v", version, err)
				}
			}
		}
	}
}

func TestHex(t *testing.T) {
	idx, err := Read(encode(2, 20, []Entry{{Path: "a", Mode: ModeRegular}, {Path: "b", Mode: ModeRegular}}), 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := idx.Hex(1); got != "0102030405060708090a0b0c0d0e0f1011121314" {
		t.Fatalf("got %q", got)
	}
}

func TestReadEmpty(t *testing.T) {
	for _, version := range []int{2, 3, 4} {
		idx, err := Read(encode(version, 20, nil), 20)
		if err != nil || len(idx.Entries) != 0 || idx.Version != version {
			t.Fatalf("v%d: %+v, %v", version, idx, err)
		}
	}
}

// Read keeps nothing of its input: the caller may reuse the buffer.
func TestReadCopies(t *testing.T) {
	data := encode(4, 20, sample(true))
	idx, err := Read(data, 20)
	if err != nil {
		t.Fatal(err)
	}
	clear(data)
	if !reflect.DeepEqual(idx.Entries, sample(true)) {
		t.Fatal("entries changed with the input")
	}
	for i := range idx.Entries {
		if !bytes.Equal(idx.OID(i), oid(20, byte(i))) {
			t.Fatalf("entry %d: the id changed with the input", i)
		}
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(path, encode(2, 20, sample(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := ReadFile(path, 20)
	if err != nil || len(idx.Entries) != len(sample(false)) {
		t.Fatalf("%v, %v", idx, err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none"), 20); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
}

// What each bad index gets: an error wrapping ErrUnsupported (git may read
// it), or a plain one (it is broken).
func TestReadErrors(t *testing.T) {
	const unsupported, malformed = true, false
	one := func(e Entry) []Entry {
		if e.Path == "" {
			e.Path = "f"
		}
		if e.Mode == 0 {
			e.Mode = ModeRegular
		}
		return []Entry{e}
	}
	good := encode(2, 20, one(Entry{}))
	patch := func(data []byte, off int, b ...byte) []byte {
		data = bytes.Clone(data)
		copy(data[off:], b)
		return data
	}
	// Offsets in a v2 SHA-1 entry: mode at 12+24, flags at 12+60, path at 12+62.
	const mode, flags, path = 12 + 24, 12 + 60, 12 + 62
	// Entries whose v4 paths reuse a 4000-byte prefix, 64 bytes each.
	var expanding []Entry
	for i := range 2000 {
		expanding = append(expanding, Entry{Path: strings.Repeat("a", 4000) + string(rune(0x100+i)), Mode: ModeRegular})
	}
	for _, c := range []struct {
		name        string
		data        []byte
		hashSize    int
		unsupported bool
	}{
		{"empty", nil, 20, malformed},
		{"header only", good[:12], 20, malformed},
		{"no signature", patch(good, 0, 'D', 'I', 'R', 'X'), 20, malformed},
		{"version 1", patch(good, 7, 1), 20, unsupported},
		{"version 5", patch(good, 7, 5), 20, unsupported},
		{"hash size 21", good, 21, malformed},
		{"SHA-1 index read as SHA-256", good, 32, malformed},
		{"SHA-256 index read as SHA-1", encode(2, 32, []Entry{{Path: "f", Mode: ModeRegular}}), 20, malformed},
		{"count too large", patch(good, 8, 0xff, 0xff, 0xff, 0xff), 20, malformed},
		{"count one more", patch(good, 11, 2), 20, malformed},
		{"count one less", patch(good, 11, 0), 20, malformed},
		{"path length too large", patch(good, flags+1, 2), 20, malformed},
		{"empty path", patch(good, path, 0), 20, malformed},
		{"empty path, as in a split index", patch(good, flags+1, 0, 0), 20, unsupported},
		{"path without its NUL", patch(good, path, bytes.Repeat([]byte{'x'}, len(good)-path)...), 20, malformed},
		{"extended flags in v2", patch(good, flags, 0x40), 20, malformed},
		{"skip-worktree", encode(3, 20, one(Entry{SkipWorktree: true})), 20, unsupported},
		{"skip-worktree in v4", encode(4, 20, one(Entry{SkipWorktree: true})), 20, unsupported},
		{"unknown extended flag", patch(encode(3, 20, one(Entry{IntentToAdd: true})), path, 0x30), 20, unsupported},
		{"reserved extended flag", patch(encode(3, 20, one(Entry{IntentToAdd: true})), path, 0xa0), 20, unsupported},
		{"sparse directory", encode(2, 20, one(Entry{Path: "dir/", Mode: modeSparseDir})), 20, unsupported},
		{"mode 100664", patch(good, mode+3, 0xb4), 20, unsupported},
		{"mode 0", patch(good, mode+2, 0, 0), 20, unsupported},
		{"split index", encode(2, 20, one(Entry{}), ext{"link", oid(20, 3)}), 20, unsupported},
		{"sparse index", encode(2, 20, one(Entry{}), ext{"TREE", nil}, ext{"sdir", nil}), 20, unsupported},
		{"extension not a letter", encode(2, 20, one(Entry{}), ext{"1ABC", nil}), 20, malformed},
		{"extension too long", patch(encode(2, 20, one(Entry{}), ext{"TREE", []byte("abc")}), 12+64+7, 4), 20, malformed},
		{"extension size huge", patch(encode(2, 20, one(Entry{}), ext{"TREE", []byte("abc")}), 12+64+4, 0xff), 20, malformed},
		{"bytes between extensions and checksum", append(bytes.Clone(good[:len(good)-20]), "TRE\x00"+string(oid(20, 0))...), 20, malformed},
		{"checksum cut off", good[:len(good)-1], 20, malformed},
		{"unsorted", encode(2, 20, []Entry{{Path: "b", Mode: ModeRegular}, {Path: "a", Mode: ModeRegular}}), 20, malformed},
		{"prefix after", encode(2, 20, []Entry{{Path: "ab", Mode: ModeRegular}, {Path: "a", Mode: ModeRegular}}), 20, malformed},
		{"merged twice", encode(2, 20, []Entry{{Path: "a", Mode: ModeRegular}, {Path: "a", Mode: ModeRegular}}), 20, malformed},
		{"merged and stage", encode(2, 20, []Entry{{Path: "a", Mode: ModeRegular}, {Path: "a", Mode: ModeRegular, Stage: 2}}), 20, malformed},
		{"stages down", encode(2, 20, []Entry{{Path: "a", Mode: ModeRegular, Stage: 3}, {Path: "a", Mode: ModeRegular, Stage: 2}}), 20, malformed},
		{"stage twice", encode(2, 20, []Entry{{Path: "a", Mode: ModeRegular, Stage: 2}, {Path: "a", Mode: ModeRegular, Stage: 2}}), 20, malformed},
		{"v4 removes more than the path before", patch(encode(4, 20, []Entry{{Path: "a", Mode: ModeRegular}, {Path: "b", Mode: ModeRegular}}), 12+65+62, 2), 20, malformed},
		{"v4 first entry removes", patch(encode(4, 20, one(Entry{})), path, 1), 20, malformed},
		{"v4 prefix length overflows", patch(encode(4, 20, one(Entry{Path: strings.Repeat("x", 30)})), path, bytes.Repeat([]byte{0xff}, 12)...), 20, malformed},
		{"v4 prefix length endless", append(encode(4, 20, one(Entry{}))[:path], bytes.Repeat([]byte{0x80}, 80)...), 20, malformed},
		{"v4 paths expand too far", encode(4, 20, expanding), 20, unsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			idx, err := Read(c.data, c.hashSize)
			if err == nil {
				t.Fatalf("no error; %+v", idx)
			}
			if errors.Is(err, ErrUnsupported) != c.unsupported {
				t.Fatalf("%v: want unsupported %v", err, c.unsupported)
			}
		})
	}
}

// Every cut of a good index is an error, or, the checksum being unchecked,
// when it keeps the entries and leaves a checksum's length after whole
// extensions, the same entries. Never a panic.
func TestReadTruncated(t *testing.T) {
	for _, version := range []int{2, 3, 4} {
		want := sample(version > 2)
		data := encode(version, 20, want, someExtensions...)
		for n := range len(data) {
			idx, err := Read(data[:n], 20)
			if err == nil && !reflect.DeepEqual(idx.Entries, want) {
				t.Fatalf("v%d cut to %d of %d bytes: no error and other entries", version, n, len(data))
			}
		}
	}
}

// The count in the header is checked against the size before anything is
// allocated for it.
func TestReadHugeCount(t *testing.T) {
	data := encode(2, 20, nil)
	binary.BigEndian.PutUint32(data[8:], 0xffffffff)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(data, 20)
	runtime.ReadMemStats(&after)
	if err == nil || after.TotalAlloc-before.TotalAlloc > 1<<16 {
		t.Fatalf("%v, %d bytes allocated", err, after.TotalAlloc-before.TotalAlloc)
	}
}

// What Read keeps: the entries (24 bytes each on 64-bit platforms: no slice
// in them), one allocation of paths and, unless NoOIDs, one of ids, of the
// entries Keep keeps only; nothing else of any size (the slack is the
// allocator's size classes).
func TestReadKeeps(t *testing.T) {
	var es []Entry
	paths := 0
	for i := range 1000 {
		es = append(es, Entry{Path: fmt.Sprintf("src/module%02d/file_%04d.go", i/100, i), Mode: ModeRegular})
		paths += len(es[i].Path)
	}
	measure := func(c Config, version int) uint64 {
		data := encode(version, 32, es)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := c.Read(data, 32); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, version := range []int{2, 4} {
		with, without := measure(Config{}, version), measure(Config{NoOIDs: true}, version)
		if limit := uint64((len(es)*24+paths)*9/8 + 1024); without > limit {
			t.Errorf("v%d without ids: %d bytes allocated, want at most %d", version, without, limit)
		}
		if with < without+uint64(len(es)*32) {
			t.Errorf("v%d with ids: %d bytes allocated, without: %d; want the ids' %d more", version, with, without, len(es)*32)
		}
		// A tenth of the entries kept: a tenth of the memory.
		tenth := measure(Config{NoOIDs: true, Keep: func(p []byte) bool { return bytes.HasPrefix(p, []byte("src/module03/")) }}, version)
		if limit := without/10 + 1024; tenth > limit {
			t.Errorf("v%d, a tenth kept: %d bytes allocated, want at most %d", version, tenth, limit)
		}
	}
	// v4 paths, each one byte longer than the one before, none kept: one
	// buffer of the longest path's size is all that Read allocates.
	es = es[:0]
	for i := range 1000 {
		es = append(es, Entry{Path: strings.Repeat("a", i+1), Mode: ModeRegular})
	}
	if n := measure(Config{NoOIDs: true, Keep: func([]byte) bool { return false }}, 4); n > 2048 {
		t.Errorf("v4, a 1000-byte path, nothing kept: %d bytes allocated, want at most 2048", n)
	}
}

// Keep sees every path in order, v4 paths put together also from the
// paths of entries it leaves out; the entries it keeps are read as they
// would be, ids included.
func TestReadKeep(t *testing.T) {
	for _, version := range []int{2, 3, 4} {
		want := sample(version > 2)
		data := encode(version, 32, want)
		var seen []string
		idx, err := Config{Keep: func(p []byte) bool {
			seen = append(seen, string(p))
			return len(seen)%2 == 0 // "dir/sub/xy" kept, "dir/sub/x" before it not
		}}.Read(data, 32)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		var kept []Entry
		for i, e := range want {
			paths = append(paths, e.Path)
			if i%2 == 1 {
				kept = append(kept, e)
				if j := len(kept) - 1; !bytes.Equal(idx.OID(j), oid(32, byte(i))) {
					t.Errorf("v%d: kept entry %d has the id %x", version, j, idx.OID(j))
				}
			}
		}
		if !reflect.DeepEqual(seen, paths) {
			t.Errorf("v%d: Keep saw\n%q\nwant\n%q", version, seen, paths)
		}
		if !reflect.DeepEqual(idx.Entries, kept) {
			t.Errorf("v%d: kept\n%+v\nwant\n%+v", version, idx.Entries, kept)
		}
		// Nothing kept: no entry, and the same errors as a full read.
		none := Config{Keep: func([]byte) bool { return false }}
		if idx, err := none.Read(data, 32); err != nil || len(idx.Entries) != 0 {
			t.Errorf("v%d, nothing kept: %v", version, err)
		}
		bad := encode(version, 32, []Entry{{Path: "b", Mode: ModeRegular}, {Path: "a", Mode: ModeRegular}})
		if _, err := none.Read(bad, 32); err == nil {
			t.Errorf("v%d: an unsorted index read without error when nothing is kept", version)
		}
	}
}
