package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/supervisor"
)

// ops is the bot's small ops listener: /metrics for Prometheus (scraped
// over Railway's private network), /livez (the process loop answers) and
// /readyz (database migrated and not draining) and /health (the same in
// the IETF health+json format, with every subservice's state from the
// supervisor registry). It uses net/http only: chi belongs to the dashboard.
type ops struct {
	addr     string
	metrics  http.Handler
	status   *Status
	registry *supervisor.Registry
	log      *slog.Logger
	// bound receives the listener's address once it listens (tests use it).
	bound func(net.Addr)
}

func (o *ops) String() string { return "ops-http" }

func (o *ops) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics)
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		v := o.status.View()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case v.Draining:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("draining\n"))
		case !v.DBReady:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database not ready\n"))
		default:
			w.Write([]byte("ok\n"))
		}
	})
	mux.HandleFunc("GET /health", o.health)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"not found"}` + "\n"))
	})
	return mux
}

func (o *ops) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if o.bound != nil {
		o.bound(ln.Addr())
	}
	srv := &http.Server{
		Handler:           o.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(o.log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // best effort; Serve returns below
	}()
	o.log.Info("ops listener up", "addr", ln.Addr().String())
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return ctx.Err()
	}
	return err
}

// health answers application/health+json: pass when the database is ready
// and every subservice runs, warn (200) while something restarts or waits,
// fail (503) only while shutting down.
func (o *ops) health(w http.ResponseWriter, r *http.Request) {
	type check struct {
		ComponentType string  `json:"componentType"`
		ObservedValue float64 `json:"observedValue"`
		ObservedUnit  string  `json:"observedUnit,omitempty"`
		Status        string  `json:"status"`
		Time          string  `json:"time"`
		Output        string  `json:"output,omitempty"`
	}
	v := o.status.View()
	now := time.Now().UTC().Format(time.RFC3339)
	status := "pass"
	checks := map[string][]check{}
	db := check{ComponentType: "datastore", Status: "pass", Time: now}
	if v.DBReady {
		db.ObservedValue = 1
	} else {
		db.Status, db.Output, status = "warn", v.activityLine(), "warn"
	}
	checks["database:ready"] = []check{db}
	if o.registry != nil {
		for _, s := range o.registry.Snapshot() {
			c := check{ComponentType: "component", ObservedValue: float64(s.Restarts), ObservedUnit: "restarts", Status: "pass", Time: now}
			switch {
			case s.State == vig.StateRunning && s.Restarts > 0 && time.Since(s.Since) < time.Minute:
				// Running again, but it failed within the last minute: flapping.
				c.Status, c.Output, status = "warn", "restarted "+time.Since(s.Since).Round(time.Second).String()+" ago: "+s.LastError, "warn"
			case s.State == vig.StateRunning, s.State == vig.StateStopped: // stopped: finished on purpose (migrate) or shutting down
			default:
				c.Status, c.Output, status = "warn", string(s.State)+": "+s.LastError, "warn"
			}
			checks[s.Key()+":restarts"] = []check{c}
		}
	}
	code := http.StatusOK
	if v.Draining {
		status, code = "fail", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/health+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"status": status, "version": vig.Version, "serviceId": "vig-bot", "checks": checks}) //nolint:errcheck
}
