package dashboard

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

func handleBotStatus(snaps *Snapshots, clk clock.Clock, opts Options) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		encodeJSON(w, http.StatusOK, "application/json", computeBotView(snaps.Load(), clk.Now(), opts.BotStaleAfter))
	}
}

func handleEvents(snaps *Snapshots) http.HandlerFunc {
	type response struct {
		Events []vig.SupervisorEvent `json:"events"`
		Stale  bool                  `json:"stale"`
	}
	return func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if q := r.URL.Query().Get("limit"); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil || n < 1 || n > 50 {
				jsonError(w, http.StatusBadRequest, "limit must be a whole number from 1 to 50")
				return
			}
			limit = n
		}
		s := snaps.Load()
		evs := s.Events
		if len(evs) > limit {
			evs = evs[:limit]
		}
		if evs == nil {
			evs = []vig.SupervisorEvent{}
		}
		encodeJSON(w, http.StatusOK, "application/json", response{Events: evs, Stale: s.Stale()})
	}
}

func handleLivez() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	}
}

// handleReadyz: ready once the first snapshot attempt finished (even a
// failed one: the dashboard can serve without the database), not while
// draining.
func handleReadyz(snaps *Snapshots, draining *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case draining.Load():
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("draining\n"))
		case snaps.Load().AttemptAt.IsZero():
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("starting\n"))
		default:
			w.Write([]byte("ok\n"))
		}
	}
}

// healthCheck is one entry of the draft's "checks" object.
type healthCheck struct {
	ComponentID   string  `json:"componentId,omitempty"`
	ComponentType string  `json:"componentType"`
	ObservedValue float64 `json:"observedValue"`
	ObservedUnit  string  `json:"observedUnit"`
	Status        string  `json:"status"`
	Time          string  `json:"time"`
	Output        string  `json:"output,omitempty"`
}

// handleHealth answers in the IETF draft "Health Check Response Format for
// HTTP APIs" (application/health+json). A dead bot or database is a warn
// with 200: Railway's deploy healthcheck must never fail the dashboard for
// them. Only a dashboard that cannot serve fresh answers (draining, or its
// snapshot refresher has stopped) fails with 503.
func handleHealth(snaps *Snapshots, clk clock.Clock, draining *atomic.Bool, opts Options) http.HandlerFunc {
	type response struct {
		Status      string                   `json:"status"`
		Version     string                   `json:"version"`
		ReleaseID   string                   `json:"releaseId"`
		ServiceID   string                   `json:"serviceId"`
		Description string                   `json:"description"`
		Output      string                   `json:"output,omitempty"`
		Notes       []string                 `json:"notes,omitempty"`
		Checks      map[string][]healthCheck `json:"checks"`
	}
	build := vig.Build()
	return func(w http.ResponseWriter, r *http.Request) {
		now := clk.Now()
		s := snaps.Load()
		ts := now.UTC().Format(time.RFC3339)
		resp := response{Status: "pass", Version: build.Version, ReleaseID: build.Revision, ServiceID: "vig-dashboard",
			Description: "Vig dashboard (" + opts.Database + ")", Checks: map[string][]healthCheck{}}
		worst := func(st, why string) {
			rank := map[string]int{"pass": 0, "warn": 1, "fail": 2}
			if rank[st] > rank[resp.Status] {
				resp.Status = st
			}
			if st != "pass" {
				resp.Notes = append(resp.Notes, why)
			}
		}

		db := healthCheck{ComponentType: "datastore", ObservedUnit: "ms", Status: "pass", Time: ts,
			ObservedValue: float64(s.DBLatency.Microseconds()) / 1000}
		switch {
		case s.AttemptAt.IsZero():
			db.Status, db.Output = "warn", "not checked yet"
		case s.Err != "":
			db.Status, db.Output = "warn", "database unavailable; serving the last snapshot: "+s.Err
		case s.SchemaApplied < s.SchemaKnown:
			db.Status, db.Output = "warn", "schema not migrated yet (the bot migrates at start, or run `vig migrate`)"
		}
		resp.Checks["database:responseTime"] = []healthCheck{db}
		worst(db.Status, "database: "+db.Output)

		bv := computeBotView(s, now, opts.BotStaleAfter)
		bot := healthCheck{ComponentID: "vig-bot", ComponentType: "component", ObservedUnit: "s", Status: "pass", Time: ts,
			Output: bv.Status + ": " + bv.Activity}
		if bv.HeartbeatAgeSec != nil {
			bot.ObservedValue = *bv.HeartbeatAgeSec
		}
		if bv.Status != "running" {
			bot.Status = "warn"
		}
		resp.Checks["bot:heartbeatAge"] = []healthCheck{bot}
		worst(bot.Status, "bot: "+bot.Output)

		snap := healthCheck{ComponentID: "snapshot", ComponentType: "system", ObservedUnit: "s", Status: "pass", Time: ts}
		// The refresher retries every interval even when the database is
		// down; attempts that stop coming mean it is wedged.
		dead := max(10*opts.SnapshotInterval, 30*time.Second)
		if !s.AttemptAt.IsZero() {
			snap.ObservedValue = now.Sub(s.AttemptAt).Seconds()
			if now.Sub(s.AttemptAt) > dead {
				snap.Status, snap.Output = "fail", "snapshot refresher stopped refreshing"
			}
		}
		resp.Checks["snapshot:age"] = []healthCheck{snap}
		worst(snap.Status, "snapshot: "+snap.Output)

		if opts.Services != nil {
			own := healthCheck{ComponentID: "vig-dashboard", ComponentType: "system", ObservedUnit: "restarts", Status: "pass", Time: ts}
			for _, svc := range opts.Services() {
				own.ObservedValue += float64(svc.Restarts)
				if svc.State != vig.StateRunning && !draining.Load() {
					own.Status, own.Output = "warn", svc.Key()+" "+string(svc.State)+": "+svc.LastError
				}
			}
			resp.Checks["dashboard:restarts"] = []healthCheck{own}
			worst(own.Status, "dashboard: "+own.Output)
		}
		if draining.Load() {
			worst("fail", "shutting down")
		}
		code := http.StatusOK
		if resp.Status == "fail" {
			code = http.StatusServiceUnavailable
		}
		if resp.Status != "pass" {
			resp.Output = resp.Notes[0]
		}
		encodeJSON(w, code, "application/health+json", resp)
	}
}
