// Package metrics builds the Prometheus registry both services expose on
// /metrics: Go and process collectors plus vig_build_info. Every vig metric
// is registered on the registry passed around from run(), never on the
// global default registry, so tests can build as many as they like.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vig-bot/vig"
)

// Namespace prefixes every vig metric.
const Namespace = "vig"

// NewRegistry returns a registry with the Go runtime and process collectors
// and vig_build_info{version,revision,goversion} 1.
func NewRegistry(build vig.BuildInfo) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   Namespace,
		Name:        "build_info",
		Help:        "Build of the running vig binary; always 1.",
		ConstLabels: prometheus.Labels{"version": build.Version, "revision": build.Revision, "goversion": build.GoVersion},
	})
	info.Set(1)
	reg.MustRegister(info)
	return reg
}

// Handler serves reg in the Prometheus exposition format, instrumented with
// promhttp_metric_handler_* metrics, logging gather errors to log.
func Handler(reg *prometheus.Registry, log *slog.Logger) http.Handler {
	return promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:            slogPrintln{log},
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            reg,
		MaxRequestsInFlight: 4,
	}))
}

type slogPrintln struct{ log *slog.Logger }

func (l slogPrintln) Println(v ...any) {
	if l.log != nil {
		l.log.Error("metrics gather", "err", slog.AnyValue(v))
	}
}
