package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/thejerf/suture/v4"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// migrator brings the database schema up to date at start, retrying with
// backoff while the database is down (the bot reports "waiting for
// database" rather than exiting), then marks the database ready and ends.
type migrator struct {
	store   vig.Store
	status  *Status
	clock   clock.Clock
	log     *slog.Logger
	metrics *botMetrics
}

func (m *migrator) String() string { return "migrate" }

func (m *migrator) Serve(ctx context.Context) error {
	b := newBackoff(500*time.Millisecond, 30*time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := m.store.Migrate(tctx)
		cancel()
		if err == nil {
			applied, _, _ := m.store.SchemaVersion(ctx)
			m.log.Info("database ready", "schema_version", applied)
			m.status.SetDBReady()
			m.metrics.dbReady.Set(1)
			return suture.ErrDoNotRestart // done on purpose: the only nil-like end
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, vig.ErrSchemaTooNew) {
			// Retrying cannot help and writing would risk a newer schema.
			return fmt.Errorf("%w: %w", err, suture.ErrTerminateSupervisorTree)
		}
		d := b.next()
		m.status.SetDBError(errText(err))
		m.log.Warn("database unavailable, retrying", "err", errText(err), "retry_in", d.String())
		if err := sleep(ctx, m.clock, d); err != nil {
			return err
		}
	}
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
