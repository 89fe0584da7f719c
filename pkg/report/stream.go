package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
)

// jsonArray is an array field of a JSON document whose items are streamed.
type jsonArray struct {
	field string
	items iter.Seq[any]
}

// writeJSON writes doc as encoding/json would with two-space indentation,
// byte for byte, except that each array field named in arrays, which doc
// holds empty, gets its items one at a time: a report of a million findings
// is never held whole. The fields must come in document order.
func writeJSON(w io.Writer, doc any, arrays ...jsonArray) error {
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rest := head.Bytes()
	var item bytes.Buffer
	for _, a := range arrays {
		// An empty array field stands on its own line: "\n<indent>"field": []".
		marker := []byte(fmt.Sprintf("%q: []", a.field))
		i := bytes.Index(rest, marker)
		for i > 0 && rest[i-1] != '\n' && rest[i-1] != ' ' {
			i = -1
		}
		if i < 0 {
			return fmt.Errorf("report: no field %q to stream", a.field)
		}
		nl := bytes.LastIndexByte(rest[:i], '\n')
		indent := string(rest[nl+1 : i])
		bw.Write(rest[:i+len(marker)-1]) // up to and including "["
		rest = rest[i+len(marker)-1:]    // from "]"
		ienc := json.NewEncoder(&item)
		ienc.SetIndent(indent+"  ", "  ")
		ienc.SetEscapeHTML(false)
		n := 0
		var err error
		for v := range a.items {
			item.Reset()
			if err = ienc.Encode(v); err != nil {
				break
			}
			if n > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n" + indent + "  ")
			bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
			n++
		}
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString("\n" + indent)
		}
	}
	bw.Write(rest)
	return bw.Flush()
}

// writeJSONArray writes a top-level JSON array as encoding/json would with
// two-space indentation, streaming its items one at a time.
func writeJSONArray(w io.Writer, items iter.Seq[any]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	bw.WriteString("[")
	n := 0
	for v := range items {
		item.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		n++
	}
	if n > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
