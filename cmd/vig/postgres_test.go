package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vig-bot/vig/store/postgres"
)

// freshPostgres creates a throwaway database on the test cluster started by
// scripts/test.sh and returns its URL.
func freshPostgres(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("VIG_TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("VIG_REQUIRE_POSTGRES") == "1" {
			t.Fatal("VIG_REQUIRE_POSTGRES=1 but VIG_TEST_DATABASE_URL is unset")
		}
		t.Skip("VIG_TEST_DATABASE_URL unset: skipping the PostgreSQL end-to-end test (run via make test)")
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, admin, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "vige2e_" + hex.EncodeToString(b)
	if _, err := st.Pool().Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st, err := postgres.Open(ctx, admin, postgres.Options{})
		if err != nil {
			return
		}
		defer st.Close()
		st.Pool().Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// The real binary on a real PostgreSQL: vig migrate, then the bot and the
// dashboard as two processes sharing it.
func TestBotAndDashboardOnPostgres(t *testing.T) {
	dbURL := freshPostgres(t)
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	code, stdout, stderr := runInProcess(t, map[string]string{"DATABASE_URL": dbURL}, "migrate", "-env-file", none)
	if code != 0 || !strings.Contains(stdout, "schema version 1") {
		t.Fatalf("migrate = %d\n%s\n%s", code, stdout, stderr)
	}
	ops := freePort(t)
	env := botEnv(t, dir, ops)
	env["DATABASE_URL"] = dbURL
	bot := startVig(t, env, "bot")
	web := freePort(t)
	dash := startVig(t, map[string]string{"DATABASE_URL": dbURL, "PORT": strconv.Itoa(web), "VIG_SNAPSHOT_INTERVAL": "100ms"}, "dashboard")
	base := fmt.Sprintf("http://127.0.0.1:%d", web)
	eventually(t, 30*time.Second, "bot running on the dashboard", func() bool {
		_, body, err := httpGet(base + "/api/bot-status")
		var v map[string]any
		return err == nil && json.Unmarshal([]byte(body), &v) == nil && v["status"] == "running"
	})
	code, body, _ := httpGet(base + "/api/health")
	if code != 200 || !strings.Contains(body, `"status":"pass"`) {
		t.Errorf("health = %d %s", code, body)
	}
	if !strings.Contains(body, "postgres ") || strings.Contains(body, "password") {
		t.Errorf("health description should name the database without credentials: %s", body)
	}
	for _, p := range []*proc{bot, dash} {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range []*proc{bot, dash} {
		if code := p.wait(t, 15*time.Second); code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
	}
}
