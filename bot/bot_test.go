package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/bot"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/metrics"
	"github.com/vig-bot/vig/store/sqlite"
)

// flakyStore wraps a real store and fails every call while down is set, as
// a database outage would.
type flakyStore struct {
	vig.Store
	down atomic.Bool
}

var errDown = errors.New("connection refused (simulated outage)")

func (f *flakyStore) Migrate(ctx context.Context) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.Migrate(ctx)
}

func (f *flakyStore) UpsertHeartbeats(ctx context.Context, hbs []vig.Heartbeat) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.UpsertHeartbeats(ctx, hbs)
}

func (f *flakyStore) PendingCommands(ctx context.Context, limit int) ([]vig.Command, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.PendingCommands(ctx, limit)
}

func (f *flakyStore) Intent(ctx context.Context) (vig.Intent, error) {
	if f.down.Load() {
		return vig.Intent{}, errDown
	}
	return f.Store.Intent(ctx)
}

func (f *flakyStore) AppendEvents(ctx context.Context, evs []vig.SupervisorEvent, keep int) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.AppendEvents(ctx, evs, keep)
}

func openStore(t *testing.T) (*flakyStore, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(filepath.Join(dir, "vig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &flakyStore{Store: s}, dir
}

func testConfig(t *testing.T, dir string, extra map[string]string) config.Bot {
	t.Helper()
	env := map[string]string{
		"VIG_STATUS_FILE":           filepath.Join(dir, "status.json"),
		"VIG_BOT_METRICS_ADDR":      "127.0.0.1:0",
		"VIG_HEARTBEAT_INTERVAL":    "100ms",
		"VIG_COMMAND_POLL_INTERVAL": "50ms",
	}
	for k, v := range extra {
		env[k] = v
	}
	c, err := config.LoadBot(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(t *testing.T, store vig.Store, cfg config.Bot) (*bot.Bot, context.CancelFunc, chan error, func() string) {
	t.Helper()
	reg := metrics.NewRegistry(vig.Build())
	var mu sync.Mutex
	var addr string
	b := bot.New(bot.Deps{Config: cfg, Store: store, Metrics: reg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Instance: "test/1", OpsBound: func(a net.Addr) { mu.Lock(); addr = a.String(); mu.Unlock() }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("bot did not stop")
		}
	})
	opsAddr := func() string {
		eventually(t, "ops listener", func() bool { mu.Lock(); defer mu.Unlock(); return addr != "" })
		mu.Lock()
		defer mu.Unlock()
		return addr
	}
	return b, cancel, done, opsAddr
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func heartbeat(t *testing.T, s vig.Store, service string) (vig.Heartbeat, bool) {
	t.Helper()
	hbs, err := s.Heartbeats(context.Background())
	if err != nil {
		return vig.Heartbeat{}, false
	}
	for _, h := range hbs {
		if h.Service == service {
			return h, true
		}
	}
	return vig.Heartbeat{}, false
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The database is down at start: the bot keeps running, reports it, and
// heartbeats appear once the database comes back; an outage later loses
// nothing written before it.
func TestDatabaseOutage(t *testing.T) {
	store, dir := openStore(t)
	store.down.Store(true)
	cfg := testConfig(t, dir, nil)
	_, cancel, done, opsAddr := start(t, store, cfg)
	ops := "http://" + opsAddr()

	if code, _ := get(t, ops+"/livez"); code != 200 {
		t.Errorf("/livez = %d while database down, want 200", code)
	}
	if code, body := get(t, ops+"/readyz"); code != 503 || !strings.Contains(body, "database") {
		t.Errorf("/readyz = %d %q while database down, want 503", code, body)
	}
	// The status file reports the wait.
	eventually(t, "status file", func() bool {
		b, err := os.ReadFile(cfg.StatusFile)
		return err == nil && strings.Contains(string(b), "waiting for database")
	})

	store.down.Store(false)
	eventually(t, "bot heartbeat", func() bool { h, ok := heartbeat(t, store, "bot"); return ok && h.State == vig.StateRunning })
	if code, _ := get(t, ops+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d after database came back, want 200", code)
	}
	eventually(t, "health pass", func() bool {
		code, body := get(t, ops+"/health")
		return code == 200 && strings.Contains(body, `"status":"pass"`)
	})
	first, _ := heartbeat(t, store, "bot")

	store.down.Store(true)
	time.Sleep(3 * cfg.HeartbeatInterval) // let beats fail during the outage
	_, body := get(t, ops+"/metrics")
	if !strings.Contains(body, "vig_bot_heartbeat_failures_total") || strings.Contains(body, "vig_bot_heartbeat_failures_total 0\n") {
		t.Errorf("heartbeat failures not counted during outage")
	}
	store.down.Store(false)
	eventually(t, "heartbeats resume", func() bool {
		h, ok := heartbeat(t, store, "bot")
		return ok && h.BeatAt.After(first.BeatAt)
	})
	if h, ok := heartbeat(t, store, "bot/core/heartbeat"); !ok || h.State != vig.StateRunning {
		t.Errorf("subservice heartbeat row = %+v, %v", h, ok)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v, want nil on cancel", err)
	}
	done <- nil // for the cleanup
	h, _ := heartbeat(t, store, "bot")
	if h.State != vig.StateStopped {
		t.Errorf("final bot state = %s, want stopped", h.State)
	}
	b, err := os.ReadFile(cfg.StatusFile)
	if err != nil {
		t.Fatal(err)
	}
	var sf struct {
		Status    string    `json:"status"`
		UpdatedAt time.Time `json:"updated_at"`
		Services  []any     `json:"services"`
	}
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatalf("status file is not JSON: %v\n%s", err, b)
	}
	if sf.Status != "stopped" || sf.UpdatedAt.IsZero() || len(sf.Services) == 0 {
		t.Errorf("status file = %+v", sf)
	}
}

func TestCommands(t *testing.T) {
	store, dir := openStore(t)
	if err := store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pause, err := store.EnqueueCommand(ctx, vig.Command{Kind: vig.CommandPause, Args: `{"reason":"checking fills"}`, RequestedBy: "alice", RequestedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, done, _ := start(t, store, testConfig(t, dir, nil))
	eventually(t, "pause applied", func() bool {
		in, err := store.Intent(ctx)
		return err == nil && in.State == vig.IntentPaused
	})
	in, _ := store.Intent(ctx)
	if in.Reason != "checking fills" || in.SetBy != "alice" {
		t.Errorf("intent = %+v", in)
	}
	eventually(t, "pause acked and activity says paused", func() bool {
		cmds, _ := store.Commands(ctx, 10)
		h, _ := heartbeat(t, store, "bot")
		return len(cmds) == 1 && cmds[0].ID == pause.ID && cmds[0].AckedAt != nil && strings.Contains(h.Activity, "paused by alice")
	})

	restart, err := store.EnqueueCommand(ctx, vig.Command{Kind: vig.CommandRestart, RequestedBy: "bob", RequestedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, vig.ErrRestartRequested) {
			t.Fatalf("Serve = %v, want ErrRestartRequested", err)
		}
		done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("bot did not exit on restart command")
	}
	cmds, _ := store.Commands(ctx, 10)
	if cmds[0].ID != restart.ID || cmds[0].AckedAt == nil || cmds[0].Result != "ok: restarting" {
		t.Errorf("restart command = %+v, want acked", cmds[0])
	}
	// The intent survives the restart.
	if in, _ := store.Intent(ctx); in.State != vig.IntentPaused {
		t.Errorf("intent after restart = %s, want paused", in.State)
	}
}

// A subservice that keeps panicking is restarted on its own, visible in the
// metrics and the store, and past the escalation policy the bot gives up.
func TestFaultInjectionEscalates(t *testing.T) {
	store, dir := openStore(t)
	cfg := testConfig(t, dir, map[string]string{
		"VIG_FAULT_INJECT":          "trading:panic:30ms",
		"VIG_ESCALATE_MAX_RESTARTS": "4",
		"VIG_ESCALATE_WINDOW":       "1m",
	})
	_, _, done, opsAddr := start(t, store, cfg)
	ops := "http://" + opsAddr()
	eventually(t, "trading restarts in the store", func() bool {
		h, ok := heartbeat(t, store, "bot/trading/fault-panic")
		return ok && h.Restarts >= 2 && strings.Contains(h.LastError, "panic")
	})
	code, health := get(t, ops+"/health")
	if code != 200 || !strings.Contains(health, `"trading/fault-panic:restarts"`) || !strings.Contains(health, `"status":"warn"`) {
		t.Errorf("/health = %d %s, want 200 warn listing the failing service", code, health)
	}
	_, body := get(t, ops+"/metrics")
	if !strings.Contains(body, `vig_supervisor_panics_total{service="trading/fault-panic",tree="bot"}`) {
		t.Errorf("panics not in /metrics")
	}
	hb, _ := heartbeat(t, store, "bot/core/heartbeat")
	if hb.Restarts != 0 {
		t.Errorf("sibling heartbeat restarted %d times", hb.Restarts)
	}
	select {
	case err := <-done:
		if !errors.Is(err, vig.ErrEscalated) {
			t.Fatalf("Serve = %v, want ErrEscalated", err)
		}
		done <- err
	case <-time.After(30 * time.Second):
		t.Fatal("bot did not escalate")
	}
	h, _ := heartbeat(t, store, "bot")
	if h.State != vig.StateFailed || !strings.Contains(h.Activity, "trading/fault-panic") {
		t.Errorf("final bot row = %+v", h)
	}
	evs, err := store.RecentEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range evs {
		kinds[e.Kind]++
	}
	if kinds["panic"] < 2 || kinds["escalate"] != 1 {
		t.Errorf("stored events by kind = %v, want >= 2 panics and 1 escalate", kinds)
	}
}

func TestOpsMetricsLint(t *testing.T) {
	store, dir := openStore(t)
	reg := metrics.NewRegistry(vig.Build())
	b := bot.New(bot.Deps{Config: testConfig(t, dir, nil), Store: store, Metrics: reg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_ = b
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}
