package scanner

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// naiveFind is the reference: at each position, the longest valid token of
// the rule, then on after its end. It shares no code with the matcher but
// isWordRune, whose definition is the contract itself.
func naiveFind(r rules.Rule, text []byte) [][2]int {
	var out [][2]int
	for p := 0; p < len(text); {
		best := -1
		for _, t := range r.Tokens {
			if r.IgnoreCase {
				for q := p + 1; q <= len(text) && q <= p+4*len(t); q++ {
					if bytes.EqualFold(text[p:q], []byte(t)) && validAt(r, text, p, q) && q > best {
						best = q
					}
				}
			} else if bytes.HasPrefix(text[p:], []byte(t)) && validAt(r, text, p, p+len(t)) && p+len(t) > best {
				best = p + len(t)
			}
		}
		if best < 0 {
			p++
			continue
		}
		out = append(out, [2]int{p, best})
		p = best
	}
	return out
}

// validAt is the word rule, written out: no word rune right before or after
// the match, and for a token with a '.', no '.' there that has a word rune
// on its far side.
func validAt(r rules.Rule, text []byte, p, q int) bool {
	if r.Match != rules.Word {
		return true
	}
	dotted := bytes.IndexByte(text[p:q], '.') >= 0
	before, _ := utf8.DecodeLastRune(text[:p])
	after, _ := utf8.DecodeRune(text[q:])
	if p > 0 && isWordRune(before) || q < len(text) && isWordRune(after) {
		return false
	}
	if dotted && p > 1 && before == '.' {
		if c, _ := utf8.DecodeLastRune(text[:p-1]); isWordRune(c) {
			return false
		}
	}
	if dotted && q+1 < len(text) && after == '.' {
		if c, _ := utf8.DecodeRune(text[q+1:]); isWordRune(c) {
			return false
		}
	}
	return true
}

// finderVariants lists every way the engine can find case-sensitive tokens,
// so that tests hold each of them to the reference.
func finderVariants(m *matcher) map[string]finder {
	var ids []int32
	for i, p := range m.pats {
		if p.rule == m.directive || !m.rules[p.rule].IgnoreCase {
			ids = append(ids, int32(i))
		}
	}
	v := map[string]finder{}
	if len(ids) == 0 {
		v["none"] = nil
		return v
	}
	v["automaton"] = newACFinder(m.pats, ids)
	if f := newHashFinder(m.pats, ids); f != nil {
		v["hash"] = f
		if wm := newWMFinder(m.pats, ids, f); wm != nil {
			v["wu-manber"] = wm
		}
	}
	if f := newAnchorFinder(m.pats, ids, blockGeneric); f != nil {
		v["anchors-generic"] = f
	}
	if b := fastBlock(); b != nil {
		if f := newAnchorFinder(m.pats, ids, b); f != nil {
			v["anchors-simd"] = f
		}
	}
	return v
}

// lowerVariants lists every way the engine can find case-insensitive ASCII
// tokens: lowering the text, or folding case in the anchor scan, portable
// or SIMD.
func lowerVariants(l *lowerFinder) map[string]*lowerFinder {
	v := map[string]*lowerFinder{}
	if l == nil {
		return v
	}
	v["lowering"] = newLowerFinderWith(l.pats, l.fold, l.sens, nil)
	v["fold-generic"] = newLowerFinderWith(l.pats, l.fold, l.sens, blockGenericFold)
	v["fold-simd"] = newLowerFinderWith(l.pats, l.fold, l.sens, fastFoldBlock)
	return v
}

// fastFind runs the real matcher over text in one piece, with every finder,
// and fails if they disagree.
func fastFind(t testing.TB, r rules.Rule, text []byte) [][2]int {
	e, err := Compile(&rules.Set{Rules: []rules.Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	var first [][2]int
	firstName := ""
	type variant struct {
		exact finder
		lower *lowerFinder
	}
	variants := map[string]variant{}
	for name, f := range finderVariants(e.m) {
		variants[name] = variant{f, e.m.lower}
	}
	for name, l := range lowerVariants(e.m.lower) {
		variants[name] = variant{e.m.exact, l}
	}
	for name, v := range variants {
		m := *e.m
		m.exact, m.lower = v.exact, v.lower
		occs := m.occurrences(text, 0, nil, nil)
		var out [][2]int
		for _, o := range m.selectMatches(text, occs, len(text), nil, map[int32]int{}, 0) {
			if m.pats[o.pat].rule != m.directive {
				out = append(out, [2]int{o.start, o.end})
			}
		}
		if firstName == "" {
			first, firstName = out, name
		} else if !reflect.DeepEqual(out, first) {
			t.Fatalf("finders disagree on %q in %q: %s %v, %s %v", r.Tokens, text, firstName, first, name, out)
		}
	}
	return first
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		name string
		rule rules.Rule
		text string
		want [][2]int
	}{
		{"substring", rules.Rule{Tokens: []string{"Run"}}, "aRunbRun", [][2]int{{1, 4}, {5, 8}}},
		{"longest wins", rules.Rule{Tokens: []string{"InventorySyncRun", "InventorySyncRunResource"}}, "x InventorySyncRunResource y", [][2]int{{2, 26}}},
		{"no overlap", rules.Rule{Tokens: []string{"aa"}}, "aaaaa", [][2]int{{0, 2}, {2, 4}}},
		{"word", rules.Rule{Match: rules.Word, Tokens: []string{"current_run_id"}}, "current_run_id xcurrent_run_id current_run_ids (current_run_id)", [][2]int{{0, 14}, {48, 62}}},
		{"word unicode letter", rules.Rule{Match: rules.Word, Tokens: []string{"run"}}, "érun run", [][2]int{{6, 9}}},
		{"word shorter valid", rules.Rule{Match: rules.Word, Tokens: []string{"ab", "abc"}}, "abcd ab", [][2]int{{5, 7}}},
		{"word dotted", rules.Rule{Match: rules.Word, Tokens: []string{"inventory.sync"}}, "'inventory.sync' inventory.syncs", [][2]int{{1, 15}}},
		{"word dotted, longer dotted names", rules.Rule{Match: rules.Word, Tokens: []string{"inventory.sync", "drift.generate"}},
			"inventory.sync.index app.drift.generate.timeout x.inventory.sync é.drift.generate inventory.sync.é", [][2]int{}},
		{"word dotted, whole values", rules.Rule{Match: rules.Word, Tokens: []string{"inventory.sync", "drift.generate"}},
			"'inventory.sync' \"drift.generate\" ends inventory.sync. ..drift.generate.. inventory.sync.-x .inventory.sync",
			[][2]int{{1, 15}, {18, 32}, {39, 53}, {57, 71}, {74, 88}, {93, 107}}},
		{"word undotted token after a dot", rules.Rule{Match: rules.Word, Tokens: []string{"baseline_run_id"}}, "$row.baseline_run_id.x", [][2]int{{5, 20}}},
		{"ignore case", rules.Rule{IgnoreCase: true, Tokens: []string{"Sync"}}, "SYNC sync", [][2]int{{0, 4}, {5, 9}}},
		{"ignore case kelvin", rules.Rule{IgnoreCase: true, Tokens: []string{"k"}}, "\u212a", [][2]int{{0, 3}}},
		{"ignore case invalid utf8", rules.Rule{IgnoreCase: true, Tokens: []string{"é"}}, "\xc3É", [][2]int{{1, 3}}},
		{"shared prefix", rules.Rule{Tokens: []string{"abc", "abd", "ab"}}, "abdabcab", [][2]int{{0, 3}, {3, 6}, {6, 8}}},
		{"none", rules.Rule{Tokens: []string{"zzz"}}, "abc", nil},
		{"long tokens, skipping", rules.Rule{Tokens: []string{"InventorySyncRun", "inventory_sync_runs", "EntraGroupSyncRun", "SyncRunner"}},
			strings.Repeat("xx InventorySyncRunResource inventory_sync_runsSyncRunnerEntraGroupSyncRun y ", 5), nil},
		{"long text, every block edge", rules.Rule{Tokens: []string{"SyncRun", "yncRu", "backup_schedule_runs"}},
			strings.Repeat("xSyncRun backup_schedule_runs ", 9), nil},
		// The two bytes next to an anchor (anchor.keys), at both ends of
		// the text, folded, and where a token has none.
		{"keys before the anchor", rules.Rule{Tokens: []string{"qqZyxw", "pp_Zyxw", "p Zyxw", "Zyxwv"}},
			"qqZyxw pp_Zyxw p Zyxw Zyxwv pqZyxw Zyxw p_Zyxw", nil},
		{"keys before, text edges", rules.Rule{Tokens: []string{"qqZyxw", "pp_Zyxw"}}, "qZyxw Zyxw qqZyxw", nil},
		{"keys after the anchor", rules.Rule{Tokens: []string{"aZyxw_v", "aZyxw-v", "aZyxwqq"}},
			"aZyxw_v aZyxw-v aZyxwqq aZyxw_ aZyxwq aZyxw", nil},
		{"keys after, text edges", rules.Rule{Tokens: []string{"aZyxw_v", "aZyxw-v"}}, "aZyxw- aZyxw_", nil},
		{"keys folded", rules.Rule{IgnoreCase: true, Tokens: []string{"inventory_sync_run", "inventory sync run", "entra-group-sync-run"}},
			"INVENTORY_SYNC_RUN Inventory Sync Run inventory\x7fsync_run ENTRA-group-SYNC-run entra-groupsync-run", nil},
		{"anchors equal once folded", rules.Rule{IgnoreCase: true, Tokens: []string{"q@rs", "q`rs", "x[yz", "x{yz"}},
			"Q@RS q`rs Q`RS x[YZ X{yz x{YZ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.ID = "r"
			got := fastFind(t, tt.rule, []byte(tt.text))
			if tt.want == nil {
				tt.want = naiveFind(tt.rule, []byte(tt.text))
			}
			if !sameMatches(got, tt.want) {
				t.Errorf("matcher = %v, want %v", got, tt.want)
			}
			if ref := naiveFind(tt.rule, []byte(tt.text)); !sameMatches(ref, tt.want) {
				t.Errorf("reference = %v, want %v", ref, tt.want)
			}
		})
	}
}

func sameMatches(a, b [][2]int) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }

// FuzzMatcher checks the matcher against the naive reference, in every mode,
// and through the streaming reader with a buffer small enough that tokens
// straddle its edges.
func FuzzMatcher(f *testing.F) {
	f.Add("InventorySyncRun\x00inventory_sync_runs\x00InventorySyncRunResource", "use App\\Models\\InventorySyncRunResource; inventory_sync_runs", uint8(0))
	f.Add("run\x00Run", "érun RUN run_id", uint8(3))
	f.Add("k\x00s", "\u212a\u017f KS", uint8(2))
	f.Add("backup\x00sync", "BACKUP \u017fync backup SYNC Backup \u212a", uint8(2))
	f.Add("aa\x00a", "aaaaaaa", uint8(1))
	f.Add("ab\x00abc\x00b", "abcd ab_ ab", uint8(1))
	f.Add("inventory.sync\x00drift.generate\x00.x", "inventory.sync.index 'inventory.sync' app.drift.generate. é.inventory.sync.é a..x ..x", uint8(1))
	f.Add("Inventory.Sync\x00a.", "inventory.SYNC.Ω INVENTORY.SYNC. a.b a. a.. .a.", uint8(7))
	f.Fuzz(func(t *testing.T, toks, text string, mode uint8) {
		var r rules.Rule
		r.ID = "r"
		r.Match = rules.MatchMode(mode & 1)
		r.IgnoreCase = mode&2 != 0
		for _, tok := range strings.Split(toks, "\x00") {
			if CheckToken(tok, r.IgnoreCase) == nil && len(r.Tokens) < 64 {
				r.Tokens = append(r.Tokens, tok)
			}
		}
		if len(r.Tokens) == 0 {
			return
		}
		want := naiveFind(r, []byte(text))
		if got := fastFind(t, r, []byte(text)); !reflect.DeepEqual(got, want) {
			t.Fatalf("tokens %q text %q: matcher %v, reference %v", r.Tokens, text, got, want)
		}
		if strings.IndexByte(text[:min(len(text), binaryProbe)], 0) >= 0 {
			return
		}
		e, _ := Compile(&rules.Set{Rules: []rules.Rule{r}})
		got := streamFind(e, []byte(text), e.m.minBuf()+int(mode>>2)%7)
		if !reflect.DeepEqual(got, toLineCols([]byte(text), want)) {
			t.Fatalf("tokens %q text %q: streamed %v, reference %v", r.Tokens, text, got, toLineCols([]byte(text), want))
		}
	})
}

// streamFind runs the file reader with a tiny buffer and a one-byte-at-a-time
// reader, and returns "line:col-endcol" for each finding.
func streamFind(e *Engine, text []byte, size int) []string {
	s := &scan{e: e}
	w := &worker{s: s, buf: make([]byte, size)}
	w.search("f", nil, &trickle{data: text})
	var out []string
	for _, f := range w.findings {
		out = append(out, fmt.Sprintf("%d:%d-%d:%s", f.Line, f.Column, f.EndColumn, f.Match))
	}
	return out
}

type trickle struct {
	data []byte
	n    int
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.data) == 0 {
		return 0, nil
	}
	t.n++
	k := min(len(p), 1+t.n%7, len(t.data))
	copy(p, t.data[:k])
	t.data = t.data[k:]
	return k, nil
}

func toLineCols(text []byte, ms [][2]int) []string {
	var out []string
	line, ls, at := 1, 0, 0
	for _, m := range ms {
		seg := text[at:m[0]]
		if k := bytes.Count(seg, []byte("\n")); k > 0 {
			line += k
			ls = at + bytes.LastIndexByte(seg, '\n') + 1
		}
		at = m[0]
		out = append(out, fmt.Sprintf("%d:%d-%d:%s", line, m[0]-ls+1, m[1]-ls+1, text[m[0]:m[1]]))
	}
	return out
}
