//go:build !unix

package scanner

import "errors"

// mkfifo fails: there are no FIFOs in the file system here.
func mkfifo(string) error { return errors.New("no FIFOs") }
