package scanner

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// naiveTerm is the reference for term rules, written from the contract and
// sharing nothing with the engine but term.Words (the splitting is the
// contract's own definition): it enumerates every span, keeps those that
// spell a token and sit on valid boundaries, and takes at each position the
// longest, then goes on after its end.
func naiveTerm(r rules.Rule, text []byte) [][2]int {
	var out [][2]int
	span := 0 // no spelling is longer: a rune folds to at most 4 bytes, the plural adds 3
	for _, t := range r.Tokens {
		span = max(span, 4*(len(t)+3))
	}
	for p := 0; p < len(text); {
		best := -1
		for q := p + 1; q <= len(text) && q <= p+span; q++ {
			if naiveSpells(r.Tokens, text[p:q]) && naiveBounds(text, p, q) {
				best = q
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

// naivePlural and naiveSingular are the contract's number rules, spelled
// out again.
func naiveForms(w string) []string {
	w = strings.ToLower(w)
	forms := []string{w}
	ends := func(s ...string) bool {
		for _, x := range s {
			if strings.HasSuffix(w, x) {
				return true
			}
		}
		return false
	}
	if ends("s") && !ends("ss", "us", "is") {
		switch {
		case ends("ies"):
			forms = append(forms, w[:len(w)-3]+"y")
		case ends("sses", "xes", "zes", "ches", "shes"):
			forms = append(forms, w[:len(w)-2])
		case len(w) > 1:
			forms = append(forms, w[:len(w)-1])
		}
		return forms
	}
	switch {
	case ends("s", "x", "z", "ch", "sh", "ss", "us", "is"):
		return append(forms, w+"es")
	case len(w) >= 2 && w[len(w)-1] == 'y':
		c, _ := utf8.DecodeLastRuneInString(w[:len(w)-1])
		if unicode.IsLetter(c) && !strings.ContainsRune("aeiou", c) {
			return append(forms, w[:len(w)-1]+"ies")
		}
	}
	return append(forms, w+"s")
}

func naiveSpells(tokens []string, span []byte) bool {
	for _, t := range tokens {
		words := term.Words(t)
		for _, last := range naiveForms(words[len(words)-1]) {
			ws := append(append([]string(nil), words[:len(words)-1]...), last)
			for _, sep := range []string{"_", "-", ".", " "} {
				parts := strings.Split(string(span), sep)
				if len(parts) != len(ws) {
					continue
				}
				ok := true
				for i := range parts {
					ok = ok && strings.EqualFold(parts[i], ws[i])
				}
				if ok {
					return true
				}
			}
			if naiveJoined(string(span), ws) {
				return true
			}
		}
	}
	return false
}

// naiveJoined: the span cut into the words in order, each after the first
// starting with an uppercase letter.
func naiveJoined(s string, ws []string) bool {
	if len(ws) == 0 {
		return s == ""
	}
	for i := 1; i <= len(s); i++ {
		if !strings.EqualFold(s[:i], ws[0]) {
			continue
		}
		rest := s[i:]
		if len(ws) == 1 {
			if rest == "" {
				return true
			}
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) && naiveJoined(rest, ws[1:]) {
			return true
		}
	}
	return false
}

func naiveBounds(text []byte, p, q int) bool {
	ld := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	first, _ := utf8.DecodeRune(text[p:])
	last, _ := utf8.DecodeLastRune(text[:q])
	// acronymEnd: b and a capitals, the rune after a lowercase (ABc).
	acronymEnd := func(b rune, at int) bool {
		a, n := utf8.DecodeRune(text[at:])
		c, _ := utf8.DecodeRune(text[at+n:])
		return unicode.IsUpper(b) && unicode.IsUpper(a) && at+n < len(text) && unicode.IsLower(c)
	}
	if p > 0 {
		b, _ := utf8.DecodeLastRune(text[:p])
		if ld(b) && !((unicode.IsLower(b) || unicode.IsDigit(b)) && unicode.IsUpper(first)) && !acronymEnd(b, p) {
			return false
		}
	}
	if q < len(text) {
		a, _ := utf8.DecodeRune(text[q:])
		if ld(a) && !(unicode.IsUpper(a) && (unicode.IsLower(last) || unicode.IsDigit(last))) && !acronymEnd(last, q) {
			return false
		}
	}
	return true
}

func termRule(tokens ...string) rules.Rule {
	return rules.Rule{ID: "r", Message: "m", Match: rules.Term, Tokens: tokens}
}

func TestTermMatches(t *testing.T) {
	tests := []struct {
		tokens []string
		text   string
		want   []string // the matched texts
	}{
		{[]string{"InventorySyncRun"}, "class InventorySyncRun extends Model", []string{"InventorySyncRun"}},
		{[]string{"InventorySyncRun"}, "Schema::create('inventory_sync_runs')", []string{"inventory_sync_runs"}},
		{[]string{"InventorySyncRun"}, "$this->inventorySyncRuns() getInventorySyncRuns", []string{"inventorySyncRuns", "InventorySyncRuns"}},
		{[]string{"InventorySyncRun"}, "route('inventory-sync-runs.index')", []string{"inventory-sync-runs"}},
		{[]string{"BackupScheduleRun"}, "<livewire:backup-schedule-run-list />", []string{"backup-schedule-run"}},
		{[]string{"InventorySyncRun"}, "const INVENTORY_SYNC_RUN_TABLE = 1;", []string{"INVENTORY_SYNC_RUN"}},
		{[]string{"InventorySyncRun"}, "'Inventory sync runs'", []string{"Inventory sync runs"}},
		{[]string{"InventorySyncRun"}, "$t->foreignId('inventory_sync_run_id')", []string{"inventory_sync_run"}},
		{[]string{"InventorySyncRun"}, "InventorySyncRunResource::class", []string{"InventorySyncRun"}},
		{[]string{"BackupScheduleRun"}, "BackupScheduleRunsRelationManager", []string{"BackupScheduleRuns"}},
		{[]string{"InventorySyncRun"}, "InventorySyncRunner myinventorysyncrun InventorySyncRun2 inventory_sync-run inventorysyncrun", nil},
		{[]string{"InventorySyncRun"}, "inventory.sync.run INVENTORY-SYNC-RUNS Inventory_Sync_Run", []string{"inventory.sync.run", "INVENTORY-SYNC-RUNS", "Inventory_Sync_Run"}},
		{[]string{"entry"}, "entries Entry entrys", []string{"entries", "Entry"}},
		{[]string{"Oauth2Client"}, "oauth2_client Oauth2Clients oauth2client", []string{"oauth2_client", "Oauth2Clients"}},
		{[]string{"run", "sync run"}, "sync_run run_sync", []string{"sync_run", "run"}},
		{[]string{"k"}, "\u212a", []string{"\u212a"}},
		// U+0130 lowers to i, which simple folding does not equate with it:
		// the term matches its own spelling, and not istanbul.
		{[]string{"İstanbulRun"}, "İstanbulRun istanbul_run İSTANBUL_RUNS", []string{"İstanbulRun", "İSTANBUL_RUNS"}},
	}
	for _, tt := range tests {
		r := termRule(tt.tokens...)
		var got []string
		for _, m := range fastFind(t, r, []byte(tt.text)) {
			got = append(got, tt.text[m[0]:m[1]])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q in %q: %q, want %q", tt.tokens, tt.text, got, tt.want)
		}
		if ref := naiveTerm(r, []byte(tt.text)); !reflect.DeepEqual(ref, fastFind(t, r, []byte(tt.text))) {
			t.Errorf("%q in %q: reference %v", tt.tokens, tt.text, ref)
		}
	}
}

func TestAllow(t *testing.T) {
	r := termRule("BackupScheduleRun")
	r.Allow = []string{"'backup_schedule_run'"}
	e, err := Compile(&rules.Set{Rules: []rules.Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	text := "type = 'backup_schedule_run' backup_schedule_runs BackupScheduleRunsRelationManager backup-schedule-run\n'backup_schedule_run\n"
	got := streamFind(e, []byte(text), e.m.minBuf())
	want := []string{"1:30-50:backup_schedule_runs", "1:51-69:BackupScheduleRuns", "1:85-104:backup-schedule-run", "2:2-21:backup_schedule_run"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	rx := regexRule(false, `backup_\w+`)
	rx.Allow = []string{"'backup_schedule_run'"}
	e, _ = Compile(&rules.Set{Rules: []rules.Rule{rx}})
	got = streamFind(e, []byte(text), e.m.minBuf())
	want = []string{"1:30-50:backup_schedule_runs", "2:2-21:backup_schedule_run"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("regex: got %q, want %q", got, want)
	}
}

// FuzzTerm checks term rules against the naive reference, in one piece and
// through the streaming reader with a buffer small enough that spellings
// straddle its edges.
func FuzzTerm(f *testing.F) {
	f.Add("InventorySyncRun", "InventorySyncRunner getInventorySyncRuns inventory_sync_run_id INVENTORY-SYNC-RUNS", uint8(0))
	f.Add("entry\x00sync entry", "syncEntries sync_entry sync.entries Sync Entry", uint8(1))
	f.Add("ABc\x00aB", "A_Bc ABc AB a_b aB", uint8(2))
	f.Add("k s", "\u212a \u017f K_S ks kS", uint8(3))
	f.Add("Oauth2Client", "Oauth2Client2 oauth2Clients xOauth2Client", uint8(4))
	f.Add("class\x00box\x00status", "classes Boxes statuses box_ STATUS", uint8(5))
	f.Add("été run", "ÉtéRuns étéruns ÉTÉ_RUN", uint8(6))
	f.Add("InventorySyncRun\x00LegacyAPI", "XMLInventorySyncRuns LegacyAPIClient APIInventorySyncRun LegacyAPIS LegacyAPICLIENT", uint8(7))
	f.Add("İstanbul run", "İstanbulRun istanbul_run İSTANBUL-RUNS", uint8(0))
	f.Fuzz(func(t *testing.T, toks, text string, mode uint8) {
		r := termRule()
		for _, tok := range strings.Split(toks, "\x00") {
			if CheckRuleToken(&r, tok) == nil && len(r.Tokens) < 8 && len(tok) < 24 {
				r.Tokens = append(r.Tokens, tok)
			}
		}
		if len(r.Tokens) == 0 {
			return
		}
		want := naiveTerm(r, []byte(text))
		if got := fastFind(t, r, []byte(text)); !sameMatches(got, want) {
			t.Fatalf("tokens %q text %q: matcher %v, reference %v", r.Tokens, text, got, want)
		}
		if bytes.IndexByte([]byte(text[:min(len(text), binaryProbe)]), 0) >= 0 || utf16Order([]byte(text)) != nil {
			return
		}
		e, _ := Compile(&rules.Set{Rules: []rules.Rule{r}})
		got := streamFind(e, []byte(text), e.m.minBuf()+int(mode)%7)
		if !reflect.DeepEqual(got, toLineCols([]byte(text), want)) {
			t.Fatalf("tokens %q text %q: streamed %v, reference %v", r.Tokens, text, got, toLineCols([]byte(text), want))
		}
	})
}

// A term after an acronym: the word split's own rule (ABc → A|Bc) makes
// XMLInventorySyncRun the words XML|Inventory|Sync|Run, and a match may
// start or end where the words part.
func TestTermAfterAcronym(t *testing.T) {
	r := termRule("InventorySyncRun")
	for text, want := range map[string][][2]int{
		"XMLInventorySyncRun":     {{3, 19}},
		"APIInventorySyncRuns()":  {{3, 20}},
		"new DTOInventorySyncRun": {{7, 23}},
		"XMLINVENTORY_SYNC_RUN":   nil, // no case change: one word
		"XInventorySyncRun":       {{1, 17}},
	} {
		if got := fastFind(t, r, []byte(text)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
		if got := naiveTerm(r, []byte(text)); !reflect.DeepEqual(got, want) {
			t.Errorf("reference, %q: %v, want %v", text, got, want)
		}
	}
	// A term that ends in an acronym, before a capitalised word.
	r = termRule("LegacyAPI")
	for text, want := range map[string][][2]int{
		"LegacyAPIClient": {{0, 9}},
		"LegacyAPIS":      {{0, 10}},
		"LegacyAPICLIENT": nil,
	} {
		if got := fastFind(t, r, []byte(text)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
		if got := naiveTerm(r, []byte(text)); !reflect.DeepEqual(got, want) {
			t.Errorf("reference, %q: %v, want %v", text, got, want)
		}
	}
}
