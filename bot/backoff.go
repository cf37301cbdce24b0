package bot

import (
	"context"
	"time"

	"github.com/vig-bot/vig/clock"
)

// backoff is a doubling retry delay for external IO, so a service that
// keeps hitting a dead database waits instead of spinning (suture itself
// restarts with no delay below its failure threshold).
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

// next returns the delay to wait now and doubles it for the time after.
func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	}
	d := b.cur
	b.cur = min(b.cur*2, b.max)
	return d
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits d on clk, or returns ctx's error when it ends first.
func sleep(ctx context.Context, clk clock.Clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clk.After(d):
		return nil
	}
}
