package bot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/metrics"
	"github.com/vig-bot/vig/supervisor"
)

// Areas of the bot's tree, each its own nested supervisor so a failing
// subservice backs off alone. trading, proxy and rpc are filled by later
// issues (the trading engine, the residential proxy for CLOB traffic and the
// Polygon JSON-RPC client).
var Areas = []string{"core", "ops", "trading", "proxy", "rpc"}

// Deps is what the bot needs from run(), which owns and closes them.
type Deps struct {
	Config   config.Bot
	Store    vig.Store
	Metrics  *prometheus.Registry
	Logger   *slog.Logger
	Clock    clock.Clock
	Instance string         // host/pid, written into heartbeats
	OpsBound func(net.Addr) // optional: told the ops listener's address
}

// Bot is the worker process.
type Bot struct {
	d      Deps
	tree   *supervisor.Tree
	status *Status
}

// New builds the bot's supervision tree.
func New(d Deps) *Bot {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	cfg := d.Config
	m := newBotMetrics(d.Metrics)
	status := NewStatus(d.Clock.Now())
	status.SetActivity("idle: trading engine not installed yet")
	ev := newEvents(d.Store, status, d.Clock, cfg.EventHistory, d.Logger.With("service", "events"), m)
	tree := supervisor.New(supervisor.Options{
		Tree:       "bot",
		Logger:     d.Logger,
		Registerer: d.Metrics,
		Clock:      d.Clock,
		Escalation: supervisor.Escalation{MaxRestarts: cfg.Escalation.MaxRestarts, Window: cfg.Escalation.Window},
		// Half the shutdown deadline for services to stop leaves the other
		// half to persist the final state.
		StopTimeout: cfg.ShutdownTimeout / 2,
		OnEvent:     ev.Offer,
	})
	for _, a := range Areas {
		tree.Area(a)
	}
	tree.Add("core", &migrator{store: d.Store, status: status, clock: d.Clock, log: d.Logger.With("service", "migrate"), metrics: m})
	tree.Add("core", &heartbeat{store: d.Store, registry: tree.Registry(), status: status, clock: d.Clock,
		interval: cfg.HeartbeatInterval, statusFile: cfg.StatusFile, instance: d.Instance, log: d.Logger.With("service", "heartbeat"), metrics: m})
	tree.Add("core", &commands{store: d.Store, status: status, clock: d.Clock, poll: cfg.CommandPoll, log: d.Logger.With("service", "commands"), metrics: m})
	tree.Add("core", ev)
	tree.Add("ops", &ops{addr: cfg.MetricsAddr, metrics: metrics.Handler(d.Metrics, d.Logger), status: status, registry: tree.Registry(),
		log: d.Logger.With("service", "ops-http"), bound: d.OpsBound})
	faults, _ := config.ParseFaults(cfg.FaultInject) // validated by config.LoadBot
	for _, f := range faults {
		d.Logger.Warn("fault injection enabled: this service fails on purpose", "area", f.Area, "mode", f.Mode, "every", f.Every.String())
		tree.Add(f.Area, &fault{cfg: f, clock: d.Clock})
	}
	return &Bot{d: d, tree: tree, status: status}
}

// Tree returns the supervision tree (for tests and health views).
func (b *Bot) Tree() *supervisor.Tree { return b.tree }

// Serve runs the bot until ctx ends (nil), an operator restart (an error
// wrapping vig.ErrRestartRequested) or escalation (vig.ErrEscalated). On
// the way out it persists the final state: services have stopped taking
// work by then, so the record is the last word.
func (b *Bot) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, b.status.SetDraining)
	defer stop()
	b.d.Logger.Info("bot starting", "paper_mode", b.d.Config.PaperMode, "database", b.d.Config.DatabaseLabel(),
		"version", vig.Version, "instance", b.d.Instance)
	err := b.tree.Serve(ctx)
	b.status.SetDraining()

	state, activity := vig.StateStopped, "stopped"
	switch {
	case err == nil:
		activity = "stopped by signal"
	case errors.Is(err, vig.ErrRestartRequested):
		activity = "restarting on operator request"
	default:
		state, activity = vig.StateFailed, "failed: "+errText(err)
	}
	b.persistFinal(state, activity)
	return err
}

func (b *Bot) persistFinal(state vig.ServiceState, activity string) {
	now := b.d.Clock.Now().UTC()
	v := b.status.View()
	hbs := rows(b.tree.Registry(), v, now, b.d.Instance, state, activity)
	if err := writeStatusFile(b.d.Config.StatusFile, hbs); err != nil {
		b.d.Logger.Warn("final status file not written", "err", err.Error())
	}
	if !v.DBReady {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(3*time.Second, max(b.d.Config.ShutdownTimeout/2, time.Second)))
	defer cancel()
	if err := b.d.Store.UpsertHeartbeats(ctx, hbs); err != nil {
		b.d.Logger.Warn("final heartbeat not written", "err", errText(err))
		return
	}
	b.d.Logger.Info("final state persisted", "state", string(state), "activity", activity)
}
