package scanner

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Regex rules (match: regex) are matched line by line, but only on the lines
// that the literal prefilter points at: each expression's required literals
// (a set of strings one of which every match contains) are patterns of the
// shared matcher that report no finding but mark their line as a candidate.
// An expression without a required literal is run on every line of the files
// its rule applies to.

// maxRegexLine is the longest line that regex rules read. A longer line
// that a regex rule would have to read is a read error of its file, never a
// silent pass.
const maxRegexLine = 1 << 20

// rxRule is one compiled regex rule.
type rxRule struct {
	rule int32
	all  *regexp.Regexp // every expression of the rule, as one
	bare *regexp.Regexp // the expressions without a required literal; nil if none
	// musts holds, for each expression with a required literal, the exact
	// literals that every match of it contains: a candidate line that
	// lacks one of each expression's is not matched (but for bare).
	musts [][]string
}

// mustAll returns exact literals that every match of re contains, all of
// them (the pieces of literal runs, as required takes them).
func mustAll(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return exactPieces(re.Rune, re.Flags)
	case syntax.OpCapture, syntax.OpPlus:
		return mustAll(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustAll(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []string
		var run []rune
		var flags syntax.Flags
		for _, s := range re.Sub {
			switch {
			case s.Op == syntax.OpLiteral:
				if s.Flags&syntax.FoldCase != flags&syntax.FoldCase {
					out = append(out, exactPieces(run, flags)...)
					run, flags = nil, s.Flags
				}
				run = append(run, s.Rune...)
			case zeroWidth(s.Op):
			default:
				out = append(out, exactPieces(run, flags)...)
				run = nil
				out = append(out, mustAll(s)...)
			}
		}
		return append(out, exactPieces(run, flags)...)
	}
	return nil
}

// exactPieces are the pieces of a case-sensitive literal run between U+FFFD
// and line breaks; a folded run gives none.
func exactPieces(rs []rune, flags syntax.Flags) []string {
	if len(rs) == 0 || flags&syntax.FoldCase != 0 {
		return nil
	}
	var out []string
	for _, p := range splitRunes(rs) {
		if len(p) > 0 {
			out = append(out, string(p))
		}
	}
	return out
}

// plausible reports whether some expression of the rule with a required
// literal can match line: every exact literal it requires is there.
func (rr *rxRule) plausible(line []byte) bool {
	for _, ms := range rr.musts {
		ok := true
		for _, m := range ms {
			if !bytes.Contains(line, []byte(m)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// lit is a required literal; fold says it matches under simple case folding.
type lit struct {
	s    string
	fold bool
}

// parseRegex parses a regex token as the engine compiles it.
func parseRegex(expr string, ignoreCase bool) (*syntax.Regexp, error) {
	flags := syntax.Perl
	if ignoreCase {
		flags |= syntax.FoldCase
	}
	return syntax.Parse(expr, flags)
}

// CheckRegex reports why a regex token cannot be used, or nil.
func CheckRegex(expr string, ignoreCase bool) error {
	if strings.ContainsAny(expr, "\n\r") {
		return fmt.Errorf("regex %q contains a line break", expr)
	}
	re, err := parseRegex(expr, ignoreCase)
	if err == nil {
		_, err = regexp.Compile(expr)
	}
	if err == nil {
		// A rule's expressions are compiled together, each in a group: an
		// expression that ends inside \Q would swallow its group's end.
		if _, err := regexp.Compile(group(expr, ignoreCase)); err != nil {
			return fmt.Errorf("regex %q ends inside \\Q…; close the quote with \\E", expr)
		}
	}
	if err != nil {
		msg := err.Error()
		if se, ok := err.(*syntax.Error); ok {
			msg = se.Code.String()
			if se.Expr != "" && se.Expr != expr {
				msg += fmt.Sprintf(" at %q", se.Expr)
			}
		}
		return fmt.Errorf("regex %q does not compile: %s", expr, strings.TrimPrefix(msg, "error parsing regexp: "))
	}
	if canBeEmpty(re) {
		return fmt.Errorf("regex %q can match the empty string, which would be a finding on every line", expr)
	}
	if needsNewline(re) {
		return fmt.Errorf("regex %q needs a line break, but rules match within one line, so it would never match", expr)
	}
	return nil
}

// needsNewline reports whether every match of an expression holds a line
// break, which a line never does.
func needsNewline(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return slices.Contains(re.Rune, '\n')
	case syntax.OpCharClass:
		// Pairs of ranges: a class of \n alone.
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if lo, hi := re.Rune[i], re.Rune[i+1]; lo != '\n' || hi != '\n' {
				return false
			}
		}
		return len(re.Rune) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return needsNewline(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min >= 1 && needsNewline(re.Sub[0])
	case syntax.OpConcat:
		return slices.ContainsFunc(re.Sub, needsNewline)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !needsNewline(s) {
				return false
			}
		}
		return len(re.Sub) > 0
	}
	return false
}

// canBeEmpty reports whether an expression can match the empty string in
// some context: every empty-width assertion is taken to hold.
func canBeEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return false
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCapture, syntax.OpPlus:
		return canBeEmpty(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return re.Min == 0 || canBeEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !canBeEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return slices.ContainsFunc(re.Sub, canBeEmpty)
	}
	return true // empty match, anchors, word boundaries
}

// maxLits bounds a required-literal set; a larger alternation has none.
const maxLits = 64

// required returns literals one of which every match of re contains, or
// nil if it cannot name such a set.
func required(re *syntax.Regexp) []lit {
	switch re.Op {
	case syntax.OpLiteral:
		return literal(re.Rune, re.Flags&syntax.FoldCase != 0)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []lit
		for _, s := range re.Sub {
			r := required(s)
			if r == nil || len(out)+len(r) > maxLits {
				return nil
			}
			out = append(out, r...)
		}
		return out
	case syntax.OpConcat:
		// Each run of adjacent literals (zero-width assertions between them
		// consume nothing) is required, and so is each part's own set.
		var best []lit
		consider := func(c []lit) {
			if c != nil && (best == nil || litScore(c) > litScore(best)) {
				best = c
			}
		}
		var run []rune
		fold := false
		flush := func() {
			if len(run) > 0 {
				consider(literal(run, fold))
			}
			run = nil
		}
		for _, s := range re.Sub {
			switch {
			case s.Op == syntax.OpLiteral:
				f := s.Flags&syntax.FoldCase != 0
				if f != fold {
					flush()
					fold = f
				}
				run = append(run, s.Rune...)
			case zeroWidth(s.Op):
			default:
				flush()
				consider(required(s))
			}
		}
		flush()
		return best
	}
	return nil
}

func zeroWidth(op syntax.Op) bool {
	switch op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return false
}

// literal is a run of literal runes as a required literal: its longest
// piece without U+FFFD (which also matches an invalid byte) or a line break
// (a prefilter hit must lie within its line).
func literal(rs []rune, fold bool) []lit {
	var best []rune
	for _, piece := range splitRunes(rs) {
		if len(string(piece)) > len(string(best)) {
			best = piece
		}
	}
	if len(best) == 0 {
		return nil
	}
	return []lit{{s: string(best), fold: fold}}
}

func splitRunes(rs []rune) [][]rune {
	var out [][]rune
	start := 0
	for i, r := range rs {
		if r == utf8.RuneError || r == '\n' {
			out = append(out, rs[start:i])
			start = i + 1
		}
	}
	return append(out, rs[start:])
}

// litScore ranks a literal set: its weakest literal's rarity first, then
// exact over folded (the exact finders are faster), then fewer literals.
func litScore(ls []lit) int {
	weak, exact := rarity(ls[0]), maxLits+1
	for _, l := range ls {
		weak = min(weak, rarity(l))
		if l.fold {
			exact = 0
		}
	}
	return weak*2*(maxLits+1) + exact - len(ls)
}

// rarity guesses how seldom a literal occurs in source code, as ripgrep
// ranks bytes by frequency, coarsely: lowercase letters, blanks and the
// commonest punctuation count 1 a byte, digits and other punctuation 2,
// capitals and non-ASCII bytes 3. So the prefilter reads SyncRun rather
// than the longer "function " in \bfunction \w*SyncRun.
func rarity(l lit) int {
	s := l.s
	if l.fold {
		s = strings.ToLower(s) // the parser spells folded literals in capitals
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', c == ' ', c == '\t', strings.IndexByte("()[];,.=$'\"->", c) >= 0:
			n++
		case 'A' <= c && c <= 'Z', c >= 0x80:
			n += 3
		default:
			n += 2
		}
	}
	return n
}

// RegexLiterals returns the literals one of which every match of a valid
// regex token contains (under case folding where the expression folds
// case), as the prefilter looks for them; none means every line is read.
func RegexLiterals(expr string, ignoreCase bool) []string {
	re, err := parseRegex(expr, ignoreCase)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range required(re) {
		out = append(out, l.s)
	}
	return out
}

// compileRegexRule builds a validated regex rule and the literals of its
// prefilter; bare expressions contribute none.
func compileRegexRule(r *rules.Rule, ri int32) (*rxRule, []lit) {
	var all, bare []string
	var lits []lit
	var musts [][]string
	for _, t := range r.Tokens {
		x := group(t, r.IgnoreCase)
		all = append(all, x)
		re, err := parseRegex(t, r.IgnoreCase)
		var ls []lit
		if err == nil {
			ls = required(re)
		}
		if ls == nil {
			bare = append(bare, x)
			continue
		}
		lits = append(lits, ls...)
		musts = append(musts, mustAll(re))
	}
	rr := &rxRule{rule: ri, all: longest(all), musts: musts}
	if len(bare) > 0 {
		rr.bare = longest(bare)
	}
	return rr, lits
}

// group is an expression as one alternative of its rule's regexp.
func group(expr string, ignoreCase bool) string {
	if ignoreCase {
		return "(?i:" + expr + ")"
	}
	return "(?:" + expr + ")"
}

func longest(exprs []string) *regexp.Regexp {
	re := regexp.MustCompile(strings.Join(exprs, "|"))
	re.Longest()
	return re
}

// rxHit is a prefilter hit: the line starting at the absolute offset at,
// numbered line, is a candidate of rule.
type rxHit struct {
	rule     int32
	line, at int
}

// rxFile is the regex rules' state in one file: the line that the last
// round left unfinished, and the candidates found so far.
type rxFile struct {
	m        *matcher
	active   []bool
	full     bool // an active rule has a bare expression: every line is read
	hits     []rxHit
	tail     []byte // the unfinished line's bytes, from tailAt
	tailAt   int
	tailLine int // its number, once known
	tailOver bool
	need     []int32 // rules with a candidate in the line at hand
	line     int     // full: the number of the line at tailAt
	found    []*result.Finding
	failed   bool // a line was too long to read
}

// startRegex prepares the regex rules' state for one file, or returns nil
// when the engine has no regex rule.
func (m *matcher) startRegex(active []bool) *rxFile {
	if len(m.rx) == 0 {
		return nil
	}
	x, _ := m.rxPool.Get().(*rxFile)
	if x == nil {
		x = new(rxFile)
	}
	*x = rxFile{m: m, active: active, hits: x.hits[:0], tail: x.tail[:0], need: x.need[:0], line: 1, tailLine: 1}
	for _, rr := range m.rx {
		if rr.bare != nil && x.on(rr.rule) {
			x.full = true
		}
	}
	return x
}

func (x *rxFile) release() {
	pool := x.m.rxPool
	x.m, x.active, x.found = nil, nil, nil
	if cap(x.tail) > 64<<10 {
		x.tail = nil
	}
	pool.Put(x)
}

func (x *rxFile) on(rule int32) bool {
	return x.active == nil || int(rule) >= len(x.active) || x.active[rule]
}

// hit records a prefilter hit of rule in the line numbered line that starts
// at the absolute offset at.
func (x *rxFile) hit(rule int32, line, at int) {
	x.hits = append(x.hits, rxHit{rule: rule, line: line, at: at})
}

// round reads d, the bytes a round of the search decided, which start at the
// absolute offset from; the hits recorded since the last round lie in it.
func (x *rxFile) round(w *worker, d []byte, from int, eof bool) {
	hits, hi := x.hits, 0
	// The unfinished line, which starts at or before from, comes first.
	for ; hi < len(hits) && hits[hi].at == x.tailAt; hi++ {
		x.addNeed(hits[hi].rule)
		x.tailLine = hits[hi].line
	}
	nl := bytes.IndexByte(d, '\n')
	if nl < 0 {
		x.grow(d)
		if eof {
			x.finishTail(w)
		}
		x.hits = hits[:0]
		return
	}
	x.grow(d[:nl])
	x.finishTail(w)
	pos := nl + 1
	// Lines that start and end in d.
	for pos < len(d) {
		line := x.line
		if !x.full {
			if hi == len(hits) {
				break
			}
			pos, line = hits[hi].at-from, hits[hi].line
		}
		at := from + pos
		x.need = x.need[:0]
		for ; hi < len(hits) && hits[hi].at == at; hi++ {
			x.addNeed(hits[hi].rule)
		}
		k := bytes.IndexByte(d[pos:], '\n')
		if k < 0 {
			// The last line is unfinished: it becomes the tail, needs and all.
			x.tailAt, x.tailLine = at, line
			x.tail = append(x.tail[:0], d[pos:min(len(d), pos+maxRegexLine)]...)
			x.tailOver = len(d)-pos > maxRegexLine
			if eof {
				x.finishTail(w)
			}
			x.hits = hits[:0]
			return
		}
		x.match(w, d[pos:pos+k], line, k > maxRegexLine)
		pos += k + 1
		x.line++
	}
	// d ends with a line break, or no more candidates: the tail starts
	// after the last line break.
	ts := bytes.LastIndexByte(d, '\n') + 1
	if x.full {
		x.line += bytes.Count(d[pos:ts], []byte{'\n'})
	}
	x.tailAt, x.tailLine = from+ts, x.line
	x.need = x.need[:0]
	for ; hi < len(hits); hi++ {
		if hits[hi].at == x.tailAt {
			x.addNeed(hits[hi].rule)
			x.tailLine = hits[hi].line
		}
	}
	x.tail = append(x.tail[:0], d[ts:min(len(d), ts+maxRegexLine)]...)
	x.tailOver = len(d)-ts > maxRegexLine
	if eof {
		x.finishTail(w)
	}
	x.hits = hits[:0]
}

func (x *rxFile) addNeed(rule int32) {
	if !slices.Contains(x.need, rule) {
		x.need = append(x.need, rule)
	}
}

// grow appends b to the unfinished line, up to maxRegexLine bytes.
func (x *rxFile) grow(b []byte) {
	if room := maxRegexLine - len(x.tail); len(b) > room {
		b = b[:max(room, 0)]
		x.tailOver = true
	}
	x.tail = append(x.tail, b...)
}

// finishTail matches the unfinished line, now that it ended.
func (x *rxFile) finishTail(w *worker) {
	if len(x.tail) > 0 || x.tailOver {
		x.match(w, x.tail, x.tailLine, x.tailOver)
	}
	x.tail, x.tailOver, x.need = x.tail[:0], false, x.need[:0]
	x.line++
}

// match runs the rules that must read line: with a candidate in it, every
// expression of the rule; in full mode, the bare ones of the others.
func (x *rxFile) match(w *worker, line []byte, num int, over bool) {
	if len(x.need) == 0 && !x.full {
		return
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	for _, rr := range x.m.rx {
		re := rr.all
		if !slices.Contains(x.need, rr.rule) || !over && !rr.plausible(line) {
			if re = rr.bare; re == nil || !x.on(rr.rule) {
				continue
			}
		}
		r := &w.s.e.rules[rr.rule]
		if over {
			if x.failed {
				continue
			}
			x.failed = true // one read error per file, at its first such line
			w.fail(w.relPath(), fmt.Errorf("line %d is longer than %d MiB, which regex rule %q cannot read; exclude the file from the rule", num, maxRegexLine>>20, r.ID))
			continue
		}
		for _, loc := range re.FindAllIndex(line, -1) {
			if a := x.m.allow[rr.rule]; a != nil && allowed(line, loc[0], loc[1], a) {
				continue
			}
			f := w.newFinding()
			text, tc := lineText(line, 0, loc[0])
			*f = result.Finding{
				Path:         w.relPath(),
				Line:         num,
				Column:       loc[0] + 1,
				EndColumn:    loc[1] + 1,
				Rule:         r,
				Match:        string(line[loc[0]:loc[1]]),
				LineText:     text,
				TextColumn:   tc,
				TextColumn16: 1 + utf16Units(line[:tc-1]),
			}
			x.found = append(x.found, f)
		}
	}
}
