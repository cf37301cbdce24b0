// Package config reads Vig's configuration from the environment into one
// typed struct per service, validated once at start. Every problem is
// reported together, each naming the variable and the expected form; secret
// values are never echoed (see Secret).
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// Problem is one invalid variable.
type Problem struct {
	Var string // the environment variable
	Msg string // what is wrong and the expected form; never a secret value
}

// Error lists every configuration problem found. run() prints it and exits
// with vig.ExitUsage.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Var, p.Msg)
	}
	return b.String()
}

// Common holds the settings both services read.
type Common struct {
	DatabaseURL     Secret        // DATABASE_URL: PostgreSQL; empty means embedded SQLite
	DBPath          string        // VIG_DB_PATH: SQLite file when DATABASE_URL is unset
	DBMaxConns      int           // VIG_DB_MAX_CONNS: PostgreSQL pool size for this service
	PaperMode       bool          // PAPER_MODE
	LogLevel        slog.Level    // LOG_LEVEL
	LogFormat       string        // LOG_FORMAT: json, text or auto
	ShutdownTimeout time.Duration // VIG_SHUTDOWN_TIMEOUT
}

// DatabaseLabel describes the database for humans without credentials.
func (c Common) DatabaseLabel() string {
	if c.DatabaseURL.IsSet() {
		return "postgres " + RedactURL(c.DatabaseURL.Reveal())
	}
	return "sqlite " + c.DBPath
}

// Strategy holds the favourite-buying strategy settings (used by the trading
// engine; validated now so a bad value stops startup early).
type Strategy struct {
	MinFavoritePrice vig.Micros    // MIN_FAVORITE_PRICE, price in micro-units (0.70 = 700000)
	MaxFavoritePrice vig.Micros    // MAX_FAVORITE_PRICE
	ExpiryWindow     time.Duration // EXPIRY_WINDOW_MINUTES
	MaxBetsPerWindow int           // MAX_BETS_PER_WINDOW
	StartingClip     vig.Micros    // STARTING_CLIP, USDC
	MaxClip          vig.Micros    // MAX_CLIP, USDC
	MinVolume        vig.Micros    // MIN_VOLUME_ABS, USDC
	ScanInterval     time.Duration // SCAN_INTERVAL_SECONDS
}

// Escalation is the policy past which a failing service takes the whole
// process down (exit 1) so the platform's restart policy acts.
type Escalation struct {
	MaxRestarts int           // VIG_ESCALATE_MAX_RESTARTS
	Window      time.Duration // VIG_ESCALATE_WINDOW
}

// Venue is where Polymarket's APIs are (the real hosts, or `vig sim`).
type Venue struct {
	GammaURL      string // POLYMARKET_GAMMA_URL
	ClobURL       string // POLYMARKET_CLOB_URL
	DataURL       string // POLYMARKET_DATA_URL
	GeoblockURL   string // POLYMARKET_GEOBLOCK_URL
	ChainID       int64  // POLYMARKET_CHAIN_ID
	APIKey        Secret // POLYMARKET_API_KEY
	APISecret     Secret // POLYMARKET_API_SECRET
	APIPassphrase Secret // POLYMARKET_API_PASSPHRASE
}

// Bot is `vig bot`'s configuration.
type Bot struct {
	Common
	Strategy
	Venue
	Escalation          Escalation
	PrivateKey          Secret        // POLYGON_PRIVATE_KEY
	FunderAddress       string        // POLYGON_FUNDER_ADDRESS
	SignatureType       int           // SIGNATURE_TYPE
	ResidentialProxyURL Secret        // RESIDENTIAL_PROXY_URL
	MetricsAddr         string        // VIG_BOT_METRICS_ADDR
	StatusFile          string        // VIG_STATUS_FILE
	HeartbeatInterval   time.Duration // VIG_HEARTBEAT_INTERVAL
	CommandPoll         time.Duration // VIG_COMMAND_POLL_INTERVAL
	EventHistory        int           // VIG_EVENT_HISTORY
	FaultInject         string        // VIG_FAULT_INJECT (testing only)
}

// Dashboard is `vig dashboard`'s configuration.
type Dashboard struct {
	Common
	Host             string        // VIG_DASHBOARD_HOST
	Port             int           // PORT
	SnapshotInterval time.Duration // VIG_SNAPSHOT_INTERVAL
	BotStaleAfter    time.Duration // VIG_BOT_STALE_AFTER
	MaxBodyBytes     int64         // VIG_MAX_BODY_BYTES
}

// Addr is the dashboard's listen address.
func (d Dashboard) Addr() string { return d.Host + ":" + strconv.Itoa(d.Port) }

// LoadBot reads and validates the bot's configuration.
func LoadBot(getenv func(string) string) (Bot, error) {
	r := &reader{getenv: getenv}
	var c Bot
	c.Common = r.common()
	c.Strategy = r.strategy()
	c.Escalation = Escalation{
		MaxRestarts: r.int("VIG_ESCALATE_MAX_RESTARTS", 1, 1_000_000),
		Window:      r.duration("VIG_ESCALATE_WINDOW", time.Second),
	}
	c.Venue = r.venue()
	c.PrivateKey = r.secret("POLYGON_PRIVATE_KEY")
	c.FunderAddress = r.str("POLYGON_FUNDER_ADDRESS")
	c.SignatureType = r.int("SIGNATURE_TYPE", 0, 3)
	c.ResidentialProxyURL = r.secret("RESIDENTIAL_PROXY_URL")
	c.MetricsAddr = r.str("VIG_BOT_METRICS_ADDR")
	c.StatusFile = r.str("VIG_STATUS_FILE")
	c.HeartbeatInterval = r.duration("VIG_HEARTBEAT_INTERVAL", 100*time.Millisecond)
	c.CommandPoll = r.duration("VIG_COMMAND_POLL_INTERVAL", 50*time.Millisecond)
	c.EventHistory = r.int("VIG_EVENT_HISTORY", 10, 1_000_000)
	c.FaultInject = r.str("VIG_FAULT_INJECT")

	if c.PrivateKey.IsSet() && !isHex(strings.TrimPrefix(c.PrivateKey.Reveal(), "0x"), 64) {
		r.fail("POLYGON_PRIVATE_KEY", "must be 64 hex digits, optionally prefixed with 0x (value not shown)")
	}
	if !c.PaperMode && !c.PrivateKey.IsSet() {
		r.fail("POLYGON_PRIVATE_KEY", "required when PAPER_MODE=false")
	}
	if c.FunderAddress != "" && !(strings.HasPrefix(c.FunderAddress, "0x") && isHex(c.FunderAddress[2:], 40)) {
		r.fail("POLYGON_FUNDER_ADDRESS", "must be a 0x-prefixed 40-hex-digit address")
	}
	if c.SignatureType != 0 && c.FunderAddress == "" && r.ok("SIGNATURE_TYPE") {
		r.fail("POLYGON_FUNDER_ADDRESS", "required when SIGNATURE_TYPE is 1, 2 or 3 (the proxy, Safe or deposit wallet that holds the funds)")
	}
	if c.ResidentialProxyURL.IsSet() {
		u, err := url.Parse(c.ResidentialProxyURL.Reveal())
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			r.fail("RESIDENTIAL_PROXY_URL", "must be a URL like http://user:password@host:port (http, https or socks5; value not shown)")
		}
	}
	r.listenAddr("VIG_BOT_METRICS_ADDR", c.MetricsAddr)
	if c.StatusFile == "" {
		r.fail("VIG_STATUS_FILE", "must not be empty")
	}
	if c.FaultInject != "" {
		if _, err := ParseFaults(c.FaultInject); err != nil {
			r.fail("VIG_FAULT_INJECT", err.Error())
		}
	}
	return c, r.err()
}

// LoadDashboard reads and validates the dashboard's configuration.
func LoadDashboard(getenv func(string) string) (Dashboard, error) {
	r := &reader{getenv: getenv}
	var c Dashboard
	c.Common = r.common()
	c.Host = r.str("VIG_DASHBOARD_HOST")
	c.Port = r.int("PORT", 1, 65535)
	c.SnapshotInterval = r.duration("VIG_SNAPSHOT_INTERVAL", 50*time.Millisecond)
	c.BotStaleAfter = r.duration("VIG_BOT_STALE_AFTER", time.Second)
	c.MaxBodyBytes = int64(r.int("VIG_MAX_BODY_BYTES", 1024, 64<<20))
	if strings.ContainsAny(c.Host, "/ ") {
		r.fail("VIG_DASHBOARD_HOST", "must be a host name or IP address, e.g. 0.0.0.0 or empty for all interfaces")
	}
	return c, r.err()
}

func (r *reader) common() Common {
	var c Common
	c.DatabaseURL = r.secret("DATABASE_URL")
	c.DBPath = r.str("VIG_DB_PATH")
	c.DBMaxConns = r.int("VIG_DB_MAX_CONNS", 1, 1000)
	c.PaperMode = r.bool("PAPER_MODE")
	c.LogLevel = r.level("LOG_LEVEL")
	c.LogFormat = strings.ToLower(r.str("LOG_FORMAT"))
	c.ShutdownTimeout = r.duration("VIG_SHUTDOWN_TIMEOUT", 100*time.Millisecond)
	if c.DatabaseURL.IsSet() {
		u, err := url.Parse(c.DatabaseURL.Reveal())
		switch {
		case err != nil:
			r.fail("DATABASE_URL", "is not a valid URL; expected postgres://user:password@host:5432/dbname (value not shown)")
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			r.fail("DATABASE_URL", "must start with postgres:// or postgresql:// (unset it to use the embedded SQLite file; value not shown)")
		case u.Host == "":
			r.fail("DATABASE_URL", "has no host; expected postgres://user:password@host:5432/dbname (value not shown)")
		}
	} else if c.DBPath == "" {
		r.fail("VIG_DB_PATH", "must not be empty when DATABASE_URL is unset")
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		r.fail("LOG_FORMAT", fmt.Sprintf("must be json, text or auto (got %s)", quote(c.LogFormat)))
	}
	return c
}

func (r *reader) venue() Venue {
	v := Venue{
		GammaURL:      r.httpURL("POLYMARKET_GAMMA_URL"),
		ClobURL:       r.httpURL("POLYMARKET_CLOB_URL"),
		DataURL:       r.httpURL("POLYMARKET_DATA_URL"),
		GeoblockURL:   r.httpURL("POLYMARKET_GEOBLOCK_URL"),
		ChainID:       int64(r.int("POLYMARKET_CHAIN_ID", 1, 1<<31-1)),
		APIKey:        r.secret("POLYMARKET_API_KEY"),
		APISecret:     r.secret("POLYMARKET_API_SECRET"),
		APIPassphrase: r.secret("POLYMARKET_API_PASSPHRASE"),
	}
	if r.ok("POLYMARKET_CHAIN_ID") && v.ChainID != 137 && v.ChainID != 80002 {
		r.fail("POLYMARKET_CHAIN_ID", "must be 137 (Polygon) or 80002 (Amoy)")
	}
	set := 0
	for _, s := range []Secret{v.APIKey, v.APISecret, v.APIPassphrase} {
		if s.IsSet() {
			set++
		}
	}
	if set != 0 && set != 3 {
		r.fail("POLYMARKET_API_KEY", "POLYMARKET_API_KEY, POLYMARKET_API_SECRET and POLYMARKET_API_PASSPHRASE go together: set all three or none")
	}
	return v
}

// httpURL reads an http(s) base URL; the value is not secret but is echoed
// only without its credentials.
func (r *reader) httpURL(name string) string {
	v := strings.TrimRight(r.raw(name), "/")
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(name, fmt.Sprintf("must be an http:// or https:// URL (got %s)", quote(RedactURL(v))))
	}
	return v
}

func (r *reader) strategy() Strategy {
	s := Strategy{
		MinFavoritePrice: r.decimal("MIN_FAVORITE_PRICE"),
		MaxFavoritePrice: r.decimal("MAX_FAVORITE_PRICE"),
		ExpiryWindow:     time.Duration(r.int("EXPIRY_WINDOW_MINUTES", 1, 7*24*60)) * time.Minute,
		MaxBetsPerWindow: r.int("MAX_BETS_PER_WINDOW", 1, 10_000),
		StartingClip:     r.decimal("STARTING_CLIP"),
		MaxClip:          r.decimal("MAX_CLIP"),
		MinVolume:        r.decimal("MIN_VOLUME_ABS"),
		ScanInterval:     time.Duration(r.int("SCAN_INTERVAL_SECONDS", 5, 86_400)) * time.Second,
	}
	const one = vig.Micros(1_000_000)
	if r.ok("MIN_FAVORITE_PRICE") && (s.MinFavoritePrice <= 0 || s.MinFavoritePrice >= one) {
		r.fail("MIN_FAVORITE_PRICE", "must be a price strictly between 0 and 1, e.g. 0.70")
	}
	if r.ok("MAX_FAVORITE_PRICE") && (s.MaxFavoritePrice <= 0 || s.MaxFavoritePrice >= one) {
		r.fail("MAX_FAVORITE_PRICE", "must be a price strictly between 0 and 1, e.g. 0.90")
	}
	if r.ok("MIN_FAVORITE_PRICE") && r.ok("MAX_FAVORITE_PRICE") && s.MinFavoritePrice >= s.MaxFavoritePrice {
		r.fail("MAX_FAVORITE_PRICE", "must be greater than MIN_FAVORITE_PRICE")
	}
	if r.ok("STARTING_CLIP") && s.StartingClip <= 0 {
		r.fail("STARTING_CLIP", "must be a positive USDC amount, e.g. 10.00")
	}
	if r.ok("MAX_CLIP") && r.ok("STARTING_CLIP") && s.MaxClip < s.StartingClip {
		r.fail("MAX_CLIP", "must be at least STARTING_CLIP")
	}
	if r.ok("MIN_VOLUME_ABS") && s.MinVolume < 0 {
		r.fail("MIN_VOLUME_ABS", "must not be negative")
	}
	return s
}

// reader reads variables, applying documented defaults and collecting
// problems instead of stopping at the first.
type reader struct {
	getenv   func(string) string
	problems []Problem
	bad      map[string]bool
}

func (r *reader) fail(name, msg string) {
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[name] = true
	r.problems = append(r.problems, Problem{Var: name, Msg: msg})
}

// ok reports whether name parsed without a problem so far (so dependent
// checks don't pile a second complaint on an already reported variable).
func (r *reader) ok(name string) bool { return !r.bad[name] }

func (r *reader) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return &Error{Problems: r.problems}
}

// raw returns the variable's value, or its documented default when unset.
func (r *reader) raw(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		if d, ok := lookup(name); ok {
			return d.Default
		}
		panic("config: undocumented variable " + name) // programmer error, caught by tests
	}
	return v
}

func (r *reader) str(name string) string { return r.raw(name) }

func (r *reader) secret(name string) Secret {
	if d, _ := lookup(name); !d.Secret {
		panic("config: " + name + " read as a secret but not documented as one")
	}
	return Secret{value: r.raw(name)}
}

func (r *reader) bool(name string) bool {
	switch v := strings.ToLower(r.raw(name)); v {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	default:
		r.fail(name, fmt.Sprintf("must be true or false (got %s)", quote(v)))
		return false
	}
}

func (r *reader) int(name string, lo, hi int) int {
	v := r.raw(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d (got %s)", lo, hi, quote(v)))
		return 0
	}
	return n
}

func (r *reader) duration(name string, lo time.Duration) time.Duration {
	v := r.raw(name)
	d, err := time.ParseDuration(v)
	if err != nil || d < lo {
		r.fail(name, fmt.Sprintf("must be a duration of at least %s, like 10s or 2m (got %s)", lo, quote(v)))
		return 0
	}
	return d
}

func (r *reader) level(name string) slog.Level {
	v := r.raw(name)
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(v))); err != nil {
		r.fail(name, fmt.Sprintf("must be debug, info, warn or error (got %s)", quote(v)))
		return slog.LevelInfo
	}
	return l
}

func (r *reader) decimal(name string) vig.Micros {
	v := r.raw(name)
	m, err := vig.ParseMicros(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("must be a decimal number with at most 6 decimals, like 0.70 (got %s)", quote(v)))
		return 0
	}
	return m
}

func (r *reader) listenAddr(name, v string) {
	host, port, ok := strings.Cut(v, ":")
	_ = host
	if !ok {
		r.fail(name, fmt.Sprintf("must be host:port or :port, like :9091 (got %s)", quote(v)))
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.Contains(port, ":") {
		r.fail(name, fmt.Sprintf("must be host:port or :port, like :9091 (got %s)", quote(v)))
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// quote shows a non-secret bad value, shortened so a pasted blob can't flood
// the terminal.
func quote(v string) string {
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}
