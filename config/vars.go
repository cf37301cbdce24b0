package config

import (
	"fmt"
	"io"
	"strings"
)

// Var documents one environment variable. Vars is the single source for
// defaults, the README table and `vig help env`.
type Var struct {
	Name    string
	Default string
	Service string // "both", "bot" or "dashboard"
	Secret  bool
	Doc     string
}

// Vars lists every variable vig reads, in README order.
var Vars = []Var{
	{"DATABASE_URL", "", "both", true, "PostgreSQL URL (postgres://user:password@host:5432/db). Unset: embedded SQLite at VIG_DB_PATH. On Railway, set it on both services to ${{Postgres.DATABASE_URL}}."},
	{"VIG_DB_PATH", "./data/vig.db", "both", false, "SQLite file used when DATABASE_URL is unset; the bot and the dashboard may share it as two processes."},
	{"VIG_DB_MAX_CONNS", "4", "both", false, "PostgreSQL pool size of this service."},
	{"PAPER_MODE", "true", "both", false, "true: simulate orders, never sign or send real ones. false requires POLYGON_PRIVATE_KEY."},
	{"LOG_LEVEL", "info", "both", false, "debug, info, warn or error."},
	{"LOG_FORMAT", "auto", "both", false, "json, text, or auto (json unless stdout is a terminal)."},
	{"VIG_SHUTDOWN_TIMEOUT", "10s", "both", false, "Graceful shutdown deadline after SIGTERM/SIGINT; a second signal forces exit. Keep below the platform's SIGKILL delay."},
	{"POLYGON_PRIVATE_KEY", "", "bot", true, "Signing key (64 hex digits). Required when PAPER_MODE=false. Never give it to the dashboard service."},
	{"POLYGON_FUNDER_ADDRESS", "", "bot", false, "Address holding the funds (proxy, Safe or deposit wallet); required when SIGNATURE_TYPE is 1, 2 or 3."},
	{"SIGNATURE_TYPE", "0", "bot", false, "0 EOA, 1 Polymarket proxy, 2 Gnosis Safe, 3 deposit wallet (POLY_1271)."},
	{"RESIDENTIAL_PROXY_URL", "", "bot", true, "Optional proxy for CLOB traffic only, http://user:password@host:port."},
	{"MIN_FAVORITE_PRICE", "0.70", "bot", false, "Lowest favourite price to buy (inclusive)."},
	{"MAX_FAVORITE_PRICE", "0.90", "bot", false, "Highest favourite price to buy (inclusive)."},
	{"EXPIRY_WINDOW_MINUTES", "60", "bot", false, "Only markets closing within this many minutes."},
	{"MAX_BETS_PER_WINDOW", "10", "bot", false, "Most new bets per scan."},
	{"STARTING_CLIP", "10.00", "bot", false, "USDC per bet at start, and the floor when the snowball shrinks."},
	{"MAX_CLIP", "100.00", "bot", false, "USDC cap per bet."},
	{"MIN_VOLUME_ABS", "100", "bot", false, "Minimum lifetime market volume in USDC."},
	{"SCAN_INTERVAL_SECONDS", "300", "bot", false, "Seconds between market scans (the heartbeat is independent of it)."},
	{"POLYMARKET_GAMMA_URL", "https://gamma-api.polymarket.com", "bot", false, "Gamma API (market discovery). `vig sim` prints the simulator's value."},
	{"POLYMARKET_CLOB_URL", "https://clob.polymarket.com", "bot", false, "CLOB API (books, orders). Reached through RESIDENTIAL_PROXY_URL when set."},
	{"POLYMARKET_DATA_URL", "https://data-api.polymarket.com", "bot", false, "Data API (positions, activity, value)."},
	{"POLYMARKET_GEOBLOCK_URL", "https://polymarket.com/api/geoblock", "bot", false, "Geoblock check, asked through the same route as CLOB traffic."},
	{"POLYMARKET_CHAIN_ID", "137", "bot", false, "137 Polygon mainnet, 80002 Amoy testnet (EIP-712 domains and exchange addresses)."},
	{"POLYMARKET_API_KEY", "", "bot", true, "Optional CLOB API key; unset: derived from POLYGON_PRIVATE_KEY at start (L1 auth)."},
	{"POLYMARKET_API_SECRET", "", "bot", true, "Secret of POLYMARKET_API_KEY (base64)."},
	{"POLYMARKET_API_PASSPHRASE", "", "bot", true, "Passphrase of POLYMARKET_API_KEY."},
	{"VIG_BOT_METRICS_ADDR", ":9091", "bot", false, "Bot ops listener: /metrics, /livez, /readyz."},
	{"VIG_STATUS_FILE", "/tmp/vig_bot_status.json", "bot", false, "Status JSON mirrored atomically on every heartbeat (compatibility with the ancestor)."},
	{"VIG_HEARTBEAT_INTERVAL", "5s", "bot", false, "How often the bot writes its heartbeat rows."},
	{"VIG_COMMAND_POLL_INTERVAL", "2s", "bot", false, "How often the bot polls operator commands."},
	{"VIG_EVENT_HISTORY", "1000", "bot", false, "Supervisor events kept in the database."},
	{"VIG_ESCALATE_MAX_RESTARTS", "10", "bot", false, "Restarts of one subservice tolerated within VIG_ESCALATE_WINDOW before the process exits 1."},
	{"VIG_ESCALATE_WINDOW", "5m", "bot", false, "Window for VIG_ESCALATE_MAX_RESTARTS."},
	{"VIG_FAULT_INJECT", "", "bot", false, "Testing only: add failing services, e.g. trading:panic:200ms,rpc:error:1s."},
	{"PORT", "8080", "dashboard", false, "HTTP port of the dashboard (Railway injects it)."},
	{"VIG_DASHBOARD_HOST", "", "dashboard", false, "Listen host; empty means all interfaces (IPv4 and IPv6)."},
	{"VIG_SNAPSHOT_INTERVAL", "2s", "dashboard", false, "How often the dashboard refreshes its snapshot from the database."},
	{"VIG_BOT_STALE_AFTER", "30s", "dashboard", false, "Heartbeat age after which the bot is shown offline."},
	{"VIG_MAX_BODY_BYTES", "1048576", "dashboard", false, "Largest accepted request body."},
}

func lookup(name string) (Var, bool) {
	for _, v := range Vars {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}

// WriteTable writes Vars as a Markdown table (the README's config table).
func WriteTable(w io.Writer) {
	fmt.Fprintln(w, "| Variable | Default | Service | Secret | Meaning |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, v := range Vars {
		def := "`" + v.Default + "`"
		if v.Default == "" {
			def = "(unset)"
		}
		secret := ""
		if v.Secret {
			secret = "yes"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", v.Name, def, v.Service, secret, strings.ReplaceAll(v.Doc, "|", "\\|"))
	}
}
