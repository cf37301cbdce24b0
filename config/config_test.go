package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaults(t *testing.T) {
	b, err := config.LoadBot(env(nil))
	if err != nil {
		t.Fatalf("defaults must be valid: %v", err)
	}
	if !b.PaperMode || b.DatabaseURL.IsSet() || b.DBPath != "./data/vig.db" || b.MetricsAddr != ":9091" ||
		b.StatusFile != "/tmp/vig_bot_status.json" || b.HeartbeatInterval != 5*time.Second || b.ShutdownTimeout != 10*time.Second {
		t.Errorf("unexpected bot defaults: %+v", b)
	}
	if got, want := b.MinFavoritePrice, vig.Micros(700_000); got != want {
		t.Errorf("MinFavoritePrice = %v, want %v", got, want)
	}
	if got, want := b.StartingClip, vig.Micros(10_000_000); got != want {
		t.Errorf("StartingClip = %v, want %v", got, want)
	}
	d, err := config.LoadDashboard(env(nil))
	if err != nil {
		t.Fatalf("defaults must be valid: %v", err)
	}
	if got, want := d.Addr(), ":8080"; got != want {
		t.Errorf("Addr = %q, want %q", got, want)
	}
}

func TestAllProblemsReportedTogether(t *testing.T) {
	_, err := config.LoadBot(env(map[string]string{
		"DATABASE_URL":         "not-a-url",
		"PAPER_MODE":           "maybe",
		"LOG_LEVEL":            "loud",
		"MIN_FAVORITE_PRICE":   "0.95",
		"MAX_FAVORITE_PRICE":   "0.90",
		"VIG_BOT_METRICS_ADDR": "9091",
		"SIGNATURE_TYPE":       "7",
		"VIG_SHUTDOWN_TIMEOUT": "soon",
	}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("err = %v, want *config.Error", err)
	}
	text := err.Error()
	for _, name := range []string{"DATABASE_URL", "PAPER_MODE", "LOG_LEVEL", "MAX_FAVORITE_PRICE", "VIG_BOT_METRICS_ADDR", "SIGNATURE_TYPE", "VIG_SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(text, name+":") {
			t.Errorf("error does not name %s:\n%s", name, text)
		}
	}
	if strings.Contains(text, "not-a-url") {
		t.Errorf("error echoes the DATABASE_URL value:\n%s", text)
	}
}

func TestDatabaseURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"postgres://u:p@db:5432/vig", true},
		{"postgresql://u@localhost/vig?sslmode=disable", true},
		{"not-a-url", false},
		{"mysql://u:p@db/vig", false},
		{"postgres:///vig", false},
		{"postgres://u:p@[::1/x", false},
	} {
		_, err := config.LoadDashboard(env(map[string]string{"DATABASE_URL": tc.url}))
		if got := err == nil; got != tc.ok {
			t.Errorf("%q: ok = %v, want %v (%v)", tc.url, got, tc.ok, err)
		}
		if err != nil && !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("%q: error does not name DATABASE_URL: %v", tc.url, err)
		}
	}
}

func TestLiveModeNeedsKey(t *testing.T) {
	_, err := config.LoadBot(env(map[string]string{"PAPER_MODE": "false"}))
	if err == nil || !strings.Contains(err.Error(), "POLYGON_PRIVATE_KEY: required") {
		t.Fatalf("err = %v, want POLYGON_PRIVATE_KEY required", err)
	}
	key := strings.Repeat("ab", 32)
	b, err := config.LoadBot(env(map[string]string{"PAPER_MODE": "false", "POLYGON_PRIVATE_KEY": "0x" + key}))
	if err != nil {
		t.Fatal(err)
	}
	if b.PrivateKey.Reveal() != "0x"+key {
		t.Error("Reveal lost the key")
	}
}

// TestSecretsNeverPrinted sets every secret to a canary value and renders
// the configuration every way a log line, JSON response or error could.
func TestSecretsNeverPrinted(t *testing.T) {
	const canary = "CANARY7f3a9"
	keyCanary := "0x" + strings.Repeat("c", 54) + "ca7a7f3a90"
	vals := map[string]string{
		"DATABASE_URL":              "postgres://vig:" + canary + "@db.internal:5432/vig",
		"POLYGON_PRIVATE_KEY":       keyCanary,
		"RESIDENTIAL_PROXY_URL":     "http://user:" + canary + "@proxy:8000",
		"PAPER_MODE":                "false",
		"POLYMARKET_API_KEY":        "key-" + canary,
		"POLYMARKET_API_SECRET":     "secret-" + canary,
		"POLYMARKET_API_PASSPHRASE": "pass-" + canary,
	}
	b, err := config.LoadBot(env(vals))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%v %+v %#v %s %q\n", b, b, b, b.PrivateKey, b.DatabaseURL)
	j, _ := json.Marshal(b)
	buf.Write(j)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "cfg", b, "key", b.PrivateKey, "db", b.DatabaseURL)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "cfg", b, "proxy", b.ResidentialProxyURL)
	buf.WriteString(b.DatabaseLabel())
	buf.WriteString(config.RedactURL(vals["RESIDENTIAL_PROXY_URL"]))
	// Invalid secrets must not be echoed in errors either.
	_, err = config.LoadBot(env(map[string]string{"POLYGON_PRIVATE_KEY": canary, "RESIDENTIAL_PROXY_URL": "ftp://" + canary, "DATABASE_URL": "mysql://" + canary}))
	if err == nil {
		t.Fatal("invalid secrets accepted")
	}
	buf.WriteString(err.Error())
	out := buf.String()
	for _, s := range []string{canary, "ca7a7f3a90"} {
		if strings.Contains(out, s) {
			t.Fatalf("secret %q leaked in:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "[redacted]") || !strings.Contains(out, "db.internal") {
		t.Errorf("expected redacted forms and the database host in output:\n%s", out)
	}
}

func TestParseMicros(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want vig.Micros
		ok   bool
	}{
		{"0.70", 700_000, true},
		{"10", 10_000_000, true},
		{"10.", 10_000_000, true},
		{".5", 500_000, true},
		{"-1.5", -1_500_000, true},
		{"0.000001", 1, true},
		{"0.0000001", 0, false},
		{"1e3", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"1.2.3", 0, false},
		{"abc", 0, false},
		{"9999999999999", 0, false},
	} {
		got, err := vig.ParseMicros(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMicros(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestDotEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	content := "# comment\n\nexport PAPER_MODE=false\nLOG_LEVEL=\"debug\"\nPORT=9000 # trailing\nQ='a # b'\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	vals, err := config.LoadDotEnv(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"PAPER_MODE": "false", "LOG_LEVEL": "debug", "PORT": "9000", "Q": "a # b"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	get := config.Overlay(env(map[string]string{"PORT": "7000"}), vals)
	if got := get("PORT"); got != "7000" {
		t.Errorf("real env must win: PORT = %q", got)
	}
	if got := get("LOG_LEVEL"); got != "debug" {
		t.Errorf(".env fallback: LOG_LEVEL = %q", got)
	}
	if m, err := config.LoadDotEnv(filepath.Join(t.TempDir(), "missing")); err != nil || len(m) != 0 {
		t.Errorf("missing file: %v %v", m, err)
	}
	bad := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(bad, []byte("SECRET_THING\n"), 0o600)
	if _, err := config.LoadDotEnv(bad); err == nil || strings.Contains(err.Error(), "SECRET_THING") {
		t.Errorf("bad line: err = %v (must fail without echoing the line)", err)
	}
}

func TestVenue(t *testing.T) {
	b, err := config.LoadBot(env(map[string]string{"POLYMARKET_CLOB_URL": "http://127.0.0.1:8090/clob/"}))
	if err != nil {
		t.Fatal(err)
	}
	if b.ClobURL != "http://127.0.0.1:8090/clob" || b.GammaURL != "https://gamma-api.polymarket.com" || b.ChainID != 137 {
		t.Errorf("venue = %+v", b.Venue)
	}
	_, err = config.LoadBot(env(map[string]string{"POLYMARKET_GAMMA_URL": "ftp://x", "POLYMARKET_CHAIN_ID": "1", "POLYMARKET_API_KEY": "k"}))
	for _, name := range []string{"POLYMARKET_GAMMA_URL", "POLYMARKET_CHAIN_ID", "POLYMARKET_API_KEY"} {
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestFaults(t *testing.T) {
	fs, err := config.ParseFaults("trading:panic:200ms, rpc:error:1s")
	if err != nil || len(fs) != 2 || fs[0].Area != "trading" || fs[0].Mode != "panic" || fs[0].Every != 200*time.Millisecond || fs[1].Area != "rpc" {
		t.Fatalf("ParseFaults = %+v, %v", fs, err)
	}
	for _, bad := range []string{"trading", "web:panic:1s", "trading:explode:1s", "trading:panic:soon"} {
		if _, err := config.ParseFaults(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestReadmeDocumentsEveryVar keeps the README's config table honest.
func TestReadmeDocumentsEveryVar(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	var buf bytes.Buffer
	config.WriteTable(&buf)
	if !strings.Contains(string(readme), buf.String()) {
		t.Errorf("README.md does not contain the current config table; regenerate it with `go run ./cmd/vig help env`:\n%s", buf.String())
	}
}
