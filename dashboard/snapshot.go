// Package dashboard is `vig dashboard`, the web service: a chi HTTP server
// for the UI, the JSON API, health endpoints and /metrics, fed by a snapshot
// of the database refreshed in the background. No request waits on the
// database, and a database outage serves the last snapshot marked stale, so
// the dashboard stays up whatever the bot or the database does.
package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// Snapshot is everything the dashboard shows, read from the store at once.
type Snapshot struct {
	AttemptAt     time.Time // last refresh attempt (success or not)
	TakenAt       time.Time // last successful refresh; zero before the first
	Err           string    // last refresh error; empty when the last attempt succeeded
	DBLatency     time.Duration
	SchemaApplied int
	SchemaKnown   int
	Heartbeats    []vig.Heartbeat
	Intent        vig.Intent
	Events        []vig.SupervisorEvent
	Commands      []vig.Command
}

// Stale reports whether the data is from before the last attempt (the
// database did not answer) or was never read.
func (s *Snapshot) Stale() bool { return s.Err != "" || s.TakenAt.IsZero() }

// Bot returns the bot process's heartbeat row, if any.
func (s *Snapshot) Bot() (vig.Heartbeat, bool) {
	for _, h := range s.Heartbeats {
		if h.Service == "bot" {
			return h, true
		}
	}
	return vig.Heartbeat{}, false
}

// Snapshots holds the current snapshot, swapped atomically.
type Snapshots struct {
	p atomic.Pointer[Snapshot]
}

// Load returns the current snapshot; before the first refresh it is empty
// (zero AttemptAt).
func (s *Snapshots) Load() *Snapshot {
	if p := s.p.Load(); p != nil {
		return p
	}
	return &Snapshot{}
}

// Store replaces the current snapshot.
func (s *Snapshots) Store(snap *Snapshot) { s.p.Store(snap) }

// refresher is the suture service that refreshes the snapshot.
type refresher struct {
	store    vig.Store
	snaps    *Snapshots
	clock    clock.Clock
	interval time.Duration
	log      *slog.Logger
	failures prometheus.Counter
}

func (r *refresher) String() string { return "snapshot" }

func (r *refresher) Serve(ctx context.Context) error {
	wasFailing := false
	for {
		err := r.refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.failures.Inc()
			if !wasFailing {
				r.log.Warn("database unavailable; serving the last snapshot marked stale", "err", err.Error())
			}
			wasFailing = true
		case err == nil && wasFailing:
			r.log.Info("database reachable again")
			wasFailing = false
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.clock.After(r.interval):
		}
	}
}

// refresh reads the store into a new snapshot. On failure it keeps the old
// data and records the error, so readers see stale data, never none.
func (r *refresher) refresh(ctx context.Context) error {
	start := r.clock.Now()
	prev := r.snaps.Load()
	tctx, cancel := context.WithTimeout(ctx, min(max(2*r.interval, time.Second), 5*time.Second))
	defer cancel()
	next, err := r.read(tctx)
	if err != nil {
		stale := *prev
		stale.AttemptAt = start.UTC()
		stale.Err = err.Error()
		r.snaps.Store(&stale)
		return err
	}
	next.AttemptAt, next.TakenAt = start.UTC(), start.UTC()
	r.snaps.Store(next)
	return nil
}

func (r *refresher) read(ctx context.Context) (*Snapshot, error) {
	s := &Snapshot{}
	t0 := time.Now()
	if err := r.store.Ping(ctx); err != nil {
		return nil, fmt.Errorf("ping: %w", err)
	}
	s.DBLatency = time.Since(t0)
	var err error
	if s.SchemaApplied, s.SchemaKnown, err = r.store.SchemaVersion(ctx); err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	if s.SchemaApplied > s.SchemaKnown {
		return nil, fmt.Errorf("database schema version %d is newer than this dashboard knows (%d): deploy the matching vig version: %w",
			s.SchemaApplied, s.SchemaKnown, vig.ErrSchemaTooNew)
	}
	if s.SchemaApplied < s.SchemaKnown {
		// The bot migrates at start; until then there is nothing to read.
		return s, nil
	}
	if s.Heartbeats, err = r.store.Heartbeats(ctx); err != nil {
		return nil, err
	}
	if s.Intent, err = r.store.Intent(ctx); err != nil {
		return nil, err
	}
	if s.Events, err = r.store.RecentEvents(ctx, 50); err != nil {
		return nil, err
	}
	if s.Commands, err = r.store.Commands(ctx, 20); err != nil {
		return nil, err
	}
	return s, nil
}
