// Command nolegacyruns fails a build when forbidden legacy tokens come back into a repository.
package main

import (
	"os"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
	// Its init backs the heap's start with a huge page: fewer page faults
	// in a short run (internal/hugeheap says why).
	_ "github.com/tenantatlas/nolegacyruns/internal/hugeheap"
)

func main() { os.Exit(cli.Main()) }
