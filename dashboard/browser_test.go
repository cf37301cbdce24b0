package dashboard

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/metrics"
)

// chromium returns the headless browser for UI tests: VIG_CHROMIUM (set by
// scripts/test.sh), else chromium on PATH. With VIG_REQUIRE_CHROMIUM=1 a
// missing browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIG_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("VIG_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("VIG_REQUIRE_CHROMIUM=1 but no chromium found (apt-get install chromium)")
	}
	t.Skip("chromium not installed: skipping the browser test")
	return ""
}

// runChromium runs headless Chromium with the flags this sandbox needs (no
// background networking: the machine has no internet).
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir()}
	out, err := exec.CommandContext(ctx, bin, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return string(out)
}

// TestPageInChromium loads the status page in a real browser and checks
// what a person would see: the bot's state, its intent, each subservice and
// third-party text rendered as text, not markup.
func TestPageInChromium(t *testing.T) {
	bin := chromium(t)
	now := time.Now().UTC()
	snaps := &Snapshots{}
	snaps.Store(&Snapshot{AttemptAt: now, TakenAt: now, SchemaApplied: 1, SchemaKnown: 1,
		Heartbeats: []vig.Heartbeat{
			{Service: "bot", Instance: "host/42", State: vig.StateRunning, Activity: `scanning <img src=x onerror="document.title='pwned'">`, Since: now.Add(-time.Hour), BeatAt: now.Add(-2 * time.Second), Version: "v1"},
			{Service: "bot/core/heartbeat", State: vig.StateRunning, Since: now.Add(-time.Hour), BeatAt: now},
			{Service: "bot/trading/engine", State: vig.StateBackoff, Restarts: 7, LastError: "panic: nil map", Since: now, BeatAt: now},
		},
		Intent: vig.Intent{State: vig.IntentPaused, Reason: "manual check", SetBy: "alice", SetAt: now},
		Events: []vig.SupervisorEvent{{ID: 1, At: now, Tree: "bot", Supervisor: "trading", Service: "engine", Kind: "panic", Message: "panic: nil map"}},
	})
	h := NewServer(quiet(), snaps, metrics.NewRegistry(vig.Build()), clock.Real{}, &atomic.Bool{},
		Options{BotStaleAfter: 30 * time.Second, SnapshotInterval: 2 * time.Second, MaxBodyBytes: 1 << 20, Database: "sqlite ./data/vig.db", PaperMode: true})
	srv := httptest.NewServer(h)
	defer srv.Close()

	dom := runChromium(t, bin, "--dump-dom", srv.URL+"/")
	for _, want := range []string{
		`id="bot-status" class="badge running">bot running`,
		`id="intent" class="badge paused">intent paused`,
		"bot/trading/engine", "backoff", "panic: nil map", "manual check", "paper mode",
		"scanning &lt;img src=x", // shown as text
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<title>pwned") || strings.Contains(dom, "<img src=\"x\"") {
		t.Error("third-party text was rendered as markup")
	}

	shot := filepath.Join(t.TempDir(), "page.png")
	if dir := os.Getenv("VIG_SCREENSHOT_DIR"); dir != "" {
		shot = filepath.Join(dir, "dashboard.png")
	}
	runChromium(t, bin, "--window-size=1200,800", "--screenshot="+shot, srv.URL+"/")
	if st, err := os.Stat(shot); err != nil || st.Size() < 5000 {
		t.Errorf("screenshot %s missing or empty: %v", shot, err)
	}
}
