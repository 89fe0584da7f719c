package gitsrc

import (
	"regexp"
	"strings"
	"testing"
)

// missingRE is the expression missingID replaced; missingID must find what
// it finds.
var missingRE = regexp.MustCompile(`could not fetch ([0-9a-f]{40,64}) from promisor remote|lazy fetching disabled|unable to read (?:tree )?([0-9a-f]{40,64})|missing (?:blob|tree|commit) object '?([0-9a-f]{40,64})`)

func missingByRegexp(s string) (found bool, id string) {
	ms := missingRE.FindAllStringSubmatch(s, -1)
	for _, m := range ms {
		for _, g := range m[1:] {
			if g != "" && id == "" {
				id = g
			}
		}
	}
	return ms != nil, id
}

func missingSeeds() []string {
	h40, h64 := strings.Repeat("a1", 20), strings.Repeat("0f", 32)
	return []string{
		"", "fatal: bad object HEAD",
		"fatal: could not fetch " + h40 + " from promisor remote",
		"fatal: could not fetch " + h64 + "0 from promisor remote",
		"fatal: could not fetch " + h40[:39] + " from promisor remote",
		"warning: lazy fetching disabled; some objects may not be available\nfatal: unable to read " + h64,
		"fatal: unable to read tree " + h40, "fatal: unable to read tree " + h40[:30], "fatal: unable to read " + h64 + h40,
		"error: missing blob object '" + h40 + "'", "error: missing tree object " + h64, "missing commit object ''" + h40,
		"missing tag object " + h40, "lazy fetching disabledunable to read " + h40, "abcould not fetch " + h40 + " from promisor remote",
		"unable to read " + strings.ToUpper(h40), "could not fetch " + h40 + " from promisor remot",
		"missing blob object " + h40 + "c" + "ould not fetch " + h40 + " from promisor remote",
	}
}

func TestMissingID(t *testing.T) {
	for _, s := range missingSeeds() {
		checkMissingID(t, s)
	}
}

func FuzzMissingID(f *testing.F) {
	for _, s := range missingSeeds() {
		f.Add(s)
	}
	f.Fuzz(checkMissingID)
}

func checkMissingID(t *testing.T, s string) {
	found, id := missingID(s)
	wantFound, wantID := missingByRegexp(s)
	if found != wantFound || id != wantID {
		t.Errorf("missingID(%q) = %v, %q; the expression finds %v, %q", s, found, id, wantFound, wantID)
	}
}
