package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/supervisor"
)

// Deps is what the dashboard needs from run(), which owns and closes them.
type Deps struct {
	Config  config.Dashboard
	Store   vig.Store
	Metrics *prometheus.Registry
	Logger  *slog.Logger
	Clock   clock.Clock
	// Listener, if set, is used instead of listening on Config.Addr()
	// (tests pass one bound to 127.0.0.1:0).
	Listener net.Listener
}

// Dashboard is the web service process.
type Dashboard struct {
	d        Deps
	tree     *supervisor.Tree
	snaps    *Snapshots
	draining atomic.Bool
	handler  http.Handler
}

// New builds the dashboard's supervision tree: "web" serves HTTP, "data"
// refreshes the snapshot. They are separate areas so a wedged database
// reader can never take the HTTP server down with it.
func New(d Deps) *Dashboard {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	cfg := d.Config
	db := &Dashboard{d: d, snaps: &Snapshots{}}
	failures := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vig", Subsystem: "dashboard",
		Name: "snapshot_refresh_failures_total", Help: "Snapshot refreshes that could not read the database."})
	lastOK := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "dashboard",
		Name: "snapshot_last_success_timestamp_seconds", Help: "Unix time of the last successful snapshot refresh (0 before the first)."},
		func() float64 { return unixSeconds(db.snaps.Load().TakenAt) })
	botBeat := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "dashboard",
		Name: "bot_heartbeat_timestamp_seconds", Help: "Unix time of the bot's last heartbeat as last read from the database (0 if none)."},
		func() float64 {
			h, ok := db.snaps.Load().Bot()
			if !ok {
				return 0
			}
			return unixSeconds(h.BeatAt)
		})
	d.Metrics.MustRegister(failures, lastOK, botBeat)

	db.tree = supervisor.New(supervisor.Options{Tree: "dashboard", Logger: d.Logger, Registerer: d.Metrics, Clock: d.Clock,
		StopTimeout: cfg.ShutdownTimeout / 2})
	db.handler = NewServer(d.Logger, db.snaps, d.Metrics, d.Clock, &db.draining, Options{
		BotStaleAfter: cfg.BotStaleAfter, SnapshotInterval: cfg.SnapshotInterval, MaxBodyBytes: cfg.MaxBodyBytes,
		Database: cfg.DatabaseLabel(), PaperMode: cfg.PaperMode, Services: db.tree.Registry().Snapshot,
	})
	db.tree.Add("web", &httpService{handler: db.handler, addr: cfg.Addr(), ln: d.Listener, log: d.Logger.With("service", "http"),
		shutdownTimeout: cfg.ShutdownTimeout / 2})
	db.tree.Add("data", &refresher{store: d.Store, snaps: db.snaps, clock: d.Clock, interval: cfg.SnapshotInterval,
		log: d.Logger.With("service", "snapshot"), failures: failures})
	return db
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// Handler returns the HTTP handler (for in-process tests and benchmarks).
func (db *Dashboard) Handler() http.Handler { return db.handler }

// Snapshots returns the snapshot holder.
func (db *Dashboard) Snapshots() *Snapshots { return db.snaps }

// Serve runs the dashboard until ctx ends.
func (db *Dashboard) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { db.draining.Store(true) })
	defer stop()
	db.d.Logger.Info("dashboard starting", "addr", db.d.Config.Addr(), "database", db.d.Config.DatabaseLabel(), "version", vig.Version)
	return db.tree.Serve(ctx)
}

// httpService runs the HTTP server with timeouts and graceful shutdown.
type httpService struct {
	handler         http.Handler
	addr            string
	ln              net.Listener
	log             *slog.Logger
	shutdownTimeout time.Duration
}

func (h *httpService) String() string { return "http" }

func (h *httpService) Serve(ctx context.Context) error {
	ln := h.ln
	h.ln = nil // a restarted service listens afresh; the old listener is closed
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", h.addr); err != nil {
			return err
		}
	}
	srv := &http.Server{
		Handler:           h.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			h.log.Warn("http shutdown", "err", err.Error())
		}
	}()
	h.log.Info("listening", "addr", ln.Addr().String())
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return ctx.Err()
	}
	return err
}
