//go:build !unix

package main

import "os"

func openRaw(name string) (*os.File, error) { return os.Open(name) }
