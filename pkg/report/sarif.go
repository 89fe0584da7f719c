package report

import (
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/internal/sha256"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// SARIF is a SARIF 2.1.0 log as GitHub code scanning reads it.
type SARIF struct{}

var _ Format = SARIF{}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
	Properties  *sarifRunProps    `json:"properties,omitempty"`
}

// sarifInvocation says whether the run looked everywhere: a file it could
// not read is an error notification, and the execution unsuccessful.
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string                  `json:"level"`
	Message   sarifText               `json:"message"`
	Locations []sarifArtifactLocation `json:"locations"`
}

type sarifArtifactLocation struct {
	PhysicalLocation struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

// sarifRunProps is the run's property bag.
type sarifRunProps struct {
	Shard *Shard `json:"nolegacyruns/shard,omitempty"`
	// Baseline: per rule, findings in the baseline and fixed since it was
	// written; only when a baseline is in use.
	Baseline map[string]BaselineCounts `json:"nolegacyruns/baseline,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	ShortDescription     sarifText     `json:"shortDescription"`
	FullDescription      sarifText     `json:"fullDescription"`
	Help                 *sarifText    `json:"help,omitempty"`
	HelpURI              string        `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConf `json:"defaultConfiguration"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints sarifFingerprints  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifFingerprints struct {
	V1 string `json:"nolegacyruns/v1"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int           `json:"startLine"`
	StartColumn int           `json:"startColumn"`
	EndColumn   int           `json:"endColumn"`
	Snippet     *sarifSnippet `json:"snippet,omitempty"`
}

type sarifSnippet struct {
	Text string `json:"text"`
}

func level(s rules.Severity) string {
	if s == rules.SeverityWarning {
		return "warning"
	}
	return "error"
}

// Write implements Format.
func (SARIF) Write(w io.Writer, r *Report) error {
	driver := sarifDriver{
		Name:           r.Tool,
		InformationURI: "https://github.com/tenantatlas/nolegacyruns",
		Rules:          []sarifRule{},
	}
	if r.Version != "" {
		// SARIF viewers compare versions numerically: "1.2.0", not "v1.2.0".
		v := strings.TrimPrefix(r.Version, "v")
		if v == "devel" {
			v = "0.0.0-devel"
		}
		driver.Version, driver.SemanticVersion = v, v
	}
	index := map[string]int{}
	for _, rule := range r.Rules {
		index[rule.ID] = len(driver.Rules)
		sr := sarifRule{
			ID:                   rule.ID,
			ShortDescription:     sarifText{rule.Message},
			FullDescription:      sarifText{fmt.Sprintf("%s. Forbidden (%s match): %s", rule.Message, rule.Match, strings.Join(rule.Tokens, ", "))},
			DefaultConfiguration: sarifRuleConf{level(rule.Severity)},
			HelpURI:              rule.URL,
		}
		if rule.Hint != "" {
			sr.Help = &sarifText{rule.Hint}
		}
		driver.Rules = append(driver.Rules, sr)
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{validUTF8(e.Err.Error())}, Locations: make([]sarifArtifactLocation, 1)}
		n.Locations[0].PhysicalLocation.ArtifactLocation = sarifArtifact{URI: URI(e.Path), URIBaseID: "%SRCROOT%"}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run := sarifRun{Tool: sarifTool{driver}, Invocations: []sarifInvocation{inv}, ColumnKind: "utf16CodeUnits", Results: []sarifResult{}}
	if r.Shard.Count > 0 {
		run.Properties = &sarifRunProps{Shard: &r.Shard}
	}
	if b := r.baselineCounts(); b != nil {
		if run.Properties == nil {
			run.Properties = &sarifRunProps{}
		}
		run.Properties.Baseline = b
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	return writeJSON(w, log, jsonArray{"results", r.sarifResults(index)})
}

// sarifResults yields one result per finding, suppressed ones marked.
func (r *Report) sarifResults(index map[string]int) iter.Seq[any] {
	return func(yield func(any) bool) {
		fps := fingerprints(r.Findings)
		path, uri := "", ""
		for i := range r.Findings {
			f := r.Findings[i]
			if f.Path != path || uri == "" {
				path, uri = f.Path, URI(f.Path)
			}
			start, end := UTF16Columns(f)
			msg := sarifMessage(f)
			res := sarifResult{
				RuleID:    f.Rule.ID,
				RuleIndex: index[f.Rule.ID],
				Level:     level(f.Rule.Severity),
				Message:   sarifText{msg},
				Locations: []sarifLocation{{sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: "%SRCROOT%"},
					// The snippet is the region's own text, as SARIF defines it:
					// the match, not its line (which can be 1 KiB a finding).
					Region: sarifRegion{StartLine: f.Line, StartColumn: start, EndColumn: end, Snippet: &sarifSnippet{validUTF8(f.Match)}},
				}}},
				PartialFingerprints: sarifFingerprints{fps()},
			}
			if s := f.Suppression; s != nil {
				res.Suppressions = []sarifSuppression{{Kind: s.Kind, Justification: validUTF8(s.Justification)}}
			}
			if !yield(res) {
				return
			}
		}
	}
}

// sarifMessage is a finding's message, match and hint on one line.
func sarifMessage(f *result.Finding) string {
	msg := fmt.Sprintf("%s: %q", Message(f), validUTF8(f.Match))
	if f.Rule.Hint != "" {
		msg += " (hint: " + f.Rule.Hint + ")"
	}
	return msg
}

// UTF16Columns converts a finding's byte columns to UTF-16 code units, the
// column kind GitHub expects, from its line text and where that starts.
func UTF16Columns(f *result.Finding) (start, end int) {
	off, c16 := f.Column-f.TextColumn, f.TextColumn16
	if c16 == 0 && f.TextColumn == 1 {
		c16 = 1 // the line's start: no units before it
	}
	if off < 0 || off+len(f.Match) > len(f.LineText) || c16 < 1 {
		return f.Column, f.EndColumn // no line text to count with
	}
	start = c16 + utf16Len(f.LineText[:off])
	return start, start + utf16Len(f.LineText[off:off+len(f.Match)])
}

func utf16Len(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		n += utf16.RuneLen(r)
	}
	return n
}

// URI percent-encodes a root-relative path for a SARIF artifact location.
func URI(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Fingerprints gives each finding an id that survives edits elsewhere in the
// file: a hash of its identity key and its occurrence number.
func Fingerprints(fs []*result.Finding) []string {
	out := make([]string, len(fs))
	next := fingerprints(fs)
	for i := range fs {
		out[i] = next()
	}
	return out
}

// fingerprints returns the fingerprints of sorted findings one at a time,
// remembering occurrences for one file at a time only.
func fingerprints(fs []*result.Finding) func() string {
	i, path := 0, ""
	seed := maphash.MakeSeed()
	var seen map[uint64]int
	var key []byte // reused: a file's keys can be a million lines of 1 KiB
	return func() string {
		f := fs[i]
		i++
		if seen == nil || f.Path != path {
			seen, path = map[uint64]int{}, f.Path
		}
		key = result.AppendKey(key[:0], f)
		id := maphash.Bytes(seed, key) // stands for the key in the count
		n := seen[id]
		seen[id]++
		sum := sha256.Sum256(strconv.AppendInt(append(key, 0), int64(n), 10))
		return hex.EncodeToString(sum[:16])
	}
}
