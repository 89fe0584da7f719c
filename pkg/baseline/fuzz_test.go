package baseline

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse: any baseline either parses, and then writes back to a file
// that parses to the same entries, or fails with an *Error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"findings":[{"rule":"r","path":"a.php","match":"Tok","line":"Tok();","count":2}]}`))
	f.Add([]byte(`{"version":1,"findings":[]}`))
	f.Add([]byte("{\"version\":2,\"findings\":[\n{\"path\":\"a\",\"rule\":\"r\",\"match\":\"T\",\"line\":\"T\"},\nnull]}\n"))
	f.Add([]byte(`{"version":1,"findings":[{"rule":"r","lines":3}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse("b.json", data)
		if err != nil {
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := b.Write(&out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse("b.json", out.Bytes())
		if err != nil || again.Count() != b.Count() {
			t.Fatalf("round trip: %v, %d vs %d findings", err, again.Count(), b.Count())
		}
		var twice bytes.Buffer
		again.Write(&twice)
		if twice.String() != out.String() {
			t.Fatalf("writing is not stable:\n%s\n%s", out.String(), twice.String())
		}
	})
}
