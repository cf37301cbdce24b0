package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/supervisor"
)

// heartbeat writes the bot's and every subservice's status to the store
// every interval, from its own ticker, so a long sleep or a stuck trading
// loop never makes a live bot look offline (the ancestor showed "offline"
// 58 minutes of every hour). It mirrors the status atomically to a JSON
// file for compatibility with the ancestor's /tmp/vig_bot_status.json.
type heartbeat struct {
	store      vig.Store
	registry   *supervisor.Registry
	status     *Status
	clock      clock.Clock
	interval   time.Duration
	statusFile string
	instance   string
	log        *slog.Logger
	metrics    *botMetrics
}

func (h *heartbeat) String() string { return "heartbeat" }

func (h *heartbeat) Serve(ctx context.Context) error {
	ready := h.status.DBReady()
	for {
		h.beat(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.clock.After(h.interval):
		case <-ready:
			// Write the first database heartbeat as soon as it is possible;
			// a nil channel then blocks forever, leaving the interval.
			ready = nil
		}
	}
}

// rows builds the heartbeat rows from the registry and the process status.
// final marks a shutdown record.
func rows(reg *supervisor.Registry, v StatusView, now time.Time, instance string, final vig.ServiceState, finalActivity string) []vig.Heartbeat {
	svcs := reg.Snapshot()
	bot := vig.Heartbeat{Service: "bot", Instance: instance, State: vig.StateRunning, Activity: v.activityLine(),
		Since: v.Started, BeatAt: now, Version: vig.Version}
	if !v.DBReady {
		bot.State = vig.StateStarting
	}
	var lastErrAt time.Time
	for _, s := range svcs {
		bot.Restarts += s.Restarts
		if s.LastError != "" && s.Since.After(lastErrAt) && s.State != vig.StateStopped {
			bot.LastError, lastErrAt = s.Key()+": "+s.LastError, s.Since
		}
	}
	if final != "" {
		bot.State, bot.Activity, bot.Since = final, finalActivity, now
	}
	out := []vig.Heartbeat{bot}
	for _, s := range svcs {
		out = append(out, vig.Heartbeat{Service: "bot/" + s.Key(), Instance: instance, State: s.State,
			Restarts: s.Restarts, LastError: s.LastError, Since: s.Since, BeatAt: now, Version: vig.Version})
	}
	return out
}

func (h *heartbeat) beat(ctx context.Context) {
	now := h.clock.Now().UTC()
	v := h.status.View()
	hbs := rows(h.registry, v, now, h.instance, "", "")
	if err := writeStatusFile(h.statusFile, hbs); err != nil {
		h.log.Warn("status file not written", "path", h.statusFile, "err", err.Error())
	}
	if !v.DBReady {
		return
	}
	// Bounded so a hung database cannot stall the ticker for long.
	tctx, cancel := context.WithTimeout(ctx, max(h.interval, time.Second))
	defer cancel()
	if err := h.store.UpsertHeartbeats(tctx, hbs); err != nil {
		if ctx.Err() == nil {
			h.metrics.heartbeatFailures.Inc()
			h.log.Warn("heartbeat not written; will retry next beat", "err", errText(err))
		}
		return
	}
	h.metrics.heartbeatOK.Set(float64(now.UnixNano()) / 1e9)
}

// statusFileBody is the compatibility file: the ancestor's fields first.
type statusFileBody struct {
	Status    string          `json:"status"`
	Activity  string          `json:"activity"`
	LastScan  *time.Time      `json:"last_scan"`
	UpdatedAt time.Time       `json:"updated_at"`
	Instance  string          `json:"instance"`
	Restarts  int64           `json:"restarts"`
	LastError string          `json:"last_error"`
	Services  []vig.Heartbeat `json:"services"`
}

// writeStatusFile replaces path atomically (temp file + rename) so a reader
// never sees half a file.
func writeStatusFile(path string, hbs []vig.Heartbeat) error {
	if path == "" || len(hbs) == 0 {
		return nil
	}
	bot := hbs[0]
	state := string(bot.State)
	if bot.State == vig.StateStarting || bot.State == vig.StateRestarting || bot.State == vig.StateBackoff {
		state = "running"
	}
	body := statusFileBody{Status: state, Activity: bot.Activity, UpdatedAt: bot.BeatAt, Instance: bot.Instance,
		Restarts: bot.Restarts, LastError: bot.LastError, Services: hbs[1:]}
	b, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".vig_status-*")
	if err != nil {
		return fmt.Errorf("create temp: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %v %v", tmp, werr, cerr)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
