// Command nolegacyruns fails a build when forbidden legacy tokens come back into a repository.
package main

import (
	"os"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
)

func main() { os.Exit(cli.Main()) }
