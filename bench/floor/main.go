// Command floor walks and reads files exactly as nolegacyruns does but searches nothing: the physical floor a scan is measured against.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// usage: floor [path ...]   (paths relative to the current folder)
func main() {
	st, err := scanner.Floor(context.Background(), scanner.Options{Root: ".", Source: scanner.Paths(os.Args[1:])})
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "floor: %d files, %d bytes\n", st.FilesScanned, st.Bytes)
}
