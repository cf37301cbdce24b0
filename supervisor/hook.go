package supervisor

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/thejerf/suture/v4"

	"github.com/vig-bot/vig"
)

// hookMetrics are the supervision metrics. All are labelled by tree and by
// area/name keys, which are fixed at startup, so cardinality is bounded.
type hookMetrics struct {
	restarts  *prometheus.CounterVec
	panics    *prometheus.CounterVec
	backoff   *prometheus.GaugeVec
	backoffs  *prometheus.CounterVec
	stopSlow  *prometheus.CounterVec
	serviceUp *prometheus.GaugeVec
	tree      string
}

func newHookMetrics(reg prometheus.Registerer, tree string) *hookMetrics {
	m := &hookMetrics{
		tree: tree,
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "service_restarts_total", Help: "Service failures that led to a (queued) restart, by reason: error, panic or exit (returned nil)."},
			[]string{"tree", "service", "reason"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "panics_total", Help: "Panics recovered by the supervisor."}, []string{"tree", "service"}),
		backoff: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "backoff", Help: "1 while the area's supervisor is pausing restarts."}, []string{"tree", "supervisor"}),
		backoffs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "backoffs_total", Help: "Times an area's supervisor entered backoff."}, []string{"tree", "supervisor"}),
		stopSlow: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "stop_timeouts_total", Help: "Services that did not stop within the stop timeout."}, []string{"tree", "service"}),
		serviceUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "supervisor",
			Name: "service_up", Help: "1 while the service's Serve is running."}, []string{"tree", "service"}),
	}
	if reg != nil {
		reg.MustRegister(m.restarts, m.panics, m.backoff, m.backoffs, m.stopSlow, m.serviceUp)
	}
	return m
}

func (m *hookMetrics) up(key string, v float64) { m.serviceUp.WithLabelValues(m.tree, key).Set(v) }

// hook is the single EventHook of the tree (suture copies the root's hook
// into every nested supervisor). suture calls it synchronously from its
// loop and from a second goroutine on stop timeouts: it only touches
// goroutine-safe state and never calls back into a supervisor.
func (t *Tree) hook(ev suture.Event) {
	m := t.metrics
	out := vig.SupervisorEvent{At: t.clock.Now().UTC(), Tree: t.opts.Tree}
	switch e := ev.(type) {
	case suture.EventServiceTerminate:
		key := e.SupervisorName + "/" + e.ServiceName
		reason := "error"
		if e.Err == nil {
			reason = "exit"
		}
		msg := fmt.Sprint(e.Err)
		if e.Err == nil {
			msg = "returned without error"
		}
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		// Counted even when Restarting is false: that is the failure that
		// tripped backoff, and its restart is only queued until resume.
		m.restarts.WithLabelValues(m.tree, key, reason).Inc()
		t.log.Warn("service failed", "area", e.SupervisorName, "service", e.ServiceName, "err", msg,
			"failures", e.CurrentFailures, "threshold", e.FailureThreshold, "restarting", e.Restarting)
		out.Supervisor, out.Service, out.Kind, out.Message, out.Restarting = e.SupervisorName, e.ServiceName, "terminate", msg, e.Restarting
	case suture.EventServicePanic:
		key := e.SupervisorName + "/" + e.ServiceName
		m.restarts.WithLabelValues(m.tree, key, "panic").Inc()
		m.panics.WithLabelValues(m.tree, key).Inc()
		msg := "panic: " + e.PanicMsg
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		// suture emits this after restarting the service; the wrapper has
		// already recorded the state, so only the message is added here.
		t.reg.setError(key, msg)
		t.log.Error("service panicked", "area", e.SupervisorName, "service", e.ServiceName, "panic", e.PanicMsg,
			"stack", e.Stacktrace, "restarting", e.Restarting)
		out.Supervisor, out.Service, out.Kind, out.Message, out.Restarting = e.SupervisorName, e.ServiceName, "panic", msg, e.Restarting
	case suture.EventBackoff:
		m.backoff.WithLabelValues(m.tree, e.SupervisorName).Set(1)
		m.backoffs.WithLabelValues(m.tree, e.SupervisorName).Inc()
		t.reg.setBackoff(e.SupervisorName, true)
		t.log.Error("supervisor backing off: restarts paused", "area", e.SupervisorName)
		out.Supervisor, out.Kind, out.Message = e.SupervisorName, "backoff", "restarts paused after repeated failures"
	case suture.EventResume:
		m.backoff.WithLabelValues(m.tree, e.SupervisorName).Set(0)
		t.reg.setBackoff(e.SupervisorName, false)
		t.log.Info("supervisor resumed restarts", "area", e.SupervisorName)
		out.Supervisor, out.Kind, out.Message = e.SupervisorName, "resume", "restarts resumed"
	case suture.EventStopTimeout:
		key := e.SupervisorName + "/" + e.ServiceName
		m.stopSlow.WithLabelValues(m.tree, key).Inc()
		t.log.Error("service did not stop in time", "area", e.SupervisorName, "service", e.ServiceName)
		out.Supervisor, out.Service, out.Kind, out.Message = e.SupervisorName, e.ServiceName, "stop_timeout", "did not stop within the stop timeout"
	default:
		return
	}
	if t.opts.OnEvent != nil {
		t.opts.OnEvent(out)
	}
}
