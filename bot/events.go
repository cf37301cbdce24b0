package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// events persists supervision events to the store as bounded history for
// the dashboard. Offer is called from the supervisor's event hook, so it
// never blocks: when the buffer is full the event is dropped and counted.
type events struct {
	store   vig.Store
	status  *Status
	clock   clock.Clock
	keep    int
	log     *slog.Logger
	metrics *botMetrics
	ch      chan vig.SupervisorEvent
}

// maxPending bounds the events kept in memory while the database is down.
const maxPending = 1024

func newEvents(store vig.Store, status *Status, clk clock.Clock, keep int, log *slog.Logger, m *botMetrics) *events {
	return &events{store: store, status: status, clock: clk, keep: keep, log: log, metrics: m, ch: make(chan vig.SupervisorEvent, 256)}
}

func (e *events) String() string { return "events" }

// Offer queues ev without blocking.
func (e *events) Offer(ev vig.SupervisorEvent) {
	select {
	case e.ch <- ev:
	default:
		e.metrics.eventsDropped.Inc()
	}
}

func (e *events) Serve(ctx context.Context) error {
	var pending []vig.SupervisorEvent
	b := newBackoff(time.Second, 30*time.Second)
	var retry, flush <-chan time.Time
	ready := e.status.DBReady()
	dbReady := false
	for {
		// One flush timer per batch (not per event), so a steady stream of
		// events cannot postpone the write forever.
		if dbReady && len(pending) > 0 && retry == nil && flush == nil {
			flush = e.clock.After(200 * time.Millisecond)
		}
		select {
		case <-ctx.Done():
			if dbReady {
				// Best effort on the way out, bounded well inside the
				// shutdown deadline.
				fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				_ = e.flush(fctx, pending)
				cancel()
			}
			return ctx.Err()
		case <-ready:
			ready, dbReady = nil, true
		case ev := <-e.ch:
			pending = append(pending, ev)
			if len(pending) > maxPending {
				e.metrics.eventsDropped.Add(float64(len(pending) - maxPending))
				pending = pending[len(pending)-maxPending:]
			}
		case <-retry:
			retry = nil
		case <-flush:
			flush = nil
			if err := e.flush(ctx, pending); err != nil {
				d := b.next()
				e.log.Warn("supervisor events not stored, retrying", "err", errText(err), "retry_in", d.String(), "pending", len(pending))
				retry = e.clock.After(d)
				continue
			}
			b.reset()
			pending = nil
		}
	}
}

func (e *events) flush(ctx context.Context, evs []vig.SupervisorEvent) error {
	if len(evs) == 0 {
		return nil
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return e.store.AppendEvents(tctx, evs, e.keep)
}
