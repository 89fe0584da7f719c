package yaml

import (
	"regexp"
	"testing"
)

// The fork replaced upstream's two regular expressions with loops, so that
// the binary does not link package regexp; these hold the loops to them.

var (
	upstreamYAMLStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	upstreamBase60Float    = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
)

var floatSeeds = []string{
	"", "+", "-", ".", "1", "+1", "-.5", ".5", "1.", "1.5", "1e5", "1E+5", "1e-", "1e", ".e1", "1.5e-10", "+.5E3",
	"1_000", "1__0.5", "0x1F", "1.2.3", "1e5e5", " 1", "1 ", "١",
	"1:2", "1:20", "1:59", "1:60", "1:6", "1:123", "190:20:30.15", "-1:2:3", "+1_0:5", "1:5.", "1:5._", "1:5_", "1::5",
	"_1:5", "1:", ":5", "1:5:", "1:05", "1:5.5.5", "1:5\n",
}

func TestFloatMatchers(t *testing.T) {
	for _, s := range floatSeeds {
		checkFloatMatchers(t, s)
	}
}

func FuzzFloatMatchers(f *testing.F) {
	for _, s := range floatSeeds {
		f.Add(s)
	}
	f.Fuzz(checkFloatMatchers)
}

func checkFloatMatchers(t *testing.T, s string) {
	if got, want := yamlStyleFloat(s), upstreamYAMLStyleFloat.MatchString(s); got != want {
		t.Errorf("yamlStyleFloat(%q) = %v, the regexp says %v", s, got, want)
	}
	if got, want := base60float(s), upstreamBase60Float.MatchString(s); got != want {
		t.Errorf("base60float(%q) = %v, the regexp says %v", s, got, want)
	}
}
