package gitsrc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Blob is a regular file as staged in the index: its path from the top of
// the work tree, its object id and its mode ("100644" or "100755").
type Blob struct {
	Path string
	ID   string
	Mode string
}

// Staged returns the regular files that are added, copied, modified, renamed
// or changed in type (a symlink that became a file) in the index relative to
// HEAD, or to nothing before the first commit, sorted by path. dir is the
// top of the work tree. Contents are read with a BlobReader.
func Staged(ctx context.Context, dir string) ([]Blob, error) {
	// Without a commit, git diff --cached compares with nothing, so every
	// staged file is new. The raw format carries the staged object and mode.
	args := []string{"diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-relative", "--diff-filter=ACMT", "--"}
	blobs := []Blob{}
	head := ""
	err := records(ctx, dir, args, func(rec string) error {
		if head == "" {
			head = rec
			return nil
		}
		// ":<old mode> <new mode> <old object> <new object> <status>" then the path.
		f := strings.Split(head, " ")
		if len(f) != 5 || !strings.HasPrefix(f[0], ":") || !isObjectID(f[3]) || rec == "" {
			return &Error{Args: args, Err: fmt.Errorf("unexpected record %q", head+"\x00"+rec)}
		}
		head = ""
		if f[1] == "100644" || f[1] == "100755" {
			blobs = append(blobs, Blob{Path: rec, ID: f[3], Mode: f[1]})
		}
		return nil
	})
	if err == nil && head != "" {
		err = &Error{Args: args, Err: fmt.Errorf("record without a path: %q", head)}
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].Path < blobs[j].Path })
	return blobs, nil
}

// IndexEntries looks paths from the top of the work tree dir up in the
// index, sorted by path; symlinks, submodules, unmerged and unknown paths
// drop out. It reads the whole index rather than pass the paths to git, so
// that any number of them fits.
func IndexEntries(ctx context.Context, dir string, paths []string) ([]Blob, error) {
	blobs := []Blob{}
	if len(paths) == 0 {
		return blobs, nil
	}
	want := make(map[string]bool, len(paths))
	for _, p := range paths {
		want[p] = true
	}
	err := records(ctx, dir, []string{"ls-files", "-z", "--stage", "--full-name"}, func(rec string) error {
		e, err := parseStage(rec)
		if err != nil {
			return err
		}
		// Unmerged entries (stage 1 to 3) have no single staged content.
		if want[e.path] && e.stage == '0' && (e.mode == "100644" || e.mode == "100755") {
			blobs = append(blobs, Blob{Path: e.path, ID: e.id, Mode: e.mode})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].Path < blobs[j].Path })
	return blobs, nil
}

// BlobReader reads objects through one long-running git cat-file --batch
// process. Readers take turns: Open waits until the reader before it is
// closed, so one goroutine must close a reader before it opens the next.
type BlobReader struct {
	ctx context.Context
	dir string

	mu     sync.Mutex // held from Open until the reader is closed
	proc   *catFile   // nil: started at the next Open
	closed bool
}

// catFile is a running git cat-file --batch.
type catFile struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	errb *capped
	once sync.Once
}

// drainMax is the most a reader closed early reads to its end; past it, the
// process is stopped and another started, which is cheaper.
const drainMax = 1 << 20

// NewBlobReader starts git cat-file --batch in dir. ctx bounds its life.
func NewBlobReader(ctx context.Context, dir string) (*BlobReader, error) {
	b := &BlobReader{ctx: ctx, dir: dir}
	p, err := b.start()
	if err != nil {
		return nil, err
	}
	b.proc = p
	return b, nil
}

func (b *BlobReader) start() (*catFile, error) {
	args := []string{"cat-file", "--batch"}
	// --no-replace-objects: the object staged, not a replacement for it.
	cmd := exec.CommandContext(b.ctx, "git", append(append(safeArgs(), "--no-replace-objects"), args...)...)
	cmd.Env = gitEnv()
	cmd.Dir = b.dir
	p := &catFile{cmd: cmd, errb: &capped{}}
	cmd.Stderr = p.errb
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, &Error{Args: args, Err: errors.New("git is not installed")}
		}
		return nil, &Error{Args: args, Err: err}
	}
	p.in, p.out = in, bufio.NewReaderSize(out, 64<<10)
	return p, nil
}

// stop ends the process at once.
func (p *catFile) stop() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		p.in.Close()
		p.cmd.Wait()
	})
}

// fail stops the process, which broke with err, and returns err with what
// the process said on standard error.
func (p *catFile) fail(err error) error {
	p.stop()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &Error{Args: []string{"cat-file"}, Stderr: p.errb.String(), Err: err}
}

// Open returns the contents of the blob id and its size. The reader must be
// closed, and no other Open returns until it is. A missing object, or one
// that is not a blob, is an error.
func (b *BlobReader) Open(id string) (io.ReadCloser, int64, error) {
	if !isObjectID(id) {
		return nil, 0, fmt.Errorf("git cat-file: %q is not an object id", id)
	}
	b.mu.Lock()
	rc, size, err := b.open(id)
	if err != nil {
		b.mu.Unlock()
	}
	return rc, size, err
}

func (b *BlobReader) open(id string) (io.ReadCloser, int64, error) {
	if b.closed {
		return nil, 0, errors.New("git cat-file: reader closed")
	}
	if err := b.ctx.Err(); err != nil {
		return nil, 0, err
	}
	if b.proc == nil {
		p, err := b.start()
		if err != nil {
			return nil, 0, err
		}
		b.proc = p
	}
	p := b.proc
	bad := func(err error) (io.ReadCloser, int64, error) {
		p.stop()
		b.proc = nil
		if ctxErr := b.ctx.Err(); ctxErr != nil {
			return nil, 0, ctxErr
		}
		return nil, 0, err
	}
	if _, err := io.WriteString(p.in, id+"\n"); err != nil {
		return bad(p.fail(err))
	}
	// "<object> blob <size>\n<contents>\n", or "<object> missing\n".
	head, err := p.out.ReadString('\n')
	if err != nil {
		return bad(p.fail(err))
	}
	f := strings.Fields(head)
	switch {
	case len(f) == 2 && f[1] == "missing":
		// The process carries on with the next object.
		return nil, 0, &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s is missing or cannot be read", id)}
	case len(f) != 3 || f[0] != id:
		return bad(&Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: unexpected answer %q", id, strings.TrimSpace(head))})
	case f[1] != "blob":
		return bad(&Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s is a %s, not a blob", id, f[1])})
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return bad(&Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: bad size %q", id, f[2])})
	}
	return &blob{b: b, p: p, left: size}, size, nil
}

// Close stops the process. It waits for an open reader to be closed.
func (b *BlobReader) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.proc == nil {
		return nil
	}
	p := b.proc
	b.proc = nil
	var err error
	p.once.Do(func() {
		p.in.Close()
		err = p.cmd.Wait()
	})
	if err != nil && b.ctx.Err() == nil {
		return &Error{Args: []string{"cat-file"}, Stderr: p.errb.String(), Err: err}
	}
	return nil
}

// blob reads one object's contents off the batch output.
type blob struct {
	b      *BlobReader
	p      *catFile
	left   int64 // contents not read yet
	err    error // sticky: the process broke
	closed bool
}

func (r *blob) Read(buf []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.closed {
		return 0, errors.New("read after close")
	}
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(buf)) > r.left {
		buf = buf[:r.left]
	}
	n, err := r.p.out.Read(buf)
	r.left -= int64(n)
	if err != nil {
		if ctxErr := r.b.ctx.Err(); ctxErr != nil {
			err = ctxErr
		} else {
			err = r.p.fail(err)
		}
		r.err = err
		return n, err
	}
	return n, nil
}

// Close finishes the object, so that the process is ready for the next one,
// and lets the next Open go ahead.
func (r *blob) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	defer r.b.mu.Unlock()
	ok := r.err == nil && r.left <= drainMax
	if ok && r.left > 0 {
		n, err := io.CopyN(io.Discard, r.p.out, r.left)
		r.left -= n
		ok = err == nil
	}
	if ok {
		// The contents end with a newline of the protocol's own.
		c, err := r.p.out.ReadByte()
		ok = err == nil && c == '\n'
	}
	if !ok && r.b.proc == r.p {
		r.p.stop()
		r.b.proc = nil
	}
	return nil
}

// capped keeps the first 4 KiB written to it.
type capped struct {
	mu  sync.Mutex
	buf []byte
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := 4<<10 - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}
