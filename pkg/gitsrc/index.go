package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// Blob is a regular file as staged in the index.
type Blob struct {
	Path string
	ID   string // object id
}

// Staged returns the regular files that are added, copied, modified or
// renamed in the index relative to HEAD (or to nothing, before the first
// commit), with their staged object ids, sorted by path.
func Staged(ctx context.Context, dir string) ([]Blob, error) {
	args := []string{"diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACM"}
	if _, err := run(ctx, dir, nil, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		// No commit yet: everything in the index is new.
		out, err := run(ctx, dir, nil, "ls-files", "-z", "--cached")
		if err != nil {
			return nil, err
		}
		return IndexEntries(ctx, dir, dedupe(splitZ(out)))
	}
	out, err := run(ctx, dir, nil, args...)
	if err != nil {
		return nil, err
	}
	return IndexEntries(ctx, dir, splitZ(out))
}

// IndexEntries looks top-relative paths up in the index; symlinks,
// submodules and unmerged paths drop out.
func IndexEntries(ctx context.Context, dir string, paths []string) ([]Blob, error) {
	if len(paths) == 0 {
		return []Blob{}, nil
	}
	specs := make([]string, len(paths))
	for i, p := range paths {
		specs[i] = Literal(p)
	}
	out, err := run(ctx, dir, nil, append([]string{"ls-files", "-z", "--stage", "--"}, specs...)...)
	if err != nil {
		return nil, err
	}
	blobs := []Blob{}
	for _, rec := range splitZ(out) {
		// "<mode> <object> <stage>\t<path>"
		meta, path, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[2] != "0" {
			continue // unmerged entries have no single staged content
		}
		if f[0] == "100644" || f[0] == "100755" {
			blobs = append(blobs, Blob{Path: path, ID: f[1]})
		}
	}
	return blobs, nil
}

// ReadBlobs returns the contents of objects, keyed by id, through one
// git cat-file --batch process.
func ReadBlobs(ctx context.Context, dir string, ids []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(ids) == 0 {
		return out, nil
	}
	var in bytes.Buffer
	for _, id := range ids {
		in.WriteString(id + "\n")
	}
	cmd := exec.CommandContext(ctx, "git", append(safeArgs(), "cat-file", "--batch")...)
	cmd.Dir = dir
	cmd.Stdin = &in
	var errb bytes.Buffer
	cmd.Stderr = &errb
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, &Error{Args: []string{"cat-file"}, Err: err}
	}
	r := bufio.NewReaderSize(pipe, 64<<10)
	for _, id := range ids {
		// "<object> blob <size>\n<contents>\n"
		head, err := r.ReadString('\n')
		if err != nil {
			cmd.Wait()
			return nil, &Error{Args: []string{"cat-file"}, Stderr: errb.String(), Err: err}
		}
		f := strings.Fields(head)
		if len(f) != 3 {
			cmd.Wait()
			return nil, &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: %s", id, strings.TrimSpace(head))}
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			cmd.Wait()
			return nil, &Error{Args: []string{"cat-file"}, Err: fmt.Errorf("object %s: bad size", id)}
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(r, data); err != nil {
			cmd.Wait()
			return nil, &Error{Args: []string{"cat-file"}, Err: err}
		}
		out[id] = data[:size]
	}
	if err := cmd.Wait(); err != nil {
		return nil, &Error{Args: []string{"cat-file"}, Stderr: errb.String(), Err: err}
	}
	return out, nil
}
