package scanner

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one of Count parts of a scan split across machines (--shard
// I/N): the files whose path hashes to Index. A file's part depends on its
// root-relative path alone, never on the machine, the order of a listing
// or the number of workers, so the parts are disjoint and together are the
// whole scan. The zero Shard is the whole scan.
type Shard struct {
	Index, Count int // 1 <= Index <= Count
}

// ParseShard reads "I/N".
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(i)
	b, err2 := strconv.Atoi(n)
	switch {
	case !ok || err1 != nil || err2 != nil || strings.HasPrefix(i, "+") || strings.HasPrefix(n, "+"):
		return Shard{}, fmt.Errorf("%q is not I/N, like 2/4", s)
	case b < 1 || a < 1 || a > b:
		return Shard{}, fmt.Errorf("%q: I must be from 1 to N", s)
	}
	return Shard{Index: a, Count: b}, nil
}

func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// Split reports whether the scan is split at all.
func (s Shard) Split() bool { return s.Count > 1 }

// Has reports whether the file at root-relative path p is in this part.
func (s Shard) Has(p string) bool {
	return s.Count <= 1 || ShardOf(p, s.Count) == s.Index
}

// ShardOf is the part, from 1 to n, that path p belongs to: FNV-1a of its
// bytes, mixed (SplitMix64's finaliser, so that the low bits of similar
// paths spread too), modulo n.
func ShardOf(p string, n int) int {
	h := uint64(14695981039346656037)
	for i := 0; i < len(p); i++ {
		h ^= uint64(p[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return int(h%uint64(n)) + 1
}
