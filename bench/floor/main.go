// Command floor walks folders in parallel and reads every regular file into a buffer, searching nothing: the physical floor a scanner is measured against.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

func main() {
	roots := os.Args[1:]
	if len(roots) == 0 {
		roots = []string{"."}
	}
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		stack = append([]string(nil), roots...)
		busy  int
		bytes int64
		wg    sync.WaitGroup
	)
	for w := 0; w < 4*runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			var n int64
			for {
				mu.Lock()
				for len(stack) == 0 && busy > 0 {
					cond.Wait()
				}
				if len(stack) == 0 {
					bytes += n
					mu.Unlock()
					cond.Broadcast()
					return
				}
				dir := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				busy++
				mu.Unlock()

				var subs []string
				f, err := os.Open(dir)
				if err == nil {
					ents, _ := f.ReadDir(-1)
					f.Close()
					for _, e := range ents {
						p := filepath.Join(dir, e.Name())
						switch {
						case e.IsDir() && e.Name() != ".git":
							subs = append(subs, p)
						case e.Type().IsRegular():
							n += readAll(p, buf)
						}
					}
				}
				mu.Lock()
				stack = append(stack, subs...)
				busy--
				mu.Unlock()
				cond.Broadcast()
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "floor: read %d bytes\n", bytes)
}

func readAll(name string, buf []byte) int64 {
	r, err := openRaw(name)
	if err != nil {
		return 0
	}
	defer r.Close()
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err == io.EOF || err != nil || k == 0 {
			return n
		}
	}
}
