package scanner

import "math/bits"

// acFinder is an Aho-Corasick automaton compiled to a DFA over byte classes.
// States are renumbered so that every state with an output comes last: the
// hot loop then needs one comparison per byte to know whether to look closer.
type acFinder struct {
	class      [256]uint8 // byte -> class; class 0 is "in no token"
	shift      uint       // log2 of the row stride
	trans      []int32    // premultiplied: next = trans[state+class]
	matchStart int32      // premultiplied id of the first state with output
	outs       [][]int32  // outputs of state (matchStart + i<<shift)
	lens       []int32    // pattern id -> token length
}

func newACFinder(pats []pattern, ids []int32) *acFinder {
	f := &acFinder{lens: make([]int32, len(pats))}
	nclass := 1
	for _, id := range ids {
		t := pats[id].tok
		f.lens[id] = int32(len(t))
		for i := 0; i < len(t); i++ {
			if f.class[t[i]] == 0 {
				f.class[t[i]] = uint8(nclass)
				nclass++
			}
		}
	}
	// nclass <= 256; the row stride is the next power of two.
	f.shift = uint(bits.Len(uint(nclass - 1)))
	stride := 1 << f.shift

	// Trie, with -1 for a missing edge.
	trie := make([]int32, stride)
	for i := range trie {
		trie[i] = -1
	}
	var out [][]int32
	out = append(out, nil)
	for _, id := range ids {
		t := pats[id].tok
		s := 0
		for i := 0; i < len(t); i++ {
			c := int(f.class[t[i]])
			if trie[s*stride+c] < 0 {
				n := len(out)
				trie[s*stride+c] = int32(n)
				out = append(out, nil)
				for k := 0; k < stride; k++ {
					trie = append(trie, -1)
				}
			}
			s = int(trie[s*stride+c])
		}
		out[s] = append(out[s], id)
	}
	n := len(out)

	// Breadth-first: failure links, inherited outputs and the full DFA.
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	for c := 0; c < stride; c++ {
		if t := trie[c]; t > 0 {
			queue = append(queue, t)
		} else {
			trie[c] = 0
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := int(queue[qi])
		if fs := fail[s]; len(out[fs]) > 0 {
			out[s] = append(out[s][:len(out[s]):len(out[s])], out[fs]...)
		}
		for c := 0; c < stride; c++ {
			t := trie[s*stride+c]
			fc := trie[int(fail[s])*stride+c]
			if t < 0 {
				trie[s*stride+c] = fc
				continue
			}
			fail[t] = fc
			queue = append(queue, t)
		}
	}

	// Renumber: states without output first (root stays 0), then the rest.
	perm := make([]int32, n)
	next := int32(0)
	for s := 0; s < n; s++ {
		if len(out[s]) == 0 {
			perm[s] = next
			next++
		}
	}
	f.matchStart = next << f.shift
	for s := 0; s < n; s++ {
		if len(out[s]) > 0 {
			perm[s] = next
			f.outs = append(f.outs, out[s])
			next++
		}
	}
	f.trans = make([]int32, n*stride)
	for s := 0; s < n; s++ {
		row := int(perm[s]) * stride
		for c := 0; c < stride; c++ {
			f.trans[row+c] = perm[trie[s*stride+c]] << f.shift
		}
	}
	return f
}

func (f *acFinder) find(hay []byte, from int, dst []occ) []occ {
	trans, class, ms := f.trans, &f.class, f.matchStart
	var s int32
	for i := from; i < len(hay); i++ {
		s = trans[s+int32(class[hay[i]])]
		if s >= ms {
			for _, id := range f.outs[(s-ms)>>f.shift] {
				dst = append(dst, occ{start: i + 1 - int(f.lens[id]), end: i + 1, pat: id})
			}
		}
	}
	return dst
}

// newExactFinder picks the fastest finder for the case-sensitive tokens: the
// SIMD anchor scan for a handful; for many, Wu-Manber skipping over hashed
// windows (or the hashed windows alone when tokens are short); and the
// automaton when some token is too short for either.
func newExactFinder(pats []pattern, ids []int32) finder {
	if block := fastBlock(); block != nil && len(ids) <= maxAnchorTokens {
		if f := newAnchorFinder(pats, ids, block); f != nil {
			return f
		}
	}
	if h := newHashFinder(pats, ids); h != nil {
		if f := newWMFinder(pats, ids, h); f != nil {
			return f
		}
		return h
	}
	return newACFinder(pats, ids)
}
