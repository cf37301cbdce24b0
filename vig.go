// Package vig holds Vig's domain types and the interfaces its adapters
// implement. It imports no adapter: the store implementations, the HTTP
// dashboard, the supervision glue and the bot all talk through these types.
//
// Layout follows Ben Johnson's "Standard Package Layout": one package per
// dependency (store/sqlite, store/postgres, dashboard for chi, …) and the
// domain here at the root.
package vig

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Version is the release version, set at build time with
// -ldflags "-X github.com/vig-bot/vig.Version=v1.2.3". Builds without it
// report "dev".
var Version = "dev"

// Revision is the VCS revision, set at build time with -ldflags or read from
// the Go build info when the binary was built inside a git checkout.
var Revision = ""

// BuildInfo describes the running binary.
type BuildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	GoVersion string `json:"goversion"`
}

// Build returns the BuildInfo of the running binary.
func Build() BuildInfo {
	b := BuildInfo{Version: Version, Revision: Revision, GoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.GoVersion = bi.GoVersion
		if b.Revision == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					b.Revision = s.Value
				}
			}
		}
	}
	if b.Revision == "" {
		b.Revision = "unknown"
	}
	return b
}

// Exit codes shared by every vig subcommand. They are part of the operating
// contract: Railway's ON_FAILURE policy restarts on any non-zero code.
const (
	ExitOK               = 0 // clean stop (SIGTERM/SIGINT, or a command that finished)
	ExitFailure          = 1 // runtime failure or supervision escalation
	ExitUsage            = 2 // bad usage or configuration
	ExitRestartRequested = 3 // the operator asked the bot to restart (a "restart" command)
)

// ErrRestartRequested is returned by the bot when an operator's restart
// command was applied; the process exits with ExitRestartRequested so the
// platform's restart policy starts it again.
var ErrRestartRequested = errors.New("restart requested by operator")

// ErrEscalated means a supervised service kept failing past the escalation
// policy and the supervision tree gave up; the process exits with ExitFailure.
var ErrEscalated = errors.New("supervision escalated: service kept failing")

// ErrNotFound is returned by store lookups that find nothing.
var ErrNotFound = errors.New("not found")

// ErrSchemaTooNew means the database was migrated by a newer vig than this
// binary; running against it could corrupt data.
var ErrSchemaTooNew = errors.New("database schema is newer than this build")

// Micros is an amount of money in micro-units of the collateral (6 decimals,
// as USDC and pUSD): 1_000_000 Micros is 1.00. Money is never a float.
type Micros int64

// String formats m with 6 decimals, e.g. "-1.250000".
func (m Micros) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v // Micros never approaches MinInt64 for real balances
	}
	return fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
}

// ParseMicros parses an exact decimal such as "0.70", "10" or "-1.5" into
// micro-units, rejecting more than 6 decimals instead of rounding.
func ParseMicros(s string) (Micros, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 6 || !digits(whole) || !digits(frac) || len(whole) > 12 {
		return 0, fmt.Errorf("not a decimal with at most 6 decimals")
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	m := Micros(w*1_000_000 + f)
	if neg {
		m = -m
	}
	return m, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ServiceState is the lifecycle state of one supervised service as the
// supervisor registry sees it.
type ServiceState string

// Service states.
const (
	StateStarting   ServiceState = "starting"   // added, Serve not yet entered
	StateRunning    ServiceState = "running"    // Serve is running
	StateRestarting ServiceState = "restarting" // Serve returned or panicked; a restart is queued
	StateBackoff    ServiceState = "backoff"    // its supervisor is pausing restarts
	StateStopped    ServiceState = "stopped"    // stopped on purpose (shutdown)
	StateFailed     ServiceState = "failed"     // gave up: escalation or fatal error
)

// Valid reports whether s is one of the known states.
func (s ServiceState) Valid() bool {
	switch s {
	case StateStarting, StateRunning, StateRestarting, StateBackoff, StateStopped, StateFailed:
		return true
	}
	return false
}

// Heartbeat is the last reported status of the bot process or one of its
// subservices. The bot writes one row per service every few seconds; the
// dashboard reads them to tell "running", "stale" and "stopped" apart.
type Heartbeat struct {
	Service   string       `json:"service"`    // "bot" for the process, "bot/<area>/<name>" for subservices
	Instance  string       `json:"instance"`   // host/pid of the writer, to spot two bots at once
	State     ServiceState `json:"state"`      // lifecycle state
	Activity  string       `json:"activity"`   // human text: "idle", "scanning", "waiting for database"
	Restarts  int64        `json:"restarts"`   // restarts since process start
	LastError string       `json:"last_error"` // last failure text, secrets already stripped
	Since     time.Time    `json:"since"`      // when State was entered (UTC)
	BeatAt    time.Time    `json:"beat_at"`    // when this row was written (UTC)
	Version   string       `json:"version"`    // vig version of the writer
}

// SupervisorEvent is one event from a supervision tree, kept as bounded
// history for the dashboard.
type SupervisorEvent struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Tree       string    `json:"tree"`       // "bot", "dashboard", "dev"
	Supervisor string    `json:"supervisor"` // nested supervisor name
	Service    string    `json:"service"`    // service name, empty for supervisor-level events
	Kind       string    `json:"kind"`       // "terminate", "panic", "backoff", "resume", "stop_timeout", "escalate"
	Message    string    `json:"message"`
	Restarting bool      `json:"restarting"`
}

// CommandKind names an operator command sent from the dashboard to the bot.
type CommandKind string

// Command kinds the bot understands.
const (
	CommandPause   CommandKind = "pause"   // stop opening new bets; keep settling and redeeming
	CommandResume  CommandKind = "resume"  // back to running
	CommandHalt    CommandKind = "halt"    // stop all trading activity until resumed
	CommandRestart CommandKind = "restart" // exit with ExitRestartRequested so the platform restarts the bot
)

// Valid reports whether k is a command kind the bot knows.
func (k CommandKind) Valid() bool {
	switch k {
	case CommandPause, CommandResume, CommandHalt, CommandRestart:
		return true
	}
	return false
}

// Command is an operator's request to the bot, queued in the store and
// acknowledged by the bot once applied.
type Command struct {
	ID          int64       `json:"id"`
	Kind        CommandKind `json:"kind"`
	Args        string      `json:"args"` // JSON object text, "{}" when none
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	AckedAt     *time.Time  `json:"acked_at,omitempty"` // nil while pending
	Result      string      `json:"result"`             // "ok: …" or "error: …" once acked
}

// IntentState is what the operator wants the bot to do. It persists across
// restarts: a paused bot stays paused after a crash (the ancestor kept it in
// memory and silently resumed trading).
type IntentState string

// Intent states.
const (
	IntentRunning IntentState = "running"
	IntentPaused  IntentState = "paused"
	IntentHalted  IntentState = "halted"
)

// Valid reports whether s is a known intent.
func (s IntentState) Valid() bool {
	return s == IntentRunning || s == IntentPaused || s == IntentHalted
}

// Intent is the operator's persistent intent for the bot.
type Intent struct {
	State  IntentState `json:"state"`
	Reason string      `json:"reason"`
	SetBy  string      `json:"set_by"`
	SetAt  time.Time   `json:"set_at"`
}
