// Package atomicfile replaces files so that a reader, or a crash, never sees half of one.
package atomicfile

import (
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
