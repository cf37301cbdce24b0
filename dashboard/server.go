package dashboard

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/supervisor"
)

// Options are the dashboard server's settings.
type Options struct {
	BotStaleAfter    time.Duration // heartbeat age after which the bot is shown offline
	SnapshotInterval time.Duration // expected refresh interval; the refresher is dead after many missed ones
	MaxBodyBytes     int64
	Database         string // human label of the database, without credentials
	PaperMode        bool
	// Services reports the dashboard's own supervised services (nil: none).
	Services func() []supervisor.ServiceStatus
}

// NewServer returns the dashboard's HTTP handler: every route, with
// middleware applied in one place. draining is set during shutdown.
func NewServer(log *slog.Logger, snaps *Snapshots, reg *prometheus.Registry, clk clock.Clock, draining *atomic.Bool, opts Options) http.Handler {
	r := chi.NewRouter()
	m := newHTTPMetrics(reg)
	r.Use(recoverer(log, m), instrument(m), securityHeaders, limitBody(opts.MaxBodyBytes))
	addRoutes(r, log, snaps, reg, clk, draining, opts)
	return r
}

// encodeJSON writes v with status code.
func encodeJSON(w http.ResponseWriter, code int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v) //nolint:errcheck // the client went away; nothing to do
}

// jsonError is the body of every error response.
func jsonError(w http.ResponseWriter, code int, msg string) {
	encodeJSON(w, code, "application/json", map[string]string{"error": msg})
}

// botView is the bot's status as the ancestor's /api/bot-status shaped it,
// computed from the heartbeat's age, plus what the ancestor lacked.
type botView struct {
	Status          string        `json:"status"` // running, starting, offline, stopped, error, unknown
	Activity        string        `json:"activity"`
	LastScan        *time.Time    `json:"last_scan"`   // set once the trading engine scans
	UpdatedAt       *time.Time    `json:"updated_at"`  // the bot's last heartbeat
	LastWindow      *time.Time    `json:"last_window"` // kept for the ancestor's clients; always null (no windows)
	CurrentWindow   *string       `json:"current_window"`
	ErrorMessage    string        `json:"error_message"`
	HeartbeatAgeSec *float64      `json:"heartbeat_age_seconds"`
	Stale           bool          `json:"stale"`          // the bot's heartbeat is too old
	SnapshotStale   bool          `json:"snapshot_stale"` // the dashboard could not read the database
	SnapshotAt      *time.Time    `json:"snapshot_at"`
	SnapshotError   string        `json:"snapshot_error,omitempty"`
	Intent          vig.Intent    `json:"intent"`
	Instance        string        `json:"instance"`
	Version         string        `json:"version"`
	Restarts        int64         `json:"restarts"`
	Since           *time.Time    `json:"since"`
	Services        []serviceView `json:"services"`
}

type serviceView struct {
	Service   string           `json:"service"`
	State     vig.ServiceState `json:"state"`
	Restarts  int64            `json:"restarts"`
	LastError string           `json:"last_error"`
	Since     time.Time        `json:"since"`
}

func computeBotView(s *Snapshot, now time.Time, staleAfter time.Duration) botView {
	v := botView{Status: "unknown", Activity: "no heartbeat recorded yet", Intent: s.Intent, SnapshotStale: s.Stale(),
		SnapshotError: s.Err, Services: []serviceView{}}
	if !s.TakenAt.IsZero() {
		t := s.TakenAt
		v.SnapshotAt = &t
	}
	if v.Intent.State == "" {
		v.Intent = vig.Intent{State: vig.IntentRunning, SetBy: "default"}
	}
	for _, h := range s.Heartbeats {
		if h.Service == "bot" {
			continue
		}
		v.Services = append(v.Services, serviceView{Service: h.Service, State: h.State, Restarts: h.Restarts, LastError: h.LastError, Since: h.Since})
	}
	h, ok := s.Bot()
	if !ok {
		if s.TakenAt.IsZero() {
			v.Activity = "dashboard has not read the database yet"
		}
		return v
	}
	beat, since := h.BeatAt, h.Since
	age := now.Sub(beat).Seconds()
	v.UpdatedAt, v.Since, v.HeartbeatAgeSec = &beat, &since, &age
	v.Activity, v.ErrorMessage, v.Instance, v.Version, v.Restarts = h.Activity, h.LastError, h.Instance, h.Version, h.Restarts
	switch {
	case h.State == vig.StateStopped:
		v.Status = "stopped"
	case h.State == vig.StateFailed:
		v.Status = "error"
	case now.Sub(beat) > staleAfter:
		v.Status, v.Stale = "offline", true
		v.Activity = "no heartbeat for " + now.Sub(beat).Round(time.Second).String() + " (last: " + h.Activity + ")"
	case h.State == vig.StateStarting:
		v.Status = "starting"
	default:
		v.Status = "running"
	}
	return v
}
