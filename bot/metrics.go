package bot

import "github.com/prometheus/client_golang/prometheus"

// botMetrics are the bot's own metrics (supervision metrics come from the
// supervisor package).
type botMetrics struct {
	heartbeatOK       prometheus.Gauge
	heartbeatFailures prometheus.Counter
	dbReady           prometheus.Gauge
	commands          *prometheus.CounterVec
	eventsDropped     prometheus.Counter
	intent            *prometheus.GaugeVec
}

func newBotMetrics(reg prometheus.Registerer) *botMetrics {
	m := &botMetrics{
		heartbeatOK: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "bot",
			Name: "heartbeat_last_success_timestamp_seconds", Help: "Unix time of the last heartbeat written to the database."}),
		heartbeatFailures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vig", Subsystem: "bot",
			Name: "heartbeat_failures_total", Help: "Heartbeat writes to the database that failed."}),
		dbReady: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "bot",
			Name: "database_ready", Help: "1 once the database is reachable and migrated."}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vig", Subsystem: "bot",
			Name: "commands_applied_total", Help: "Operator commands applied, by kind."}, []string{"kind"}),
		eventsDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vig", Subsystem: "bot",
			Name: "events_dropped_total", Help: "Supervisor events not persisted because the buffer was full."}),
		intent: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vig", Subsystem: "bot",
			Name: "intent", Help: "1 for the operator's current intent (running, paused or halted)."}, []string{"state"}),
	}
	for _, k := range []string{"pause", "resume", "halt", "restart", "unknown"} {
		m.commands.WithLabelValues(k) // export zeroes for known series
	}
	for _, s := range []string{"running", "paused", "halted"} {
		m.intent.WithLabelValues(s)
	}
	if reg != nil {
		reg.MustRegister(m.heartbeatOK, m.heartbeatFailures, m.dbReady, m.commands, m.eventsDropped, m.intent)
	}
	return m
}
