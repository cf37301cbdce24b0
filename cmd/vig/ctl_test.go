package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig"
)

func TestCtlPauseAndRestart(t *testing.T) {
	dir := t.TempDir()
	ops := freePort(t)
	env := botEnv(t, dir, ops)
	p := startVig(t, env, "bot")
	base := fmt.Sprintf("http://127.0.0.1:%d", ops)
	eventually(t, 20*time.Second, "bot ready", func() bool { code, _, _ := httpGet(base + "/readyz"); return code == 200 })

	ctlEnv := map[string]string{"VIG_DB_PATH": env["VIG_DB_PATH"]}
	none := filepath.Join(dir, "none")
	code, stdout, stderr := runInProcess(t, ctlEnv, "ctl", "-env-file", none, "-reason", "checking fills", "-by", "alice", "pause")
	if code != 0 || !strings.Contains(stdout, "acknowledged by the bot: ok: intent paused") {
		t.Fatalf("ctl pause = %d\n%s\n%s", code, stdout, stderr)
	}
	eventually(t, 10*time.Second, "paused activity in the heartbeat", func() bool {
		return strings.Contains(heartbeats(t, env["VIG_DB_PATH"])["bot"].Activity, "paused by alice")
	})
	code, stdout, stderr = runInProcess(t, ctlEnv, "ctl", "-env-file", none, "-by", "bob", "restart")
	if code != 0 || !strings.Contains(stdout, "ok: restarting") {
		t.Fatalf("ctl restart = %d\n%s\n%s", code, stdout, stderr)
	}
	if code := p.wait(t, 10*time.Second); code != vig.ExitRestartRequested {
		t.Fatalf("bot exit code = %d, want %d", code, vig.ExitRestartRequested)
	}
	if hb := heartbeats(t, env["VIG_DB_PATH"])["bot"]; hb.State != vig.StateStopped || !strings.Contains(hb.Activity, "operator request") {
		t.Errorf("bot row after restart = %+v", hb)
	}
}

func TestCtlBadUsage(t *testing.T) {
	for _, args := range [][]string{{"ctl"}, {"ctl", "explode"}, {"ctl", "pause", "resume"}} {
		if code, _, stderr := runInProcess(t, nil, args...); code != 2 || !strings.Contains(stderr, "pause") {
			t.Errorf("vig %v = %d %q, want 2", args, code, stderr)
		}
	}
	// A database that was never migrated: clear error, no command queued.
	dir := t.TempDir()
	code, _, stderr := runInProcess(t, map[string]string{"VIG_DB_PATH": filepath.Join(dir, "vig.db")}, "ctl", "-env-file", filepath.Join(dir, "none"), "pause")
	if code != 1 || !strings.Contains(stderr, "vig migrate") {
		t.Errorf("ctl on an empty database = %d %q", code, stderr)
	}
}

func TestServeUntilDone(t *testing.T) {
	// A service that ignores cancellation hits the deadline.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stuck := func(ctx context.Context) error { select {} }
	if err := serveUntilDone(ctx, nil, 50*time.Millisecond, stuck); !errors.Is(err, errShutdownDeadline) {
		t.Errorf("stuck service: %v, want errShutdownDeadline", err)
	}
	// A second signal stops waiting at once.
	force := make(chan struct{})
	close(force)
	if err := serveUntilDone(ctx, force, time.Hour, stuck); !errors.Is(err, errForced) {
		t.Errorf("forced: %v, want errForced", err)
	}
	// A well-behaved service returns its own result.
	ok := func(ctx context.Context) error { <-ctx.Done(); return nil }
	if err := serveUntilDone(ctx, nil, time.Second, ok); err != nil {
		t.Errorf("clean stop: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	log := newLogger(&syncBuffer{}, defaultCommon(t), "test")
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fmt.Errorf("x: %w", vig.ErrRestartRequested), 3},
		{fmt.Errorf("x: %w", vig.ErrEscalated), 1},
		{errShutdownDeadline, 1},
		{errors.New("listen: address in use"), 1},
	} {
		if got := exitCode(log, tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
