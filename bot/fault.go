package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/config"
)

// fault is a deliberately failing service, enabled only by VIG_FAULT_INJECT,
// so restarts, backoff and escalation can be exercised on the real binary
// (chaos testing). It never runs unless asked for.
type fault struct {
	cfg   config.Fault
	clock clock.Clock
}

func (f *fault) String() string { return "fault-" + f.cfg.Mode }

func (f *fault) Serve(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-f.clock.After(f.cfg.Every):
	}
	if f.cfg.Mode == "panic" {
		panic(fmt.Sprintf("injected fault in %s (VIG_FAULT_INJECT)", f.cfg.Area))
	}
	return errors.New("injected fault in " + f.cfg.Area + " (VIG_FAULT_INJECT)")
}
