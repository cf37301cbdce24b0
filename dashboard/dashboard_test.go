package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/metrics"
	"github.com/vig-bot/vig/store/sqlite"
	"github.com/vig-bot/vig/supervisor"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fixture struct {
	srv   *httptest.Server
	snaps *Snapshots
	clk   *clock.Fake
	reg   *prometheus.Registry
	drain *atomic.Bool
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{snaps: &Snapshots{}, clk: clock.NewFake(t0), reg: metrics.NewRegistry(vig.Build()), drain: &atomic.Bool{}}
	h := NewServer(quiet(), f.snaps, f.reg, f.clk, f.drain, Options{BotStaleAfter: 30 * time.Second, SnapshotInterval: 2 * time.Second,
		MaxBodyBytes: 1024, Database: "sqlite test.db", PaperMode: true})
	f.srv = httptest.NewServer(h) // a real server on loopback
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) get(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func botRow(state vig.ServiceState, beat time.Time, activity string) vig.Heartbeat {
	return vig.Heartbeat{Service: "bot", Instance: "h/1", State: state, Activity: activity, Since: t0.Add(-time.Hour), BeatAt: beat, Version: "v1"}
}

func TestBotStatus(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name      string
		snap      *Snapshot
		advance   time.Duration
		want      string
		wantStale bool
	}{
		{"no snapshot yet", nil, 0, "unknown", false},
		{"no heartbeat row", &Snapshot{AttemptAt: t0, TakenAt: t0}, 0, "unknown", false},
		{"fresh", &Snapshot{AttemptAt: t0, TakenAt: t0, Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0.Add(-3*time.Second), "idle")}}, 0, "running", false},
		{"starting", &Snapshot{AttemptAt: t0, TakenAt: t0, Heartbeats: []vig.Heartbeat{botRow(vig.StateStarting, t0, "waiting for database")}}, 0, "starting", false},
		{"stale", &Snapshot{AttemptAt: t0, TakenAt: t0, Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0.Add(-31*time.Second), "idle")}}, 0, "offline", true},
		{"stopped", &Snapshot{AttemptAt: t0, TakenAt: t0, Heartbeats: []vig.Heartbeat{botRow(vig.StateStopped, t0.Add(-time.Hour), "stopped by signal")}}, 0, "stopped", false},
		{"failed", &Snapshot{AttemptAt: t0, TakenAt: t0, Heartbeats: []vig.Heartbeat{botRow(vig.StateFailed, t0, "failed: x")}}, 0, "error", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.snap != nil {
				f.snaps.Store(tc.snap)
			}
			code, hdr, body := f.get(t, "/api/bot-status")
			if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Fatalf("code %d type %q", code, hdr.Get("Content-Type"))
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatal(err)
			}
			if got := v["status"]; got != tc.want {
				t.Errorf("status = %v, want %s (%s)", got, tc.want, body)
			}
			if got := v["stale"]; got != tc.wantStale {
				t.Errorf("stale = %v, want %v", got, tc.wantStale)
			}
			for _, k := range []string{"status", "activity", "last_scan", "updated_at", "last_window"} {
				if _, ok := v[k]; !ok {
					t.Errorf("ancestor field %q missing", k)
				}
			}
		})
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t)
	check := func(wantCode int, wantStatus string) map[string]any {
		t.Helper()
		code, hdr, body := f.get(t, "/api/health")
		if code != wantCode {
			t.Errorf("code = %d, want %d: %s", code, wantCode, body)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/health+json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if v["status"] != wantStatus {
			t.Errorf("status = %v, want %s: %s", v["status"], wantStatus, body)
		}
		return v
	}
	// Before the first refresh: warn, still 200.
	check(200, "warn")
	// Healthy database and bot.
	f.snaps.Store(&Snapshot{AttemptAt: t0, TakenAt: t0, SchemaApplied: 1, SchemaKnown: 1, DBLatency: 1500 * time.Microsecond,
		Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0.Add(-time.Second), "idle")}})
	v := check(200, "pass")
	checks := v["checks"].(map[string]any)
	for _, k := range []string{"database:responseTime", "bot:heartbeatAge", "snapshot:age"} {
		if _, ok := checks[k]; !ok {
			t.Errorf("check %s missing", k)
		}
	}
	// A dead bot never fails the dashboard: warn, 200.
	f.clk.Advance(time.Minute)
	f.snaps.Store(&Snapshot{AttemptAt: f.clk.Now(), TakenAt: f.clk.Now(), SchemaApplied: 1, SchemaKnown: 1,
		Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0, "idle")}})
	check(200, "warn")
	// Database down: stale snapshot, warn, 200.
	s := *f.snaps.Load()
	s.Err = "connection refused"
	f.snaps.Store(&s)
	check(200, "warn")
	// The refresher stopped: fail, 503.
	f.clk.Advance(5 * time.Minute)
	check(503, "fail")
	// Draining: fail, 503.
	f.snaps.Store(&Snapshot{AttemptAt: f.clk.Now(), TakenAt: f.clk.Now(), SchemaApplied: 1, SchemaKnown: 1})
	f.drain.Store(true)
	check(503, "fail")
}

func TestBadRequestsGetJSONErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		method, path string
		body         string
		want         int
	}{
		{"GET", "/api/events?limit=abc", "", 400},
		{"GET", "/api/events?limit=0", "", 400},
		{"GET", "/api/nope", "", 404},
		{"POST", "/api/bot-status", "{}", 405},
		{"POST", "/api/health", strings.Repeat("x", 5000), 413},
	} {
		req, _ := http.NewRequest(tc.method, f.srv.URL+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
		var e struct{ Error string }
		if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
			t.Errorf("%s %s: body %q is not a JSON error", tc.method, tc.path, b)
		}
	}
	code, _, body := f.get(t, "/api/events?limit=5")
	if code != 200 || !strings.Contains(body, `"events":[]`) {
		t.Errorf("events = %d %s", code, body)
	}
	// Route patterns, not raw paths, label the metrics.
	_, _, metricsText := f.get(t, "/metrics")
	if !strings.Contains(metricsText, `vig_http_requests_total{code="400",method="GET",route="/api/events"} 2`) {
		t.Errorf("route-labelled request counter missing:\n%s", grep(metricsText, "vig_http_requests_total"))
	}
	if strings.Contains(metricsText, "/api/nope") {
		t.Error("raw path leaked into a metric label")
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestPanicRecovered(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newHTTPMetrics(reg)
	h := recoverer(quiet(), m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("secret-ish detail") }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), `"error":"internal error"`) || strings.Contains(string(b), "secret-ish") {
		t.Errorf("got %d %s", resp.StatusCode, b)
	}
	if got := testutil.ToFloat64(m.panics); got != 1 {
		t.Errorf("panics = %v, want 1", got)
	}
}

func TestPageEscapesText(t *testing.T) {
	f := newFixture(t)
	f.snaps.Store(&Snapshot{AttemptAt: t0, TakenAt: t0, SchemaApplied: 1, SchemaKnown: 1,
		Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0, `<script>alert(1)</script>`),
			{Service: "bot/core/heartbeat", State: vig.StateRunning, Since: t0, BeatAt: t0}},
		Intent: vig.Intent{State: vig.IntentPaused, Reason: "manual", SetBy: "alice", SetAt: t0}})
	code, hdr, body := f.get(t, "/")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("page = %d %s", code, hdr.Get("Content-Type"))
	}
	if strings.Contains(body, "<script>alert") {
		t.Error("activity not escaped")
	}
	for _, want := range []string{"bot running", "intent paused", "bot/core/heartbeat", "by alice", "&lt;script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if hdr.Get("Content-Security-Policy") == "" || hdr.Get("X-Frame-Options") != "DENY" {
		t.Error("security headers missing")
	}
}

// failing wraps a real store and fails while down.
type failing struct {
	vig.Store
	down atomic.Bool
}

func (f *failing) Ping(ctx context.Context) error {
	if f.down.Load() {
		return errors.New("connection refused")
	}
	return f.Store.Ping(ctx)
}

func TestRefresherKeepsLastSnapshot(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "vig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertHeartbeats(ctx, []vig.Heartbeat{botRow(vig.StateRunning, t0, "idle")}); err != nil {
		t.Fatal(err)
	}
	st := &failing{Store: s}
	snaps := &Snapshots{}
	r := &refresher{store: st, snaps: snaps, clock: clock.NewFake(t0), interval: time.Second, log: quiet(),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"})}
	if err := r.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if snaps.Load().Stale() || len(snaps.Load().Heartbeats) != 1 {
		t.Fatalf("first snapshot = %+v", snaps.Load())
	}
	st.down.Store(true)
	if err := r.refresh(ctx); err == nil {
		t.Fatal("refresh with the database down succeeded")
	}
	got := snaps.Load()
	if !got.Stale() || len(got.Heartbeats) != 1 || !strings.Contains(got.Err, "connection refused") {
		t.Errorf("stale snapshot = %+v, want old data kept and marked stale", got)
	}
	st.down.Store(false)
	if err := r.refresh(ctx); err != nil || snaps.Load().Stale() {
		t.Errorf("recovery: err %v stale %v", err, snaps.Load().Stale())
	}
}

func TestMetricsLint(t *testing.T) {
	f := newFixture(t)
	f.get(t, "/api/health")
	problems, err := testutil.GatherAndLint(f.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestHealthReportsOwnServices(t *testing.T) {
	snaps := &Snapshots{}
	snaps.Store(&Snapshot{AttemptAt: t0, TakenAt: t0, SchemaApplied: 1, SchemaKnown: 1,
		Heartbeats: []vig.Heartbeat{botRow(vig.StateRunning, t0, "idle")}})
	state := vig.StateRunning
	services := func() []supervisor.ServiceStatus {
		return []supervisor.ServiceStatus{{Tree: "dashboard", Area: "data", Name: "snapshot", State: state, Restarts: 2, LastError: "boom"}}
	}
	h := NewServer(quiet(), snaps, metrics.NewRegistry(vig.Build()), clock.NewFake(t0), &atomic.Bool{},
		Options{BotStaleAfter: 30 * time.Second, SnapshotInterval: time.Second, MaxBodyBytes: 1024, Services: services})
	get := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
		if rec.Code != 200 {
			t.Fatalf("code %d", rec.Code)
		}
		return rec.Body.String()
	}
	if body := get(); !strings.Contains(body, `"status":"pass"`) || !strings.Contains(body, `"dashboard:restarts"`) {
		t.Errorf("running services: %s", body)
	}
	state = vig.StateBackoff
	if body := get(); !strings.Contains(body, `"status":"warn"`) || !strings.Contains(body, "data/snapshot backoff: boom") {
		t.Errorf("backoff service: %s", body)
	}
}
