package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// chromium finds a headless-capable Chromium: in CI (CI=true) its absence
// is a failure, since .ci/run installs it; elsewhere the test is skipped.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium (apt-get install chromium): the --history page is not checked in a browser")
	return ""
}

// headless runs Chromium on a local file with no network and returns its
// standard output.
func headless(t *testing.T, browser string, args ...string) []byte {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--no-first-run", "--mute-audio", "--user-data-dir=" + t.TempDir(),
		// Anything the page asked of the network would fail: it must ask nothing.
		"--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"}
	cmd := exec.Command(browser, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, errb.String())
	}
	return out.Bytes()
}

// probe measures the page as the browser laid it out: the charts and the
// tables that are there, with their sizes, and whether anything is wider
// than the window. It is added to a copy of the page, never to the page.
const probe = `<script>
addEventListener("load", () => {
  const size = e => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const out = {
    charts: [...document.querySelectorAll("figure svg")].map(size),
    paths: document.querySelectorAll("svg path.plot").length,
    events: document.querySelectorAll("svg circle.event").length,
    tables: [...document.querySelectorAll("section table")].map(t => [t.closest("section").id, t.tBodies[0].rows.length, size(t)[0]]),
    overflow: document.documentElement.scrollWidth - innerWidth,
    resources: performance.getEntriesByType("resource").length,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>`

// TestHistoryPageInBrowser renders the example history's page in headless
// Chromium at a laptop's width: every rule has a drawn chart, the three
// tables have rows, nothing is wider than the window, nothing was loaded
// from anywhere; a screenshot shows the chart's line and the events' dots,
// and the page prints. NOLEGACYRUNS_SCREENSHOT=FILE keeps the screenshot.
func TestHistoryPageInBrowser(t *testing.T) {
	if raceEnabled {
		t.Skip("the browser is another process: the race detector has nothing to check")
	}
	browser := chromium(t)
	repo, bin := exampleHistory(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "history.html")
	run(t, bin, repo, "--history", "-q", "--report", "html="+page)
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", "src="} {
		if bytes.Contains(bytes.ToLower(b), []byte(bad)) {
			t.Errorf("the page has %q: it must load nothing", bad)
		}
	}

	probed := filepath.Join(dir, "probe.html")
	os.WriteFile(probed, bytes.Replace(b, []byte("</body>"), []byte(probe+"</body>"), 1), 0o644)
	dom := headless(t, browser, "--window-size=1366,768", "--virtual-time-budget=5000", "--dump-dom", "file://"+probed)
	m := regexp.MustCompile(`<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run; the browser's DOM:\n%.2000s", dom)
	}
	var got struct {
		Charts    [][2]int `json:"charts"`
		Paths     int      `json:"paths"`
		Events    int      `json:"events"`
		Tables    [][3]any `json:"tables"`
		Overflow  int      `json:"overflow"`
		Resources int      `json:"resources"`
	}
	if err := json.Unmarshal(m[1], &got); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	t.Logf("laid out: %s", m[1])
	if len(got.Charts) != 6 || got.Paths != 6 { // all rules, then 3 rules and the 2 built-in ones
		t.Errorf("%d charts with %d plotted lines, want 6 and 6", len(got.Charts), got.Paths)
	}
	for i, c := range got.Charts {
		if c[0] < 250 || c[1] < 80 {
			t.Errorf("chart %d is %dx%d px: too small to read", i, c[0], c[1])
		}
	}
	if got.Events < 6 {
		t.Errorf("%d event dots, want at least 6", got.Events)
	}
	sections := map[string]bool{}
	for _, tb := range got.Tables {
		id, _ := tb[0].(string)
		rows, _ := tb[1].(float64)
		if rows < 1 {
			t.Errorf("table %s has no rows", id)
		}
		sections[id] = true
	}
	for _, id := range []string{"rules", "folders", "events"} {
		if !sections[id] {
			t.Errorf("no %s table", id)
		}
	}
	if got.Overflow > 0 {
		t.Errorf("the page is %d px wider than a 1366 px window", got.Overflow)
	}
	if got.Resources != 0 {
		t.Errorf("the page loaded %d resources", got.Resources)
	}

	shot := filepath.Join(dir, "history.png")
	headless(t, browser, "--window-size=1366,768", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	blue, red := colour(img, 0x09, 0x69, 0xda), colour(img, 0xcf, 0x22, 0x2e)
	t.Logf("screenshot %v: %d px of the plot's blue, %d of the events' red", img.Bounds().Size(), blue, red)
	if blue < 2000 || red < 20 {
		t.Errorf("the screenshot shows %d px of plotted lines and %d of event dots: the charts are not drawn", blue, red)
	}
	if keep := os.Getenv("NOLEGACYRUNS_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(keep, data, 0o644)
	}

	pdf := filepath.Join(dir, "history.pdf")
	headless(t, browser, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)
	if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF")) || bytes.Count(data, []byte("/Type /Page")) < 1 {
		t.Errorf("printing the page gave no PDF pages (%v)", err)
	}
}

// colour counts the pixels of img within a small distance of r, g, b.
func colour(img image.Image, r, g, b uint8) int {
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(pr>>8, r) && near(pg>>8, g) && near(pb>>8, b) {
				n++
			}
		}
	}
	return n
}

func near(a uint32, b uint8) bool {
	d := int(a) - int(b)
	return d > -24 && d < 24
}
