package scanner

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// byteFrequencies is the table's definition, as first written: byteFreq
// must equal it.
func byteFrequencies() (f [256]float64) {
	for i := range f {
		f[i] = 1 // control and high bytes: rare
	}
	common := map[string]float64{
		" ": 1500, "\n": 300, "\t": 200, "e": 700, "t": 550, "a": 480, "r": 450, "i": 450, "n": 450, "o": 430,
		"s": 400, "l": 300, "c": 250, "u": 200, "d": 200, "p": 170, "m": 160, "h": 150, "g": 120, "f": 120,
		"y": 90, "b": 80, "w": 70, "v": 60, "k": 40, "x": 40, "q": 10, "j": 10, "z": 8,
		"(": 150, ")": 150, ";": 100, "=": 120, ",": 100, ".": 100, "$": 100, "-": 100, ">": 80, "<": 50,
		"_": 90, "'": 80, "\"": 60, "/": 60, ":": 60, "{": 40, "}": 40, "[": 30, "]": 30, "*": 30, "0": 60,
		"1": 50, "2": 40, "3": 20, "4": 15, "5": 15, "6": 12, "7": 10, "8": 10, "9": 10, "#": 10, "@": 10,
		"!": 20, "&": 20, "|": 15, "+": 20, "\\": 20, "%": 5, "?": 10, "^": 2, "~": 2, "`": 2, "\r": 10,
	}
	for s, v := range common {
		f[s[0]] = v
	}
	for c := 'A'; c <= 'Z'; c++ {
		f[c] = f[c+'a'-'A'] / 3
	}
	return f
}

func TestByteFreq(t *testing.T) {
	want := byteFrequencies()
	for i := range want {
		if got := max(byteFreq[i], 1); got != want[i] {
			t.Errorf("byte %#x: %v, want %v", i, got, want[i])
		}
	}
}

// referenceAnchors is the anchor choice written plainly, with string
// windows in maps: the anchors' windows and, for each, its tokens.
func referenceAnchors(pats []pattern, ids []int32) []string {
	freq := byteFrequencies()
	left := append([]int32(nil), ids...)
	wins := map[int32][]string{}
	cost := map[string]float64{}
	for _, id := range ids {
		tok := pats[id].tok
		for i := 0; i+anchorLen <= len(tok); i++ {
			w := tok[i : i+anchorLen]
			if !slices.Contains(wins[id], w) {
				wins[id] = append(wins[id], w)
			}
			cost[w] = 1 + 400*windowScore(&freq, w)
		}
	}
	var keys []string
	for w := range cost {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	var out []string
	for len(left) > 0 {
		count := map[string]int{}
		for _, id := range left {
			for _, w := range wins[id] {
				count[w]++
			}
		}
		best, bestVal := "", -1.0
		for _, w := range keys {
			if c := count[w]; c > 0 {
				if v := float64(c) / cost[w]; v > bestVal {
					best, bestVal = w, v
				}
			}
		}
		var rest []int32
		line := best + ":"
		for _, id := range left {
			if strings.Contains(pats[id].tok, best) {
				line += " " + pats[id].tok
			} else {
				rest = append(rest, id)
			}
		}
		out = append(out, line)
		left = rest
	}
	return out
}

// tokenPatterns makes each token a pattern, its id its position.
func tokenPatterns(toks []string) ([]pattern, []int32) {
	var pats []pattern
	var ids []int32
	for i, tok := range toks {
		pats = append(pats, pattern{tok: tok})
		ids = append(ids, int32(i))
	}
	return pats, ids
}

// The anchor finder chooses exactly the reference's anchors, for the
// default rules' spellings and for random token sets.
func TestAnchorChoice(t *testing.T) {
	check := func(toks []string) {
		t.Helper()
		pats, ids := tokenPatterns(toks)
		want := referenceAnchors(pats, ids)
		f := newAnchorFinder(pats, ids, blockGeneric)
		if len(want) > maxAnchors {
			if f != nil {
				t.Fatalf("%q: a finder with %d anchors", toks, len(want))
			}
			return
		}
		var got []string
		for _, a := range f.anchors {
			line := string(a.b[:]) + ":"
			for _, ap := range a.pats {
				line += " " + pats[ap.id].tok
			}
			got = append(got, line)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %q\nwant %q", toks, got, want)
		}
	}
	e, _ := Compile(&rules.Set{Rules: []rules.Rule{
		{ID: "a", Match: rules.Term, Tokens: []string{"InventorySyncRun", "EntraGroupSyncRun", "BackupScheduleRun"}},
		{ID: "b", Match: rules.Term, Tokens: []string{"baseline_run_id", "current_run_id", "last_seen_run_id"}},
	}})
	var spellings []string
	for _, p := range e.m.pats {
		spellings = append(spellings, strings.ToLower(p.tok))
	}
	check(spellings)
	check(legacyTokens)
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "abcdeSRun_-. 09"
	for n := 0; n < 300; n++ {
		var toks []string
		for range 1 + rng.IntN(12) {
			b := make([]byte, 4+rng.IntN(10))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			toks = append(toks, string(b))
		}
		check(toks)
	}
}

// TestAnchorIndex holds index to its contract: each anchor's word in a slot
// of its own, or no multiplier where two words are equal.
func TestAnchorIndex(t *testing.T) {
	check := func(toks []string, fold, want bool) {
		t.Helper()
		pats, ids := tokenPatterns(toks)
		var f *anchorFinder
		if fold {
			f = newFoldAnchorFinder(pats, ids, false, blockGenericFold(false))
		} else {
			f = newAnchorFinder(pats, ids, blockGeneric)
		}
		if got := f.mult != 0; got != want {
			t.Fatalf("%q: indexed %v, want %v", toks, got, want)
		}
		if !want {
			return
		}
		for i, w := range f.words[:len(f.anchors)] {
			if got := int(f.slot[(w*f.mult)>>(32-slotBits)]) - 1; got != i {
				t.Fatalf("%q: anchor %d's word is in the slot of %d", toks, i, got)
			}
		}
	}
	check(legacyTokens, false, true)
	check([]string{"inventorysyncrun", "inventory_sync_run", "backupschedulerun", "nolegacyruns:ignore"}, true, true)
	var many []string
	for i := range maxAnchors {
		many = append(many, fmt.Sprintf("%c%c%c%c", 'a'+i, 'q', 'r'+i%3, 'z'-i))
	}
	check(many, false, true)
	check([]string{"q@rs", "q`rs"}, true, false) // '@'|0x20 is '`'
	check([]string{"q@rs", "q`rs"}, false, true)
}
