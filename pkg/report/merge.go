package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"reflect"
	"sort"

	"github.com/tenantatlas/nolegacyruns/internal/fileuri"
)

// Part is one report to merge: a shard's JSON or SARIF, by the name the
// user gave it.
type Part struct {
	Name string
	Data []byte
}

// Merged is what the merged report says about the whole run, for its exit
// status and summary line.
type Merged struct {
	Format                    string // "json" or "sarif"
	Parts                     int
	Errors, Warnings, Files   int // reported findings, and the files they are in
	FilesScanned              int // JSON only; -1 for SARIF, which does not say
	ReadErrors                []FileProblem
	Suppressed, Baselined     int
	StaleBaseline             int
	FindingsTotal, Unreported int
}

// FileProblem is a file a part could not read.
type FileProblem struct{ Path, Error string }

// MergeError is a set of parts that cannot be merged.
type MergeError struct{ Msg, Hint string }

func (e *MergeError) Error() string { return e.Msg }

// Merge writes the report of the whole run from the reports of its shards
// (--shard I/N, each part once): the same bytes as the run without
// --shard would have written, in the same format. Files are in exactly
// one part, so a file's findings keep their order and the files are put
// back in path order.
func Merge(w io.Writer, parts []Part) (Merged, error) {
	if len(parts) == 0 {
		return Merged{}, &MergeError{"no report to merge", "name the JSON or SARIF reports of every shard"}
	}
	kind := func(p Part) string {
		var probe struct {
			Runs    json.RawMessage `json:"runs"`
			Version json.RawMessage `json:"version"`
		}
		if json.Unmarshal(p.Data, &probe) != nil {
			return ""
		}
		switch {
		case probe.Runs != nil:
			return "sarif"
		case probe.Version != nil:
			return "json"
		}
		return ""
	}
	format := kind(parts[0])
	for _, p := range parts {
		k := kind(p)
		if k == "" {
			return Merged{}, &MergeError{p.Name + " is not a JSON or SARIF report of nolegacyruns", "merge the reports that --format json or sarif (or --report) wrote"}
		}
		if k != format {
			return Merged{}, &MergeError{fmt.Sprintf("%s is %s and %s is %s", parts[0].Name, format, p.Name, k), "merge the reports of one format at a time"}
		}
	}
	if format == "json" {
		return mergeJSON(w, parts)
	}
	return mergeSARIF(w, parts)
}

// decodeStrict reads a report into v, refusing fields it does not know
// (a report of another version).
func decodeStrict(p Part, v any) error {
	dec := json.NewDecoder(bytes.NewReader(p.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &MergeError{fmt.Sprintf("%s: %v", p.Name, err), "merge reports written by this version of nolegacyruns"}
	}
	return nil
}

// differentRules is the error for two parts whose version or rules differ.
func differentRules(a, b Part) error {
	return &MergeError{fmt.Sprintf("%s and %s come from different rules or versions", a.Name, b.Name),
		"merge the shards of one run, all with the same rule file and --rule flags"}
}

// checkShards checks that the parts are the shards 1 to N of one run, each
// once, and returns N.
func checkShards(parts []Part, shards []*Shard) (int, error) {
	if len(parts) == 1 && shards[0] == nil {
		return 1, nil // a whole run's report, as it is
	}
	n := 0
	seen := map[int]string{}
	for i, s := range shards {
		switch {
		case s == nil:
			return 0, &MergeError{parts[i].Name + " is not the report of a shard", "merge the reports of runs with --shard I/N, one for each I"}
		case s.Index < 1 || s.Index > s.Count:
			return 0, &MergeError{fmt.Sprintf("%s: shard %d/%d does not exist", parts[i].Name, s.Index, s.Count), "merge the reports that nolegacyruns --shard wrote"}
		case n == 0:
			n = s.Count
		case s.Count != n:
			return 0, &MergeError{fmt.Sprintf("%s is shard %d/%d, but %s is of %d shards", parts[i].Name, s.Index, s.Count, parts[0].Name, n),
				"merge the shards of one run"}
		}
		if prev, ok := seen[s.Index]; ok {
			return 0, &MergeError{fmt.Sprintf("%s and %s are both shard %d/%d", prev, parts[i].Name, s.Index, s.Count), "give each shard's report once"}
		}
		seen[s.Index] = parts[i].Name
	}
	if left := n - len(seen); left > 10 {
		return 0, &MergeError{fmt.Sprintf("%d of %d shards are missing", left, n),
			"a merge needs every shard's report: did a shard job fail before writing it?"}
	}
	var missing []int
	for i := 1; i <= n && len(seen)+len(missing) < n; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		what := fmt.Sprintf("shard %d of %d is missing", missing[0], n)
		if len(missing) > 1 {
			what = fmt.Sprintf("shards %s of %d are missing", listInts(missing), n)
		}
		return 0, &MergeError{what,
			"a merge needs every shard's report: did a shard job fail before writing it?"}
	}
	return n, nil
}

func listInts(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, fmt.Sprint(n))
	}
	return listOf(s)
}

// owners checks that no file is in two parts, which would make them the
// shards of different runs (another root, another version's hash).
type owners struct {
	parts []Part
	of    map[string]int
}

func (o *owners) add(part int, path string) error {
	if o.of == nil {
		o.of = map[string]int{}
	}
	if p, ok := o.of[path]; ok && p != part {
		return &MergeError{fmt.Sprintf("%s and %s both report %s, so they are not shards of one run", o.parts[p].Name, o.parts[part].Name, LogPath(path)),
			"merge the reports of one run's shards, all with the same --root and --path-prefix"}
	}
	o.of[path] = part
	return nil
}

// sortByPath puts the items of several parts in path order, keeping each
// part's own order for a path (files are in one part only).
func sortByPath[T any](items []T, key func(T) string) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}

func mergeJSON(w io.Writer, parts []Part) (Merged, error) {
	docs := make([]jsonDoc, len(parts))
	shards := make([]*Shard, len(parts))
	for i, p := range parts {
		if err := decodeStrict(p, &docs[i]); err != nil {
			return Merged{}, err
		}
		if docs[i].Version != 1 {
			return Merged{}, &MergeError{fmt.Sprintf("%s: report version %d", p.Name, docs[i].Version), "merge reports written by this version of nolegacyruns"}
		}
		shards[i] = docs[i].Shard
	}
	n, err := checkShards(parts, shards)
	if err != nil {
		return Merged{}, err
	}
	// After checkShards: a whole run's report, which has no tool, among
	// shards is "not the report of a shard".
	for i := range docs[1:] {
		if !reflect.DeepEqual(docs[i+1].Tool, docs[0].Tool) {
			return Merged{}, differentRules(parts[0], parts[i+1])
		}
	}
	out := jsonDoc{Version: 1, Findings: []jsonFinding{}, Suppressed: []jsonFinding{}, ReadErrors: []jsonError{}}
	var findings, suppressed []jsonFinding
	own := owners{parts: parts}
	for i := range docs {
		for _, fs := range [][]jsonFinding{docs[i].Findings, docs[i].Suppressed} {
			for _, f := range fs {
				if err := own.add(i, rawPath(f.Path, f.PathBytes)); err != nil {
					return Merged{}, err
				}
			}
		}
		for _, e := range docs[i].ReadErrors {
			if err := own.add(i, rawPath(e.Path, e.PathBytes)); err != nil {
				return Merged{}, err
			}
		}
	}
	for i := range docs {
		findings = append(findings, docs[i].Findings...)
		suppressed = append(suppressed, docs[i].Suppressed...)
		out.ReadErrors = append(out.ReadErrors, docs[i].ReadErrors...)
		if i == 0 {
			out.Summary = docs[i].Summary
		} else if err := sumInts(reflect.ValueOf(&out.Summary).Elem(), reflect.ValueOf(docs[i].Summary)); err != nil {
			return Merged{}, &MergeError{fmt.Sprintf("%s: summary: %v", parts[i].Name, err), "merge the shards of one run"}
		}
	}
	key := func(f jsonFinding) string { return rawPath(f.Path, f.PathBytes) }
	sortByPath(findings, key)
	sortByPath(suppressed, key)
	sortByPath(out.ReadErrors, func(e jsonError) string { return rawPath(e.Path, e.PathBytes) })
	m := Merged{Format: "json", Parts: n, Errors: out.Summary.Errors, Warnings: out.Summary.Warnings,
		Files: out.Summary.FilesWithFindings, FilesScanned: out.Summary.FilesScanned,
		Suppressed: out.Summary.Suppressed, Baselined: out.Summary.Baselined, StaleBaseline: out.Summary.StaleBaseline}
	for _, e := range out.ReadErrors {
		m.ReadErrors = append(m.ReadErrors, FileProblem{rawPath(e.Path, e.PathBytes), e.Error})
	}
	return m, writeJSON(w, out, jsonArray{"findings", seqOf(findings)}, jsonArray{"suppressed", seqOf(suppressed)})
}

// uriKey is a SARIF artifact's path as the file system has it.
func uriKey(u string) string {
	if s, err := fileuri.Unescape(u); err == nil {
		return s
	}
	return u
}

// rawPath is a report's path as the file system has it.
func rawPath(p, b64 string) string {
	if b64 == "" {
		return p
	}
	if b, err := base64.StdEncoding.DecodeString(b64); err == nil {
		return string(b)
	}
	return p
}

func seqOf[T any](items []T) iter.Seq[any] {
	return func(yield func(any) bool) {
		for _, v := range items {
			if !yield(v) {
				return
			}
		}
	}
}

// sumInts adds the integers of src to dst, field by field (in structs and
// maps too), and requires anything else to be equal: a count added to a
// report's summary later is summed without a change here.
func sumInts(dst, src reflect.Value) error {
	switch dst.Kind() {
	case reflect.Int, reflect.Int64:
		dst.SetInt(dst.Int() + src.Int())
	case reflect.Struct:
		for i := range dst.NumField() {
			if err := sumInts(dst.Field(i), src.Field(i)); err != nil {
				return fmt.Errorf("%s: %w", dst.Type().Field(i).Name, err)
			}
		}
	case reflect.Map:
		if dst.IsNil() && src.Len() > 0 {
			dst.Set(reflect.MakeMap(dst.Type()))
		}
		for _, k := range src.MapKeys() {
			cur := reflect.New(dst.Type().Elem()).Elem()
			if v := dst.MapIndex(k); v.IsValid() {
				cur.Set(v)
			}
			if err := sumInts(cur, src.MapIndex(k)); err != nil {
				return err
			}
			dst.SetMapIndex(k, cur)
		}
	case reflect.Pointer:
		switch {
		case src.IsNil():
		case dst.IsNil():
			dst.Set(src)
		default:
			return sumInts(dst.Elem(), src.Elem())
		}
	default:
		if !reflect.DeepEqual(dst.Interface(), src.Interface()) {
			return fmt.Errorf("%v and %v differ", dst.Interface(), src.Interface())
		}
	}
	return nil
}

func mergeSARIF(w io.Writer, parts []Part) (Merged, error) {
	logs := make([]sarifLog, len(parts))
	shards := make([]*Shard, len(parts))
	for i, p := range parts {
		if err := decodeStrict(p, &logs[i]); err != nil {
			return Merged{}, err
		}
		if len(logs[i].Runs) != 1 || logs[i].Version != "2.1.0" {
			return Merged{}, &MergeError{p.Name + " is not one SARIF 2.1.0 run of nolegacyruns", "merge the reports that --format sarif wrote"}
		}
		run := &logs[i].Runs[0]
		for _, r := range run.Results {
			if len(r.Locations) != 1 {
				return Merged{}, &MergeError{p.Name + ": a result without its one location is not nolegacyruns'", "merge the reports that --format sarif wrote"}
			}
		}
		for _, in := range run.Invocations {
			for _, nt := range in.ToolExecutionNotifications {
				if len(nt.Locations) != 1 {
					return Merged{}, &MergeError{p.Name + ": a notification without its one location is not nolegacyruns'", "merge the reports that --format sarif wrote"}
				}
			}
		}
		if run.Properties != nil {
			shards[i] = run.Properties.Shard
		}
		if i > 0 && !reflect.DeepEqual(run.Tool, logs[0].Runs[0].Tool) {
			return Merged{}, differentRules(parts[0], p)
		}
	}
	n, err := checkShards(parts, shards)
	if err != nil {
		return Merged{}, err
	}
	own := owners{parts: parts}
	for i := range logs {
		for _, r := range logs[i].Runs[0].Results {
			if err := own.add(i, uriKey(r.Locations[0].PhysicalLocation.ArtifactLocation.URI)); err != nil {
				return Merged{}, err
			}
		}
		for _, in := range logs[i].Runs[0].Invocations {
			for _, nt := range in.ToolExecutionNotifications {
				if err := own.add(i, uriKey(nt.Locations[0].PhysicalLocation.ArtifactLocation.URI)); err != nil {
					return Merged{}, err
				}
			}
		}
	}
	out := logs[0]
	run := out.Runs[0]
	run.Properties = nil
	var results []sarifResult
	inv := sarifInvocation{ExecutionSuccessful: true}
	for i := range logs {
		r := logs[i].Runs[0]
		results = append(results, r.Results...)
		for _, in := range r.Invocations {
			inv.ExecutionSuccessful = inv.ExecutionSuccessful && in.ExecutionSuccessful
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, in.ToolExecutionNotifications...)
		}
		if p := r.Properties; p != nil {
			// Properties other than the shard are counts: summed.
			p.Shard = nil
			if run.Properties == nil {
				run.Properties = &sarifRunProps{}
			}
			if err := sumInts(reflect.ValueOf(run.Properties).Elem(), reflect.ValueOf(*p)); err != nil {
				return Merged{}, &MergeError{fmt.Sprintf("%s: properties: %v", parts[i].Name, err), "merge the shards of one run"}
			}
		}
	}
	if run.Properties != nil && reflect.ValueOf(*run.Properties).IsZero() {
		run.Properties = nil
	}
	sortByPath(results, func(r sarifResult) string { return uriKey(r.Locations[0].PhysicalLocation.ArtifactLocation.URI) })
	sortByPath(inv.ToolExecutionNotifications, func(n sarifNotification) string {
		return uriKey(n.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	})
	run.Invocations = []sarifInvocation{inv}
	run.Results = []sarifResult{}
	out.Runs = []sarifRun{run}

	m := Merged{Format: "sarif", Parts: n, FilesScanned: -1}
	files := map[string]bool{}
	for _, r := range results {
		switch {
		case len(r.Suppressions) > 0 && r.Suppressions[0].Kind == "external":
			m.Baselined++
		case len(r.Suppressions) > 0:
			m.Suppressed++
		case r.Level == "warning":
			m.Warnings++
		default:
			m.Errors++
		}
		if len(r.Suppressions) == 0 {
			files[r.Locations[0].PhysicalLocation.ArtifactLocation.URI] = true
		}
	}
	m.Files = len(files)
	for _, nt := range inv.ToolExecutionNotifications {
		m.ReadErrors = append(m.ReadErrors, FileProblem{uriKey(nt.Locations[0].PhysicalLocation.ArtifactLocation.URI), nt.Message.Text})
	}
	return m, writeJSON(w, out, jsonArray{"results", seqOf(results)})
}
