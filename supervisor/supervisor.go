// Package supervisor is the suture glue both services (and `vig dev`) share.
//
// A Tree is a root suture supervisor with one nested supervisor per area
// ("core", "trading", "proxy", "rpc", "web", …), so a crash-looping service
// backs off alone. One EventHook on the root feeds slog, Prometheus, the
// state Registry and an optional event sink. Because suture never escalates
// (it pauses restarts, forever), the Tree adds the last resort itself: a
// service restarted more than Escalation.MaxRestarts times within
// Escalation.Window terminates the tree, and Serve returns an error wrapping
// vig.ErrEscalated so the process exits 1 and the platform restarts it.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/thejerf/suture/v4"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// Escalation is when to give up on a failing service.
type Escalation struct {
	MaxRestarts int           // restarts tolerated within Window; 0 never escalates
	Window      time.Duration // sliding window
}

// Options configure a Tree. Zero values take the documented defaults.
type Options struct {
	Tree       string                // tree name: "bot", "dashboard", "dev"
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // nil: metrics are not registered
	Clock      clock.Clock           // default clock.Real{}
	Escalation Escalation

	// suture tuning per area supervisor; zero keeps suture's defaults
	// (threshold 5, decay 30 s, backoff 15 s).
	FailureThreshold float64
	FailureDecay     float64
	FailureBackoff   time.Duration
	// StopTimeout is how long a service may take to stop before suture
	// reports it stuck (default 10 s).
	StopTimeout time.Duration

	// OnEvent receives every supervision event. It is called synchronously
	// from suture's loop, so it must not block or call into the Tree.
	OnEvent func(vig.SupervisorEvent)
}

// Tree is one process's supervision tree.
type Tree struct {
	opts    Options
	log     *slog.Logger
	clock   clock.Clock
	reg     *Registry
	metrics *hookMetrics
	root    *suture.Supervisor
	areas   map[string]*suture.Supervisor
	order   []string

	mu        sync.Mutex
	escalated error
	started   bool
}

// New builds an empty tree.
func New(opts Options) *Tree {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 10 * time.Second
	}
	t := &Tree{
		opts:  opts,
		log:   opts.Logger.With("tree", opts.Tree),
		clock: opts.Clock,
		reg:   NewRegistry(opts.Tree, opts.Clock),
		areas: map[string]*suture.Supervisor{},
	}
	t.metrics = newHookMetrics(opts.Registerer, opts.Tree)
	// The root's own Timeout exceeds its children's so it never reports a
	// whole area as stuck while that area is still waiting on a service.
	t.root = suture.New(opts.Tree, suture.Spec{
		EventHook:        t.hook,
		Timeout:          opts.StopTimeout + time.Second,
		FailureThreshold: 1e9, // areas never fail as a whole; escalation is ours
	})
	return t
}

// Registry returns the tree's state registry.
func (t *Tree) Registry() *Registry { return t.reg }

// Area makes sure the nested supervisor for area exists, even with no
// services yet (the bot's trading, proxy and rpc places are set up front).
func (t *Tree) Area(name string) {
	if _, ok := t.areas[name]; ok {
		return
	}
	sup := suture.New(name, suture.Spec{
		FailureThreshold: t.opts.FailureThreshold,
		FailureDecay:     t.opts.FailureDecay,
		FailureBackoff:   t.opts.FailureBackoff,
		Timeout:          t.opts.StopTimeout,
	})
	t.areas[name] = sup
	t.order = append(t.order, name)
	t.root.Add(sup)
}

// Areas returns the area names in creation order.
func (t *Tree) Areas() []string { return append([]string(nil), t.order...) }

// Add supervises svc in area. svc must implement fmt.Stringer with a short
// name unique in its area. Add must be called before Serve.
func (t *Tree) Add(area string, svc suture.Service) {
	t.mu.Lock()
	started := t.started
	t.mu.Unlock()
	if started {
		panic("supervisor: Add after Serve") // programmer error
	}
	name := fmt.Sprint(svc)
	if _, ok := svc.(fmt.Stringer); !ok || name == "" {
		panic(fmt.Sprintf("supervisor: service %T needs a String() name", svc))
	}
	if _, dup := t.reg.Get(area, name); dup {
		panic("supervisor: duplicate service " + area + "/" + name)
	}
	t.Area(area)
	t.reg.add(area, name)
	t.areas[area].Add(&tracked{svc: svc, area: area, name: name, tree: t})
}

// Serve runs the tree until ctx is cancelled (returns nil), a service asks
// to terminate the tree (returns that service's error), or escalation gives
// up (returns an error wrapping vig.ErrEscalated).
func (t *Tree) Serve(ctx context.Context) error {
	t.mu.Lock()
	t.started = true
	t.mu.Unlock()
	err := t.root.Serve(ctx)
	t.mu.Lock()
	esc := t.escalated
	t.mu.Unlock()
	switch {
	case esc != nil:
		return esc
	case ctx.Err() != nil && !errors.Is(err, suture.ErrTerminateSupervisorTree):
		t.reg.MarkAll(vig.StateStopped)
		return nil
	case err == nil:
		return errors.New("supervisor: tree stopped unexpectedly")
	}
	return err
}

// tracked wraps a service to keep the registry current and to apply the
// escalation policy at each (re)start.
type tracked struct {
	svc     suture.Service
	area    string
	name    string
	tree    *Tree
	starts  []time.Time // suture never runs one service's Serve concurrently
	started bool
}

func (w *tracked) String() string { return w.name }

func (w *tracked) key() string { return w.area + "/" + w.name }

func (w *tracked) Serve(ctx context.Context) error {
	t := w.tree
	now := t.clock.Now()
	if esc := t.opts.Escalation; esc.MaxRestarts > 0 {
		kept := w.starts[:0]
		for _, s := range w.starts {
			if now.Sub(s) < esc.Window {
				kept = append(kept, s)
			}
		}
		w.starts = append(kept, now)
		if restarts := len(w.starts) - 1; restarts > esc.MaxRestarts {
			err := fmt.Errorf("%s: %d restarts within %s: %w: %w", w.key(), restarts, esc.Window, vig.ErrEscalated, suture.ErrTerminateSupervisorTree)
			t.escalate(w, err)
			return err
		}
	}
	t.reg.set(w.key(), vig.StateRunning, w.started, "")
	t.metrics.up(w.key(), 1)
	w.started = true
	returned := false
	defer func() {
		t.metrics.up(w.key(), 0)
		if !returned { // panicking: the hook records the panic message
			t.reg.set(w.key(), vig.StateRestarting, false, "panic")
		}
	}()
	err := w.svc.Serve(ctx)
	returned = true
	switch {
	case ctx.Err() != nil:
		t.reg.set(w.key(), vig.StateStopped, false, "")
	case errors.Is(err, suture.ErrTerminateSupervisorTree):
		t.reg.set(w.key(), vig.StateStopped, false, errText(err))
	case errors.Is(err, suture.ErrDoNotRestart):
		t.reg.set(w.key(), vig.StateStopped, false, "")
	case err == nil:
		// suture restarts a nil return; it is a bug in the service.
		t.reg.set(w.key(), vig.StateRestarting, false, "returned without error (services must not end on their own)")
	default:
		t.reg.set(w.key(), vig.StateRestarting, false, errText(err))
	}
	return err
}

func (t *Tree) escalate(w *tracked, err error) {
	t.mu.Lock()
	if t.escalated == nil {
		t.escalated = err
	}
	t.mu.Unlock()
	t.reg.set(w.key(), vig.StateFailed, false, errText(err))
	t.log.Error("escalating: a service kept failing, stopping the process so the platform restarts it",
		"area", w.area, "service", w.name, "err", err.Error())
	if t.opts.OnEvent != nil {
		t.opts.OnEvent(vig.SupervisorEvent{At: t.clock.Now().UTC(), Tree: t.opts.Tree, Supervisor: w.area,
			Service: w.name, Kind: "escalate", Message: errText(err)})
	}
}

// errText bounds an error's text for logs, the registry and the store.
func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
