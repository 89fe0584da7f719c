// Package fileio reads files with a size limit and replaces them so that a reader, or a crash, never sees half of one.
package fileio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file this package makes.
const TempPrefix = ".nolegacyruns-"

// Write replaces name with data: a temporary file in the same folder, fsync,
// chmod, rename. before, if set, runs just before the rename and can veto it.
func Write(name string, data []byte, mode os.FileMode, before func(tmp string) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), TempPrefix+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil && before != nil {
		err = before(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// Make the rename itself durable.
	if d, err := os.Open(filepath.Dir(name)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ErrTooLarge says a file is over the limit ReadLimited was given.
var ErrTooLarge = errors.New("file too large")

// ReadLimited reads a whole file, refusing one larger than limit bytes
// before reading more than that.
func ReadLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}
