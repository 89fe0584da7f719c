package yaml_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	upstream "go.yaml.in/yaml/v3"

	"github.com/tenantatlas/nolegacyruns/internal/yaml"
)

// The fork must parse, fail and print exactly as upstream does: these tests
// run both on the same input and compare everything nolegacyruns uses.

// seeds are the repository's rule files and some YAML that exercises the
// resolver (the tables and regular expressions the fork builds lazily).
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "config", "*", "*.yaml"))
	paths = append(paths, filepath.Join("..", "..", "rules.yaml"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	for _, s := range []string{
		"", "~", "null", "true", "False", "yes", "on", "0x1F", "0o17", "017", "-12", "+1_000", "1e3", ".5", "-.inf", ".NaN",
		"190:20:30.15", "1:2", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "<<: {a: 1}", "a: !!binary aGk=",
		"a: !!str 12", "a: !!int '12'", "!!float 1", "!custom x", "a: [1, 2.5, b, null, ~, true]",
		"a: &x 1\nb: *x", "- a\n- b: c\n  d: [e]", "a:\n  - 1\n b: 2", "a: 'x\n", "{a: 1, a: 2}", "--- 1\n--- 2\n",
		"# head\na: 1 # line\n# foot\n", "a: |\n  lit\n  eral\nb: >-\n  fold\n  ed\n", "\t- tab", "a: b: c",
		"%YAML 1.1\n---\na: 1", "%TAG !e! tag:example.com,2000:\n---\n!e!x 1",
	} {
		out = append(out, []byte(s))
	}
	return out
}

// flat prints a node tree of either package the same way.
func flat(b *strings.Builder, depth int, kind, style uint32, tag, value, anchor, head, line, foot string, ln, col int) {
	fmt.Fprintf(b, "%*s%d %d %q %q %q %q %q %q %d:%d\n", 2*depth, "", kind, style, tag, value, anchor, head, line, foot, ln, col)
}

func flatUpstream(b *strings.Builder, n *upstream.Node, depth int) {
	if n == nil {
		b.WriteString("nil\n")
		return
	}
	flat(b, depth, uint32(n.Kind), uint32(n.Style), n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment, n.Line, n.Column)
	if n.Alias != nil {
		fmt.Fprintf(b, "%*salias %q\n", 2*depth, "", n.Alias.Anchor)
	}
	for _, c := range n.Content {
		flatUpstream(b, c, depth+1)
	}
}

func flatFork(b *strings.Builder, n *yaml.Node, depth int) {
	if n == nil {
		b.WriteString("nil\n")
		return
	}
	flat(b, depth, uint32(n.Kind), uint32(n.Style), n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment, n.Line, n.Column)
	if n.Alias != nil {
		fmt.Fprintf(b, "%*salias %q\n", 2*depth, "", n.Alias.Anchor)
	}
	for _, c := range n.Content {
		flatFork(b, c, depth+1)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	if errors.Is(err, io.EOF) {
		return "EOF"
	}
	return err.Error()
}

// describeUpstream and describeFork decode every document of data as nodes
// and as plain values, and re-encode them, printing all of it.
func describeUpstream(data []byte) string {
	var b strings.Builder
	dec := upstream.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 4; i++ {
		var n upstream.Node
		err := dec.Decode(&n)
		fmt.Fprintf(&b, "doc %d: %s\n", i, errString(err))
		if err != nil {
			break
		}
		flatUpstream(&b, &n, 0)
		out, err := upstream.Marshal(&n)
		fmt.Fprintf(&b, "marshal: %q %s\n", out, errString(err))
		var v any
		err = n.Decode(&v)
		fmt.Fprintf(&b, "value: %#v %s\n", v, errString(err))
		for _, c := range n.Content {
			var s string
			var x int
			var f float64
			var t bool
			fmt.Fprintf(&b, "as string %s, int %s, float %s, bool %s: %q %d %v %v\n",
				errString(c.Decode(&s)), errString(c.Decode(&x)), errString(c.Decode(&f)), errString(c.Decode(&t)), s, x, f, t)
		}
	}
	var v any
	fmt.Fprintf(&b, "unmarshal: %s %#v\n", errString(upstream.Unmarshal(data, &v)), v)
	out, err := upstream.Marshal(v)
	fmt.Fprintf(&b, "marshal value: %q %s\n", out, errString(err))
	var s upstream.Node
	s.SetString(string(data))
	out, err = upstream.Marshal(&s)
	fmt.Fprintf(&b, "marshal string: %q %s\n", out, errString(err))
	return b.String()
}

func describeFork(data []byte) string {
	var b strings.Builder
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 4; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		fmt.Fprintf(&b, "doc %d: %s\n", i, errString(err))
		if err != nil {
			break
		}
		flatFork(&b, &n, 0)
		out, err := yaml.Marshal(&n)
		fmt.Fprintf(&b, "marshal: %q %s\n", out, errString(err))
		var v any
		err = n.Decode(&v)
		fmt.Fprintf(&b, "value: %#v %s\n", v, errString(err))
		for _, c := range n.Content {
			var s string
			var x int
			var f float64
			var t bool
			fmt.Fprintf(&b, "as string %s, int %s, float %s, bool %s: %q %d %v %v\n",
				errString(c.Decode(&s)), errString(c.Decode(&x)), errString(c.Decode(&f)), errString(c.Decode(&t)), s, x, f, t)
		}
	}
	var v any
	fmt.Fprintf(&b, "unmarshal: %s %#v\n", errString(yaml.Unmarshal(data, &v)), v)
	out, err := yaml.Marshal(v)
	fmt.Fprintf(&b, "marshal value: %q %s\n", out, errString(err))
	var s yaml.Node
	s.SetString(string(data))
	out, err = yaml.Marshal(&s)
	fmt.Fprintf(&b, "marshal string: %q %s\n", out, errString(err))
	return b.String()
}

func TestForkMatchesUpstream(t *testing.T) {
	for _, data := range seeds(t) {
		if got, want := describeFork(data), describeUpstream(data); got != want {
			t.Errorf("input %q:\nfork:\n%s\nupstream:\n%s", data, got, want)
		}
	}
}

func FuzzForkMatchesUpstream(f *testing.F) {
	for _, data := range seeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return // upstream's own limits are not what this compares
		}
		got, gotPanic := catch(func() string { return describeFork(data) })
		want, wantPanic := catch(func() string { return describeUpstream(data) })
		if got != want || gotPanic != wantPanic {
			t.Fatalf("input %q:\nfork (panic %v):\n%s\nupstream (panic %v):\n%s", data, gotPanic, got, wantPanic, want)
		}
	})
}

func catch(fn func() string) (s string, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprint(p)
		}
	}()
	return fn(), nil
}
