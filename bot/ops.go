package bot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ops is the bot's small ops listener: /metrics for Prometheus (scraped
// over Railway's private network), /livez (the process loop answers) and
// /readyz (database migrated and not draining). It uses net/http only:
// chi belongs to the dashboard.
type ops struct {
	addr    string
	metrics http.Handler
	status  *Status
	log     *slog.Logger
	// bound receives the listener's address once it listens (tests use it).
	bound func(net.Addr)
}

func (o *ops) String() string { return "ops-http" }

func (o *ops) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics)
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		v := o.status.View()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case v.Draining:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("draining\n"))
		case !v.DBReady:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database not ready\n"))
		default:
			w.Write([]byte("ok\n"))
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"not found"}` + "\n"))
	})
	return mux
}

func (o *ops) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if o.bound != nil {
		o.bound(ln.Addr())
	}
	srv := &http.Server{
		Handler:           o.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(o.log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // best effort; Serve returns below
	}()
	o.log.Info("ops listener up", "addr", ln.Addr().String())
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return ctx.Err()
	}
	return err
}
