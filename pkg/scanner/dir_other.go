//go:build !unix

package scanner

import (
	"io/fs"
	"os"
)

func readDir(path string, _ []byte, fn func(name []byte, typ fs.FileMode)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	for _, e := range ents {
		fn([]byte(e.Name()), e.Type())
	}
	return err
}
