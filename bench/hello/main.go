// Command hello prints a line: the start-up floor a Go binary cannot go below, for the --version row of bench/compare.
package main

import "fmt"

func main() { fmt.Println("hello") }
