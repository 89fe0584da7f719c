package scanner

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// Big files are searched on every core: a file of at least chunkMin bytes is
// cut into chunks that workers search at once, each reading its own range
// of the file with pread into its own buffer (the worker that found the file
// searches the first chunk with what it has read). A chunk owns the matches that start in it and reads
// m.behind bytes before it and m.maxLen+boundary after it, exactly what the
// streaming search keeps around a read's cut, so each of its decisions sees
// what the sequential search saw. What a chunk cannot know from its own bytes
// (the line number, where a line that began before it started, what the
// chunk before it matched) is settled when the last chunk is done, by merge,
// in chunk order; the findings then are the sequential search's, exactly.
//
// The sizes were measured on 2 cores (docs/BENCHMARKS.md): a search runs
// at about 4 GB/s, so a 2 MiB chunk is half a millisecond of work, and a
// chunk costs a few microseconds (its task, the 2 KiB read twice at its
// edges, its share of the merge). Chunks of 2 MiB and more cost 0-3% more
// CPU than one sequential search, 1 MiB about 2-5%, 256 KiB 10-15%. A file
// is split only when it makes at least two chunks: below 4 MiB a search
// takes a millisecond, so splitting saves at most half of that when a core
// is free and costs those few percent when none is.
//
// Mapping the file (syscall.Mmap) instead of reading it was measured and
// doubled the CPU time: the search then reads the page cache straight from
// memory, page by page, where pread copies it into a buffer that stays in
// the core's cache. So there is no mapping, and no SIGBUS to guard against
// when a file shrinks: a chunk that reads short reports errShrunk.
const (
	defaultChunkSize = 2 << 20
	defaultChunkMin  = 2 * defaultChunkSize
)

// tuning holds sizes that tests shrink, so that a few bytes reach every edge;
// zero means the default.
type tuning struct {
	bufSize   int // each worker's read buffer
	chunkMin  int // files of at least this many bytes are cut into chunks
	chunkSize int // of about this many bytes
	// beforeChunk runs before chunk k reads, in the worker that searches it.
	beforeChunk func(k int)
	// inline, when set, is told whether Scan searched in its own goroutine.
	inline func(bool)
}

func (t tuning) chunking() (least, size int) {
	least, size = defaultChunkMin, defaultChunkSize
	if t.chunkMin > 0 {
		least = t.chunkMin
	}
	if t.chunkSize > 0 {
		size = t.chunkSize
	}
	return least, size
}

// errShrunk is a big file's error when it got shorter while it was read.
var errShrunk = errors.New("file shrank while it was read")

// pfile reads a file at any offset, from any goroutine, with read(2)'s
// conventions: a short count is no error, and 0, io.EOF is the end.
type pfile interface {
	readAt(p []byte, off int64) (int, error)
	Close() error
}

// span is the part of a file that one search owns: the whole file, or a
// chunk [from, to) of a big one, read from start = from-m.behind on.
type span struct {
	whole           bool
	start, from, to int           // to < 0: up to the end of the file
	next            map[int32]int // per rule, where its next match may start
	big             *bigFile      // a whole file's search that became the first chunk

	// What the search found.
	err      error
	findings []*result.Finding
	dirs     []directive
	early    []occ // matches that start within m.maxLen of from
	known    bool  // the line at from starts at lineAt, within what was read
	lineAt   int
	units0   int       // UTF-16 units from lineAt (or start) to from
	lines    int       // line breaks in [from, to)
	lastLine int       // where the last line in [from, to) starts, if lines > 0
	units    int       // UTF-16 units from there (or from) to to
	last     textState // the last line text made afresh, which findings after it may share
	bytes    int64
}

// textState is what the next finding on a line may share: the text of the
// last finding whose text was made, on line `line`, starting at offset from.
type textState struct{ line, col, from, c16 int }

// startLine finds where the line at sp.from starts in what was read before
// it (b starts at sp.start); when it starts even earlier, the chunk counts
// columns from sp.start-1 and merge corrects them.
func (sp *span) startLine(b []byte) int {
	pre := b[:sp.from-sp.start]
	k := bytes.LastIndexByte(pre, '\n')
	sp.known = k >= 0 || sp.start == 0
	sp.lineAt = sp.start + k + 1
	if !sp.known {
		sp.lineAt = sp.start - 1
	}
	sp.units0 = utf16Units(pre[max(sp.lineAt-sp.start, 0):])
	return sp.lineAt
}

// endLine records, at the end of a chunk, its line breaks and the UTF-16
// units of its last line: u counts them from lineAt, or from sp.start when
// the line began before it.
func (sp *span) endLine(line, lineAt, u int) {
	sp.lines = line - 1
	if sp.lines > 0 {
		sp.lastLine, sp.units = lineAt, u
	} else {
		sp.units = u - sp.units0 // only what is in [from, to)
	}
}

// bigFile is a file being searched in chunks.
type bigFile struct {
	f      pfile
	rel    string
	active []bool
	size   int
	parts  []span
	left   atomic.Int32 // chunks not yet searched
	closed atomic.Bool
}

// close closes the file once: after its merge, or when a cancelled scan
// ends without searching all its chunks.
func (b *bigFile) close() {
	if !b.closed.Swap(true) {
		b.f.Close()
	}
}

// chunkTask is one chunk of a big file, as a task on the stack.
type chunkTask struct {
	b *bigFile
	k int
}

// split cuts the file that r reads into chunks, if it is big enough to be
// worth it, and queues all but the first ahead of all other work; the
// caller searches the first with what it has read.
func (w *worker) split(active []bool, r reader) *bigFile {
	chunkMin, chunkSize := w.s.opt.tune.chunking()
	size, ok := fileSize(r)
	if !ok || size < int64(chunkMin) || int64(int(size)) != size {
		return nil
	}
	f, err := reopen(r)
	if err != nil {
		return nil // the sequential search still can
	}
	b := &bigFile{f: f, rel: w.relPath(), active: slices.Clone(active), size: int(size)}
	k := max(b.size/chunkSize, 1)
	b.parts = make([]span, k)
	b.left.Store(int32(k))
	behind := w.s.e.m.behind
	tasks := make([]task, 0, k-1)
	for i := range b.parts {
		from, to := b.size/k*i, b.size/k*(i+1)
		if i == k-1 {
			to = -1 // the last chunk reads on to the end, wherever it is then
		}
		b.parts[i] = span{start: max(from-behind, 0), from: from, to: to}
		if i > 0 {
			tasks = append(tasks, task{chunk: &chunkTask{b: b, k: i}})
		}
	}
	w.s.pushChunks(b, tasks)
	if h := w.s.opt.tune.beforeChunk; h != nil {
		h(0)
	}
	return b
}

// searchChunk searches one chunk of a big file.
func (w *worker) searchChunk(c *chunkTask) {
	b := c.b
	if w.s.stopped.Load() {
		w.endChunk(b, c.k, nil, false, 0, 0)
		return
	}
	w.cur = pathRef{rel: b.rel}
	if h := w.s.opt.tune.beforeChunk; h != nil {
		h(c.k)
	}
	w.searchPart(b, c.k, nil)
	w.endChunk(b, c.k, nil, false, 0, 0)
}

// endChunk counts a chunk done; the worker that finishes a file's last
// chunk merges them. sp is the first chunk's search, which the worker that
// split the file did in place; the findings it made from first0 on are the
// chunk's.
func (w *worker) endChunk(b *bigFile, k int, sp *span, ok bool, first0 int, bytes0 int64) {
	if sp != nil {
		w.keep(sp, ok, first0, bytes0)
		sp.big = nil
		b.parts[k] = *sp
	}
	if b.left.Add(-1) == 0 {
		w.merge(b)
	}
}

// keep moves a chunk's findings and byte count from the worker to the chunk.
func (w *worker) keep(p *span, ok bool, first0 int, bytes0 int64) {
	if ok {
		p.findings = slices.Clone(w.findings[first0:])
	}
	p.bytes = w.stats.Bytes - bytes0
	w.findings, w.stats.Bytes = w.findings[:first0], bytes0
}

// searchPart searches chunk k as if the chunks before it had left next.
func (w *worker) searchPart(b *bigFile, k int, next map[int32]int) {
	p := &b.parts[k]
	*p = span{start: p.start, from: p.from, to: p.to, next: next}
	r := &chunkReader{f: b.f, off: int64(p.start), end: -1, min: int64(b.size)}
	if p.to >= 0 {
		r.end = int64(min(p.to+w.s.e.m.maxLen+boundary, b.size))
		r.min = r.end
	}
	first0, bytes0 := len(w.findings), w.stats.Bytes
	ok := w.searchSpan(b.active, r, p)
	w.keep(p, ok, first0, bytes0)
}

// chunkReader reads [off, end) of a file, or from off to its end when end < 0;
// an end before min means the file shrank.
type chunkReader struct {
	f             pfile
	off, end, min int64
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.end >= 0 {
		if r.off >= r.end {
			return 0, io.EOF
		}
		p = p[:min(int64(len(p)), r.end-r.off)]
	}
	n, err := r.f.readAt(p, r.off)
	r.off += int64(n)
	if n > 0 {
		return n, nil
	}
	if err == nil || err == io.EOF {
		if r.off < r.min {
			return 0, errShrunk
		}
		return 0, io.EOF
	}
	return 0, err
}

// merge puts a big file's chunks together as the sequential search would
// have found them, in chunk order: it redoes a chunk whose first matches
// overlap a match of the chunk before it (only tokens that overlap
// themselves or each other can), numbers the lines, corrects the columns of
// a line that began before its chunk, lets findings share the text of one
// line as the sequential search does, and settles the suppressions of the
// whole file.
func (w *worker) merge(b *bigFile) {
	defer b.close()
	if w.s.stopped.Load() {
		return // cancelled: the result is thrown away
	}
	w.cur = pathRef{rel: b.rel}
	m := w.s.e.m
	var (
		carry     = map[int32]int{} // the sequential search's next, at each chunk's from
		lines     int               // line breaks before the chunk
		lineStart int               // where the line at the chunk's from starts
		units     int               // UTF-16 units from lineStart to the chunk's from
		sh        textState         // what a finding may share
		prevText  string            // the text of the finding before
		dirs      []directive
		read      int64
	)
	first0 := len(w.findings)
	for k := range b.parts {
		p := &b.parts[k]
		if p.err == nil && overlapped(m, p, carry) {
			w.searchPart(b, k, maps.Clone(carry))
		}
		if p.err != nil {
			w.findings = w.findings[:first0]
			w.fail(b.rel, p.err)
			return
		}
		read += p.bytes
		shift, shift16 := 0, 0
		if !p.known {
			shift, shift16 = p.lineAt-lineStart, units-p.units0
		}
		for _, f := range p.findings {
			if f.Line == 1 {
				f.Column += shift
				f.EndColumn += shift
				f.TextColumn += shift
				f.TextColumn16 += shift16
			}
			f.Line += lines
			if f.Line == lines+1 && k > 0 {
				// The chunk made this text afresh; share as the sequential search would.
				from, end := lineStart+f.Column-1, lineStart+f.EndColumn-1
				if f.Line == sh.line && from >= sh.from && end-sh.from <= len(prevText) {
					f.LineText, f.TextColumn, f.TextColumn16 = prevText, sh.col, sh.c16
				} else {
					sh = textState{line: f.Line, col: f.TextColumn, from: lineStart + f.TextColumn - 1, c16: f.TextColumn16}
				}
			}
			prevText = f.LineText
			w.findings = append(w.findings, f)
		}
		if p.last.line > 1 || (k == 0 && p.last.line > 0) {
			sh = p.last
			sh.line += lines
		}
		for _, d := range p.dirs {
			d.line += lines
			dirs = append(dirs, d)
		}
		for r, end := range p.next {
			carry[r] = max(carry[r], end)
		}
		if p.lines > 0 {
			lineStart, units = p.lastLine, p.units
		} else {
			units += p.units
		}
		lines += p.lines
	}
	w.stats.Bytes += read
	w.stats.FilesScanned++
	if len(dirs) > 0 {
		w.findings = append(w.findings[:first0], w.s.e.applySuppressions(w.findings[first0:], dirs, b.rel, w.newFinding)...)
	}
}

// overlapped reports whether a chunk kept a match that a match of the
// chunks before it overlaps: the chunk then chose without knowing, and its
// choices from there on may differ from the sequential search's.
func overlapped(m *matcher, p *span, carry map[int32]int) bool {
	for _, o := range p.early {
		if o.start < carry[m.pats[o.pat].rule] {
			return true
		}
	}
	return false
}

// pushChunks queues a big file's chunks ahead of all other work, first
// chunk first.
func (s *scan) pushChunks(b *bigFile, ts []task) {
	s.mu.Lock()
	for i := len(ts) - 1; i >= 0; i-- {
		s.chunks = append(s.chunks, ts[i])
	}
	s.big = append(s.big, b)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// closeBig closes the big files whose chunks a cancelled scan skipped. The
// workers are done.
func (s *scan) closeBig() {
	for _, b := range s.big {
		b.close()
	}
}
