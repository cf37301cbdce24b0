package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/thejerf/suture/v4"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// commands applies operator commands queued in the store by the dashboard
// and acknowledges each one, so a command is applied at most once even
// across restarts. The operator's intent it sets is persistent: a paused
// bot stays paused after a crash or a redeploy.
type commands struct {
	store   vig.Store
	status  *Status
	clock   clock.Clock
	poll    time.Duration
	log     *slog.Logger
	metrics *botMetrics
}

func (c *commands) String() string { return "commands" }

func (c *commands) Serve(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.status.DBReady():
	}
	b := newBackoff(c.poll, 30*time.Second)
	for {
		err := c.once(ctx)
		if errors.Is(err, vig.ErrRestartRequested) {
			return err
		}
		wait := c.poll
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait = b.next()
			c.log.Warn("operator commands unavailable, retrying", "err", errText(err), "retry_in", wait.String())
		} else {
			b.reset()
		}
		if err := sleep(ctx, c.clock, wait); err != nil {
			return err
		}
	}
}

// once reads the intent and applies every pending command.
func (c *commands) once(ctx context.Context) error {
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	in, err := c.store.Intent(tctx)
	if err != nil {
		return err
	}
	c.setIntent(in)
	pending, err := c.store.PendingCommands(tctx, 20)
	if err != nil {
		return err
	}
	for _, cmd := range pending {
		if err := c.apply(tctx, cmd); err != nil {
			return err
		}
	}
	return nil
}

func (c *commands) setIntent(in vig.Intent) {
	c.status.SetIntent(in)
	for _, s := range []vig.IntentState{vig.IntentRunning, vig.IntentPaused, vig.IntentHalted} {
		v := 0.0
		if s == in.State {
			v = 1
		}
		c.metrics.intent.WithLabelValues(string(s)).Set(v)
	}
}

func (c *commands) apply(ctx context.Context, cmd vig.Command) error {
	now := c.clock.Now().UTC()
	log := c.log.With("command_id", cmd.ID, "kind", string(cmd.Kind), "requested_by", cmd.RequestedBy)
	var args struct {
		Reason string `json:"reason"`
	}
	if cmd.Args != "" {
		if err := json.Unmarshal([]byte(cmd.Args), &args); err != nil {
			log.Warn("operator command has malformed args; rejecting it")
			return c.ack(ctx, cmd, now, "error: args must be a JSON object like {\"reason\": \"…\"}")
		}
	}
	var state vig.IntentState
	switch cmd.Kind {
	case vig.CommandPause:
		state = vig.IntentPaused
	case vig.CommandResume:
		state = vig.IntentRunning
	case vig.CommandHalt:
		state = vig.IntentHalted
	case vig.CommandRestart:
		// Ack first: the command must not be applied again after the restart.
		if err := c.ack(ctx, cmd, now, "ok: restarting"); err != nil {
			return err
		}
		c.metrics.commands.WithLabelValues("restart").Inc()
		log.Warn("restart requested by operator; exiting so the platform restarts the bot", "exit_code", vig.ExitRestartRequested)
		return fmt.Errorf("command %d by %s: %w: %w", cmd.ID, cmd.RequestedBy, vig.ErrRestartRequested, suture.ErrTerminateSupervisorTree)
	default:
		c.metrics.commands.WithLabelValues("unknown").Inc()
		return c.ack(ctx, cmd, now, fmt.Sprintf("error: unknown command %q", cmd.Kind))
	}
	in := vig.Intent{State: state, Reason: args.Reason, SetBy: cmd.RequestedBy, SetAt: now}
	if err := c.store.SetIntent(ctx, in); err != nil {
		return err
	}
	c.setIntent(in)
	c.metrics.commands.WithLabelValues(string(cmd.Kind)).Inc()
	log.Info("operator command applied", "intent", string(state))
	return c.ack(ctx, cmd, now, "ok: intent "+string(state))
}

func (c *commands) ack(ctx context.Context, cmd vig.Command, at time.Time, result string) error {
	err := c.store.AckCommand(ctx, cmd.ID, at, result)
	if errors.Is(err, vig.ErrNotFound) {
		return nil // acknowledged by someone else meanwhile: nothing to do
	}
	return err
}
