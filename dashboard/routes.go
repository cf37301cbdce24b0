package dashboard

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/metrics"
)

// addRoutes lists every route the dashboard serves.
func addRoutes(r chi.Router, log *slog.Logger, snaps *Snapshots, reg *prometheus.Registry, clk clock.Clock, draining *atomic.Bool, opts Options) {
	r.Get("/", handlePage(log, snaps, clk, opts))
	r.Get("/api/health", handleHealth(snaps, clk, draining, opts))
	r.Get("/api/bot-status", handleBotStatus(snaps, clk, opts))
	r.Get("/api/events", handleEvents(snaps))
	r.Get("/livez", handleLivez())
	r.Get("/readyz", handleReadyz(snaps, draining))
	r.Method(http.MethodGet, "/metrics", metrics.Handler(reg, log))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { jsonError(w, http.StatusNotFound, "not found") })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		jsonError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
}
