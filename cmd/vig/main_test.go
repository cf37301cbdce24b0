package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/store/sqlite"
)

// vigBin is the real binary, built once, so tests can signal and kill it.
var vigBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigbin")
	if err != nil {
		panic(err)
	}
	vigBin = filepath.Join(dir, "vig")
	out, err := exec.Command("go", "build", "-race", "-o", vigBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build vig: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a goroutine-safe output sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runInProcess(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"vig"}, args...), func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		want       int
		wantStderr string
		wantStdout string
	}{
		{nil, 2, "Usage:", ""},
		{[]string{"fly"}, 2, `unknown command "fly"`, ""},
		{[]string{"bot", "-nope"}, 2, "flag provided but not defined", ""},
		{[]string{"dashboard", "extra"}, 2, "unexpected argument", ""},
		{[]string{"bot", "-h"}, 0, "Usage: vig bot", ""},
		{[]string{"dev", "-h"}, 0, "Usage: vig dev", ""},
		{[]string{"help"}, 0, "", "vig dashboard"},
		{[]string{"help", "env"}, 0, "", "DATABASE_URL"},
		{[]string{"help", "nope"}, 2, "unknown topic", ""},
		{[]string{"version"}, 0, "", "vig "},
		{[]string{"dev", "-f", "/nonexistent/Procfile"}, 2, "no such file", ""},
	} {
		code, stdout, stderr := runInProcess(t, nil, tc.args...)
		if code != tc.want || !strings.Contains(stderr, tc.wantStderr) || !strings.Contains(stdout, tc.wantStdout) {
			t.Errorf("vig %v = %d\nstdout: %s\nstderr: %s\nwant %d, stderr ~ %q, stdout ~ %q", tc.args, code, stdout, stderr, tc.want, tc.wantStderr, tc.wantStdout)
		}
	}
}

func TestBadConfigExits2WithoutSecrets(t *testing.T) {
	const canary = "pw-CANARY-91ab"
	for _, tc := range []struct {
		env     map[string]string
		mention string
	}{
		{map[string]string{"DATABASE_URL": "not-a-url"}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "postgres://vig:" + canary + "@db:notaport/vig"}, "DATABASE_URL"},
		{map[string]string{"PAPER_MODE": "false", "POLYGON_PRIVATE_KEY": canary}, "POLYGON_PRIVATE_KEY"},
		{map[string]string{"RESIDENTIAL_PROXY_URL": "ftp://u:" + canary + "@p"}, "RESIDENTIAL_PROXY_URL"},
		{map[string]string{"PORT": "eighty"}, "PORT"},
	} {
		for _, cmd := range []string{"bot", "dashboard"} {
			if tc.mention == "PORT" && cmd == "bot" || strings.HasPrefix(tc.mention, "POLYGON") && cmd == "dashboard" ||
				strings.HasPrefix(tc.mention, "RESIDENTIAL") && cmd == "dashboard" {
				continue // that service does not read the variable (and would start for real)
			}
			code, stdout, stderr := runInProcess(t, tc.env, cmd, "-env-file", filepath.Join(t.TempDir(), "none"))
			if code != 2 || !strings.Contains(stderr, tc.mention) {
				t.Errorf("vig %s with %v = %d, stderr %q; want 2 naming %s", cmd, tc.env, code, stderr, tc.mention)
			}
			if strings.Contains(stdout+stderr, canary) {
				t.Errorf("vig %s echoed a secret: %s", cmd, stdout+stderr)
			}
		}
	}
}

// proc is a running vig binary.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	code   int
}

func startVig(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(vigBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LOG_FORMAT=json"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = t.TempDir()
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("vig %v stdout:\n%s\nstderr:\n%s", args, p.stdout, p.stderr)
		}
	})
	return p
}

func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		t.Fatalf("vig did not exit within %s", timeout)
		return -1
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(url string) (int, string, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func heartbeats(t *testing.T, dbPath string) map[string]vig.Heartbeat {
	t.Helper()
	s, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hbs, err := s.Heartbeats(context.Background())
	if err != nil {
		return nil
	}
	m := map[string]vig.Heartbeat{}
	for _, h := range hbs {
		m[h.Service] = h
	}
	return m
}

func botEnv(t *testing.T, dir string, opsPort int) map[string]string {
	return map[string]string{
		"VIG_DB_PATH":            filepath.Join(dir, "vig.db"),
		"VIG_STATUS_FILE":        filepath.Join(dir, "status.json"),
		"VIG_BOT_METRICS_ADDR":   "127.0.0.1:" + strconv.Itoa(opsPort),
		"VIG_HEARTBEAT_INTERVAL": "200ms",
		"VIG_SHUTDOWN_TIMEOUT":   "5s",
	}
}

// kill -TERM of `vig bot` exits 0 within the deadline and its heartbeat
// row says stopped.
func TestBotSIGTERM(t *testing.T) {
	dir := t.TempDir()
	ops := freePort(t)
	p := startVig(t, botEnv(t, dir, ops), "bot")
	base := fmt.Sprintf("http://127.0.0.1:%d", ops)
	eventually(t, 20*time.Second, "bot ready", func() bool { code, _, _ := httpGet(base + "/readyz"); return code == 200 })
	eventually(t, 10*time.Second, "heartbeat row", func() bool { return heartbeats(t, filepath.Join(dir, "vig.db"))["bot"].State == vig.StateRunning })
	checkPromtool(t, base+"/metrics")

	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s, beyond the 5s deadline", d)
	}
	hb := heartbeats(t, filepath.Join(dir, "vig.db"))
	if hb["bot"].State != vig.StateStopped {
		t.Errorf("bot row after SIGTERM = %+v, want stopped", hb["bot"])
	}
	if hb["bot/core/heartbeat"].State != vig.StateStopped {
		t.Errorf("heartbeat service row = %+v, want stopped", hb["bot/core/heartbeat"])
	}
}

// A subservice that keeps panicking: the process exits 1 past the policy.
func TestBotEscalationExits1(t *testing.T) {
	dir := t.TempDir()
	env := botEnv(t, dir, freePort(t))
	env["VIG_FAULT_INJECT"] = "trading:panic:20ms"
	env["VIG_ESCALATE_MAX_RESTARTS"] = "3"
	p := startVig(t, env, "bot")
	if code := p.wait(t, 30*time.Second); code != 1 {
		t.Fatalf("exit code = %d, want 1", code)
	}
	if out := p.stdout.String(); !strings.Contains(out, "supervision escalated") {
		t.Errorf("no escalation log line:\n%s", out)
	}
	if hb := heartbeats(t, filepath.Join(dir, "vig.db")); hb["bot"].State != vig.StateFailed {
		t.Errorf("bot row = %+v, want failed", hb["bot"])
	}
}

// The database is down at start: the bot keeps retrying (it does not exit
// 2 or 1), is alive but not ready, and still stops cleanly.
func TestBotWaitsForDatabase(t *testing.T) {
	dir := t.TempDir()
	ops := freePort(t)
	env := botEnv(t, dir, ops)
	env["DATABASE_URL"] = fmt.Sprintf("postgres://vig:pw@127.0.0.1:%d/vig?sslmode=disable&connect_timeout=1", freePort(t))
	p := startVig(t, env, "bot")
	base := fmt.Sprintf("http://127.0.0.1:%d", ops)
	eventually(t, 20*time.Second, "ops listener", func() bool { code, _, _ := httpGet(base + "/livez"); return code == 200 })
	eventually(t, 20*time.Second, "a retry log line", func() bool { return strings.Contains(p.stdout.String(), "database unavailable, retrying") })
	if code, _, _ := httpGet(base + "/readyz"); code != 503 {
		t.Errorf("/readyz = %d, want 503 while the database is down", code)
	}
	select {
	case <-p.done:
		t.Fatalf("bot exited with %d while waiting for the database", p.code)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
}

func TestDashboardRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vig.db")
	code, _, stderr := runInProcess(t, map[string]string{"VIG_DB_PATH": db}, "migrate", "-env-file", filepath.Join(dir, "none"))
	if code != 0 {
		t.Fatalf("migrate = %d: %s", code, stderr)
	}
	raw, err := sql.Open("sqlite", db) // driver registered by store/sqlite
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00.000000Z')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	p := startVig(t, map[string]string{"VIG_DB_PATH": db, "PORT": strconv.Itoa(freePort(t))}, "dashboard")
	if code := p.wait(t, 20*time.Second); code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	if !strings.Contains(p.stderr.String(), "schema version 999 is newer") {
		t.Errorf("stderr lacks a clear message: %s", p.stderr)
	}
}

// checkPromtool runs `promtool check metrics` on a live /metrics page.
func checkPromtool(t *testing.T, url string) {
	t.Helper()
	promtool := os.Getenv("VIG_PROMTOOL")
	if promtool == "" {
		if os.Getenv("VIG_REQUIRE_PROMTOOL") == "1" {
			t.Fatal("VIG_REQUIRE_PROMTOOL=1 but VIG_PROMTOOL is unset")
		}
		t.Log("promtool not available: skipping `promtool check metrics` (run the tests via make test)")
		return
	}
	_, body, err := httpGet(url)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool check metrics %s: %v\n%s", url, err, out)
	}
}

// The acceptance scenario: `vig dev` runs both services; kill -9 of the bot
// while a client polls the dashboard: zero failed requests, the bot goes
// stale, vig dev restarts it, and it is running again.
func TestDevKillBotDashboardStaysUp(t *testing.T) {
	dir := t.TempDir()
	web := freePort(t)
	ops := freePort(t)
	procfile := filepath.Join(dir, "Procfile.test")
	os.WriteFile(procfile, []byte("web: vig dashboard\nworker: vig bot\n"), 0o644)
	env := botEnv(t, dir, ops)
	env["VIG_BOT_STALE_AFTER"] = "1s"
	env["VIG_SNAPSHOT_INTERVAL"] = "100ms"
	p := startVig(t, env, "dev", "-f", procfile, "-p", strconv.Itoa(web), "-e", filepath.Join(dir, "none"))
	base := fmt.Sprintf("http://127.0.0.1:%d", web)

	status := func() map[string]any {
		_, body, err := httpGet(base + "/api/bot-status")
		if err != nil {
			return nil
		}
		var v map[string]any
		json.Unmarshal([]byte(body), &v)
		return v
	}
	eventually(t, 30*time.Second, "bot running on the dashboard", func() bool { v := status(); return v != nil && v["status"] == "running" })
	checkPromtool(t, base+"/metrics")
	first := status()["instance"].(string)
	_, pidText, _ := strings.Cut(first, "/")
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		t.Fatalf("instance %q has no pid", first)
	}

	// Poll continuously while the bot is killed and restarted.
	var failures, requests int
	var mu sync.Mutex
	stopPoll := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stopPoll:
				return
			default:
			}
			for _, path := range []string{"/api/health", "/api/bot-status", "/"} {
				code, _, err := httpGet(base + path)
				mu.Lock()
				requests++
				if err != nil || code != 200 {
					failures++
					t.Logf("GET %s: %d %v", path, code, err)
				}
				mu.Unlock()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 bot: %v", err)
	}
	eventually(t, 15*time.Second, "bot shown offline", func() bool { v := status(); return v != nil && v["status"] == "offline" })
	eventually(t, 30*time.Second, "bot running again with a new pid", func() bool {
		v := status()
		return v != nil && v["status"] == "running" && v["instance"] != first
	})
	close(stopPoll)
	<-polled
	mu.Lock()
	if failures != 0 || requests < 20 {
		t.Errorf("dashboard requests: %d failed of %d, want 0 failed", failures, requests)
	}
	mu.Unlock()

	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("vig dev exit = %d, want 0", code)
	}
	if _, _, err := httpGet(base + "/livez"); err == nil {
		t.Error("dashboard still answering after vig dev stopped")
	}
}

func defaultCommon(t *testing.T) config.Common {
	t.Helper()
	c, err := config.LoadDashboard(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c.Common
}
