package gitsrc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Batch reads many blobs through the reader's process without waiting for
// each answer before asking for the next: the ids are written while the
// answers are read, in order. fn gets each blob's index in ids, size and
// contents, which it may read in part; it must not keep r. A missing
// object, or one that is not a blob, is an error, and so is an error from
// fn; the process is restarted at the next read after any error.
func (b *BlobReader) Batch(ids []string, fn func(i int, size int64, r io.Reader) error) error {
	for _, id := range ids {
		if !isObjectID(id) {
			return fmt.Errorf("git cat-file: %q is not an object id", id)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("git cat-file: reader closed")
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if b.proc == nil {
		p, err := b.start()
		if err != nil {
			return err
		}
		b.proc = p
	}
	p := b.proc
	written := make(chan error, 1)
	go func() {
		var sb strings.Builder
		for _, id := range ids {
			sb.WriteString(id)
			sb.WriteByte('\n')
		}
		_, err := io.WriteString(p.in, sb.String())
		written <- err
	}()
	err := b.answers(p, ids, fn)
	if ge, ok := err.(*Error); ok && ge.Stderr != "" {
		err = missingObject(ge) // a partial clone: git stops at the missing object
	}
	if err != nil {
		p.stop() // also ends the writer, if it is blocked
		b.proc = nil
	}
	if werr := <-written; err == nil && werr != nil {
		err = p.fail(werr)
		b.proc = nil
	}
	if err != nil {
		if ctxErr := b.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
	}
	return err
}

// answers reads the process's answers to ids, in order.
func (b *BlobReader) answers(p *catFile, ids []string, fn func(i int, size int64, r io.Reader) error) error {
	for i, id := range ids {
		head, err := p.out.ReadString('\n')
		if err != nil {
			return p.fail(err)
		}
		f := strings.Fields(head)
		switch {
		case len(f) == 2 && f[1] == "missing":
			return &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s is missing or cannot be read", id)}
		case len(f) != 3 || f[0] != id:
			return &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: unexpected answer %q", id, strings.TrimSpace(head))}
		case f[1] != "blob":
			return &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s is a %s, not a blob", id, f[1])}
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || size < 0 {
			return &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: bad size %q", id, f[2])}
		}
		lr := &io.LimitedReader{R: p.out, N: size}
		if err := fn(i, size, lr); err != nil {
			return err
		}
		if lr.N > 0 {
			if _, err := io.Copy(io.Discard, lr); err != nil {
				return p.fail(err)
			}
		}
		if c, err := p.out.ReadByte(); err != nil || c != '\n' {
			return p.fail(fmt.Errorf("object %s: answer does not end with a newline", id))
		}
	}
	return nil
}
