package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/thejerf/suture/v4"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/supervisor"
)

// steady runs until cancelled.
type steady struct{ name string }

func (s steady) String() string { return s.name }
func (s steady) Serve(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// scripted fails each time the test sends on fail (error, or panic when the
// value is "panic"), and reports each start on started.
type scripted struct {
	name    string
	fail    chan string
	started chan int
	n       atomic.Int32
}

func newScripted(name string) *scripted {
	return &scripted{name: name, fail: make(chan string), started: make(chan int, 100)}
}
func (s *scripted) String() string { return s.name }
func (s *scripted) Serve(ctx context.Context) error {
	s.started <- int(s.n.Add(1))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case how := <-s.fail:
		if how == "panic" {
			panic("scripted panic")
		}
		return errors.New("scripted failure: " + how)
	}
}

// flaky fails immediately, every time.
type flaky struct {
	name  string
	panic bool
	runs  atomic.Int32
}

func (f *flaky) String() string { return f.name }
func (f *flaky) Serve(ctx context.Context) error {
	f.runs.Add(1)
	if f.panic {
		panic("flaky panic")
	}
	return errors.New("flaky failure")
}

type recorder struct {
	mu  sync.Mutex
	evs []vig.SupervisorEvent
}

func (r *recorder) add(e vig.SupervisorEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
}

func (r *recorder) kinds() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []string
	for _, e := range r.evs {
		ks = append(ks, e.Supervisor+":"+e.Kind)
	}
	return strings.Join(ks, ",")
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func waitStart(t *testing.T, s *scripted, want int) {
	t.Helper()
	select {
	case got := <-s.started:
		if got != want {
			t.Fatalf("%s start #%d, want #%d", s.name, got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s start #%d did not happen", s.name, want)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func serve(t *testing.T, tree *supervisor.Tree) (cancel func(), done <-chan error) {
	t.Helper()
	ctx, cancelFn := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- tree.Serve(ctx) }()
	t.Cleanup(cancelFn)
	return cancelFn, ch
}

func TestFailingServiceRestartsAlone(t *testing.T) {
	reg := prometheus.NewRegistry()
	clk := clock.NewFake(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	rec := &recorder{}
	tree := supervisor.New(supervisor.Options{Tree: "bot", Logger: quietLogger(), Registerer: reg, Clock: clk, OnEvent: rec.add})
	bad := newScripted("worker")
	tree.Add("trading", bad)
	tree.Add("core", steady{"heartbeat"})
	cancel, done := serve(t, tree)

	waitStart(t, bad, 1)
	eventually(t, "heartbeat running", func() bool {
		s, _ := tree.Registry().Get("core", "heartbeat")
		return s.State == vig.StateRunning
	})
	sibling, _ := tree.Registry().Get("core", "heartbeat")

	for i := 2; i <= 4; i++ {
		clk.Advance(time.Second)
		bad.fail <- fmt.Sprintf("round %d", i)
		waitStart(t, bad, i)
	}
	bad.fail <- "panic"
	waitStart(t, bad, 5)
	// suture reports a panic after it has restarted the service.
	eventually(t, "panic reported", func() bool { return strings.Contains(rec.kinds(), "trading:panic") })

	st, _ := tree.Registry().Get("trading", "worker")
	if got, want := st.Restarts, int64(4); got != want {
		t.Errorf("worker restarts = %d, want %d", got, want)
	}
	if !strings.Contains(st.LastError, "panic: scripted panic") {
		t.Errorf("worker last error = %q, want the panic", st.LastError)
	}
	after, _ := tree.Registry().Get("core", "heartbeat")
	if after.Restarts != 0 || !after.Since.Equal(sibling.Since) || after.State != vig.StateRunning {
		t.Errorf("sibling disturbed: before %+v after %+v", sibling, after)
	}
	if got := testutil.ToFloat64(mustCounter(t, reg, "vig_supervisor_service_restarts_total", map[string]string{"tree": "bot", "service": "trading/worker", "reason": "error"})); got != 3 {
		t.Errorf("error restarts metric = %v, want 3", got)
	}
	if got := testutil.ToFloat64(mustCounter(t, reg, "vig_supervisor_panics_total", map[string]string{"tree": "bot", "service": "trading/worker"})); got != 1 {
		t.Errorf("panics metric = %v, want 1", got)
	}
	if k := rec.kinds(); !strings.Contains(k, "trading:terminate") || !strings.Contains(k, "trading:panic") {
		t.Errorf("events = %s", k)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel = %v, want nil", err)
	}
	for _, s := range tree.Registry().Snapshot() {
		if s.State != vig.StateStopped {
			t.Errorf("%s state after shutdown = %s, want stopped", s.Key(), s.State)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric lint %s: %s", p.Metric, p.Text)
	}
}

// mustCounter finds the collector for one labelled series by gathering.
func mustCounter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) prometheus.Collector {
	t.Helper()
	return collectorFunc(func(ch chan<- prometheus.Metric) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
		next:
			for _, m := range mf.Metric {
				for _, lp := range m.Label {
					if labels[lp.GetName()] != lp.GetValue() {
						continue next
					}
				}
				v := m.GetCounter().GetValue()
				ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, "x", nil, nil), prometheus.CounterValue, v)
				return
			}
		}
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, "x", nil, nil), prometheus.CounterValue, -1)
	})
}

type collectorFunc func(chan<- prometheus.Metric)

func (f collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

func TestEscalationWithinWindow(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	rec := &recorder{}
	tree := supervisor.New(supervisor.Options{Tree: "bot", Logger: quietLogger(), Clock: clk, OnEvent: rec.add,
		Escalation:       supervisor.Escalation{MaxRestarts: 3, Window: time.Minute},
		FailureThreshold: 100, // keep suture's own backoff out of this test
	})
	bad := &flaky{name: "worker", panic: true}
	tree.Add("trading", bad)
	tree.Add("core", steady{"heartbeat"})
	_, done := serve(t, tree)
	select {
	case err := <-done:
		if !errors.Is(err, vig.ErrEscalated) {
			t.Fatalf("Serve = %v, want ErrEscalated", err)
		}
		if !strings.Contains(err.Error(), "trading/worker") {
			t.Errorf("error %q does not name the service", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("tree did not escalate")
	}
	if got, want := bad.runs.Load(), int32(4); got != want {
		t.Errorf("runs = %d, want %d (start + MaxRestarts)", got, want)
	}
	st, _ := tree.Registry().Get("trading", "worker")
	if st.State != vig.StateFailed {
		t.Errorf("state = %s, want failed", st.State)
	}
	if !strings.Contains(rec.kinds(), "trading:escalate") {
		t.Errorf("no escalate event: %s", rec.kinds())
	}
}

func TestNoEscalationWhenFailuresAreSpreadOut(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	tree := supervisor.New(supervisor.Options{Tree: "bot", Logger: quietLogger(), Clock: clk,
		Escalation: supervisor.Escalation{MaxRestarts: 2, Window: time.Minute}, FailureThreshold: 100})
	bad := newScripted("worker")
	tree.Add("trading", bad)
	cancel, done := serve(t, tree)
	waitStart(t, bad, 1)
	for i := 2; i <= 8; i++ {
		clk.Advance(31 * time.Second) // at most 2 starts ever fall within a minute
		bad.fail <- "again"
		waitStart(t, bad, i)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v, want nil (no escalation)", err)
	}
}

func TestServiceTerminatesTree(t *testing.T) {
	tree := supervisor.New(supervisor.Options{Tree: "bot", Logger: quietLogger()})
	tree.Add("core", steady{"heartbeat"})
	tree.Add("core", terminator{})
	_, done := serve(t, tree)
	select {
	case err := <-done:
		if !errors.Is(err, vig.ErrRestartRequested) {
			t.Fatalf("Serve = %v, want ErrRestartRequested", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("tree did not terminate")
	}
}

type terminator struct{}

func (terminator) String() string { return "commands" }
func (terminator) Serve(ctx context.Context) error {
	return fmt.Errorf("%w: %w", vig.ErrRestartRequested, suture.ErrTerminateSupervisorTree)
}

func TestBackoffIsPerArea(t *testing.T) {
	reg := prometheus.NewRegistry()
	rec := &recorder{}
	tree := supervisor.New(supervisor.Options{Tree: "bot", Logger: quietLogger(), Registerer: reg, OnEvent: rec.add,
		FailureThreshold: 2, FailureBackoff: 200 * time.Millisecond})
	tree.Add("trading", &flaky{name: "worker"})
	tree.Add("core", steady{"heartbeat"})
	_, _ = serve(t, tree)
	eventually(t, "trading in backoff", func() bool { return tree.Registry().InBackoff("trading") })
	if tree.Registry().InBackoff("core") {
		t.Error("core must not back off")
	}
	st, _ := tree.Registry().Get("trading", "worker")
	if st.State != vig.StateBackoff {
		t.Errorf("worker state = %s, want backoff", st.State)
	}
	eventually(t, "resume event", func() bool { return strings.Contains(rec.kinds(), "trading:resume") })
	hb, _ := tree.Registry().Get("core", "heartbeat")
	if hb.Restarts != 0 || hb.State != vig.StateRunning {
		t.Errorf("heartbeat disturbed: %+v", hb)
	}
}

func TestNilReturnIsAFailure(t *testing.T) {
	reg := prometheus.NewRegistry()
	tree := supervisor.New(supervisor.Options{Tree: "dev", Logger: quietLogger(), Registerer: reg, FailureThreshold: 100})
	n := &nilReturner{}
	tree.Add("x", n)
	cancel, done := serve(t, tree)
	eventually(t, "restarts", func() bool { return n.runs.Load() >= 3 })
	cancel()
	<-done
	if got := testutil.ToFloat64(mustCounter(t, reg, "vig_supervisor_service_restarts_total", map[string]string{"tree": "dev", "service": "x/quitter", "reason": "exit"})); got < 2 {
		t.Errorf("exit restarts = %v, want >= 2", got)
	}
}

type nilReturner struct{ runs atomic.Int32 }

func (n *nilReturner) String() string { return "quitter" }
func (n *nilReturner) Serve(ctx context.Context) error {
	if n.runs.Add(1) > 3 {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func TestAddValidation(t *testing.T) {
	tree := supervisor.New(supervisor.Options{Tree: "x", Logger: quietLogger()})
	tree.Add("a", steady{"one"})
	for name, fn := range map[string]func(){
		"duplicate": func() { tree.Add("a", steady{"one"}) },
		"noname":    func() { tree.Add("a", unnamed{}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("want panic")
				}
			}()
			fn()
		})
	}
}

type unnamed struct{}

func (unnamed) Serve(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
