// Package devrun is the engine behind `vig dev`: a local Procfile runner in
// the style of foreman and overmind, built as a suture tree (through package
// supervisor) whose services are child processes.
//
// Unlike foreman, one crashing process does not stop the others: each proc
// is a service in its own area of one "dev" tree and restarts alone after a
// doubling delay, so the dashboard keeps serving while the bot crash-loops.
// Each child runs `/bin/sh -c command` in its own process group; on shutdown
// the whole group gets SIGTERM, then SIGKILL after a grace period, and Run
// only returns once nothing of any group is left running.
package devrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/supervisor"
)

// Defaults for zero Options fields.
const (
	DefaultBasePort    = 8080 // the dashboard, listed first, comes up on :8080
	DefaultPortStep    = 100  // foreman's step between process types
	DefaultKillTimeout = 5 * time.Second
	DefaultMinBackoff  = time.Second
	DefaultMaxBackoff  = 30 * time.Second
)

const (
	// drainTimeout bounds the wait for a child's output pipe to reach EOF
	// after its process group is gone (only a process that left the group
	// and kept the pipe open can hold it longer).
	drainTimeout = 500 * time.Millisecond
	// reapTimeout bounds the wait for a SIGKILLed group to disappear.
	reapTimeout = 2 * time.Second
	// pollInterval is how often a stopping group is checked.
	pollInterval = 10 * time.Millisecond
	// shell runs each Procfile command.
	shell = "/bin/sh"
)

// Options configure Run. Zero values take the documented defaults.
type Options struct {
	// Procs are the processes to run, in Procfile order (which also
	// decides ports and colours). Must not be empty.
	Procs []Proc
	// Env is the children's base environment (KEY=VALUE), e.g.
	// os.Environ() overlaid with .env values; nil means os.Environ().
	Env []string
	// BasePort is the PORT of the first proc (default 8080); each next
	// proc gets PortStep more (default 100), as foreman does.
	BasePort int
	PortStep int
	// PathPrepend is put first on the children's PATH, normally the
	// directory of the running vig binary, so Procfile lines can say
	// `vig bot`. Empty leaves PATH alone.
	PathPrepend string
	// KillTimeout is the SIGTERM → SIGKILL grace on shutdown (default 5s,
	// as foreman, honcho and overmind).
	KillTimeout time.Duration
	// Escalation: a child restarted more often than this makes Run stop
	// every child and return an error wrapping vig.ErrEscalated. The zero
	// value restarts forever.
	Escalation supervisor.Escalation
	// MinBackoff and MaxBackoff bound a crashed child's restart delay: it
	// doubles from MinBackoff (default 1s) up to MaxBackoff (default 30s)
	// and resets once the child ran longer than MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Stdout receives every child's stdout and stderr, line by line with
	// a "HH:MM:SS name | " prefix, plus the runner's own "dev" lines.
	// Default os.Stdout.
	Stdout io.Writer
	// Color wraps the prefix in ANSI colours; pass true only when Stdout
	// is a terminal.
	Color bool
	// Force is closed on a second SIGINT/SIGTERM: every child's process
	// group is SIGKILLed at once instead of waiting for KillTimeout.
	Force <-chan struct{}
	// Logger receives the supervision tree's logs; default slog.Default().
	Logger *slog.Logger
	// Registerer, when not nil, gets the supervisor metrics and
	// vig_dev_child_exits_total{proc}.
	Registerer prometheus.Registerer
	// Clock drives restart delays and the output timestamps; default
	// clock.Real{}. The kill grace and partial-line flush use real time.
	Clock clock.Clock
}

// Run starts every proc and supervises them until ctx is cancelled (or
// Force is closed): then each process group gets SIGTERM, SIGKILL after
// KillTimeout, and Run returns nil once all are gone. If a child keeps
// crashing past opts.Escalation, Run stops all children the same way and
// returns an error wrapping vig.ErrEscalated. Invalid options are an error.
func Run(ctx context.Context, opts Options) error {
	return run(ctx, opts, shell)
}

// run is Run with the shell made replaceable, so tests can make starting a
// child fail.
func run(ctx context.Context, opts Options, sh string) error {
	if !supported {
		return errors.New("devrun: vig dev needs a Unix-like system (process groups)")
	}
	if err := withDefaults(&opts); err != nil {
		return err
	}
	width := len(sysName)
	for _, p := range opts.Procs {
		width = max(width, len(p.Name))
	}
	r := &runner{
		opts:  opts,
		shell: sh,
		out:   &output{w: opts.Stdout, clock: opts.Clock, width: width, color: opts.Color},
		exits: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "dev",
			Name: "child_exits_total", Help: "Child processes of vig dev that exited on their own (each is restarted)."},
			[]string{"proc"}),
	}
	r.idle = sync.NewCond(&r.mu)
	tree := supervisor.New(supervisor.Options{
		Tree:       "dev",
		Logger:     opts.Logger,
		Registerer: opts.Registerer,
		Clock:      opts.Clock,
		Escalation: opts.Escalation,
		// Our own per-child doubling delay replaces suture's backoff,
		// which would add a 15–22 s pause after 6 quick failures.
		FailureThreshold: 1e9,
		StopTimeout:      opts.KillTimeout + reapTimeout + drainTimeout + time.Second,
		// Say so before the tree stops the siblings, so the output reads
		// in order. Called synchronously; writing a line does not block
		// on the tree.
		OnEvent: func(ev vig.SupervisorEvent) {
			if ev.Kind == "escalate" {
				r.out.sys("giving up: %s; stopping all processes", ev.Message)
			}
		},
	})
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(r.exits); err != nil {
			return fmt.Errorf("devrun: register metrics: %w", err)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Force != nil {
		go func() {
			select {
			case <-opts.Force:
				cancel()
			case <-ctx.Done():
			}
		}()
	}

	for i, p := range opts.Procs {
		port := opts.BasePort + i*opts.PortStep
		tree.Add(p.Name, &child{
			r:       r,
			name:    p.Name,
			command: p.Command,
			color:   colors[i%len(colors)],
			env:     childEnv(opts.Env, opts.PathPrepend, port, p.Name+".1"),
		})
	}
	err := tree.Serve(ctx)
	if err != nil && !errors.Is(err, vig.ErrEscalated) {
		r.out.sys("stopping: %v", err)
	}
	// suture waits for stopping services only up to its stop timeout;
	// wait for every Serve to return (each stops its own process group)
	// so that no child outlives Run.
	r.closeAndWait()
	return err
}

// withDefaults validates opts and fills in the defaults.
func withDefaults(o *Options) error {
	if len(o.Procs) == 0 {
		return errors.New("devrun: no processes to run")
	}
	seen := map[string]bool{}
	for _, p := range o.Procs {
		switch {
		case !validName.MatchString(p.Name):
			return fmt.Errorf("devrun: invalid process name %q", p.Name)
		case strings.TrimSpace(p.Command) == "":
			return fmt.Errorf("devrun: process %q has no command", p.Name)
		case seen[p.Name]:
			return fmt.Errorf("devrun: duplicate process name %q", p.Name)
		}
		seen[p.Name] = true
	}
	if o.BasePort == 0 {
		o.BasePort = DefaultBasePort
	}
	if o.PortStep == 0 {
		o.PortStep = DefaultPortStep
	}
	if last := o.BasePort + (len(o.Procs)-1)*o.PortStep; o.BasePort < 1 || o.PortStep < 0 || last > 65535 {
		return fmt.Errorf("devrun: ports %d..%d (base %d, step %d) are out of range", o.BasePort, last, o.BasePort, o.PortStep)
	}
	if o.KillTimeout <= 0 {
		o.KillTimeout = DefaultKillTimeout
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Env == nil {
		o.Env = os.Environ()
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	return nil
}

// defaultPath stands in for a missing PATH when PathPrepend must be added,
// so the children still find the usual tools.
const defaultPath = "/usr/local/bin:/usr/bin:/bin"

// childEnv is base plus PORT, PS, PATH with dir first, and LOG_FORMAT=text
// unless base sets LOG_FORMAT (a child's stdout is a pipe, so vig would
// otherwise log JSON).
func childEnv(base []string, dir string, port int, ps string) []string {
	env := make([]string, 0, len(base)+4)
	path, hasPath, hasLogFormat := "", false, false
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PORT", "PS":
			continue
		case "PATH":
			path, hasPath = v, true
			continue
		case "LOG_FORMAT":
			hasLogFormat = true
		}
		env = append(env, kv)
	}
	if dir != "" {
		if !hasPath {
			path = defaultPath
		}
		if path == "" {
			path = dir // "dir:" would add the working directory to PATH
		} else {
			path = dir + string(os.PathListSeparator) + path
		}
		hasPath = true
	}
	if hasPath {
		env = append(env, "PATH="+path)
	}
	env = append(env, "PORT="+strconv.Itoa(port), "PS="+ps)
	if !hasLogFormat {
		env = append(env, "LOG_FORMAT=text")
	}
	return env
}

// runner is the state shared by the children of one Run.
type runner struct {
	opts  Options
	shell string
	out   *output
	exits *prometheus.CounterVec

	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops
	active int        // children inside Serve
	closed bool       // Run is finishing: start nothing new
}

// enter registers a Serve call; false once Run is finishing, so no child
// can start after Run stopped waiting.
func (r *runner) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.active++
	return true
}

func (r *runner) leave() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	r.idle.Broadcast()
}

// closeAndWait stops new starts and waits for every Serve to return (each
// one stops its own process group first).
func (r *runner) closeAndWait() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for r.active > 0 {
		r.idle.Wait()
	}
}
