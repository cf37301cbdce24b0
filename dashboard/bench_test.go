package dashboard

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/metrics"
)

// BenchmarkHTTP measures dashboard endpoints over real loopback HTTP
// against a baseline: a bare net/http handler returning a constant JSON
// body, served and loaded the same way in the same run. bench/run.sh turns
// the results into requests/second ratios (target: >= 0.5).
func BenchmarkHTTP(b *testing.B) {
	snaps := &Snapshots{}
	now := time.Now().UTC()
	s := &Snapshot{AttemptAt: now, TakenAt: now, SchemaApplied: 1, SchemaKnown: 1, DBLatency: time.Millisecond,
		Heartbeats: []vig.Heartbeat{{Service: "bot", Instance: "host/1", State: vig.StateRunning, Activity: "idle", Since: now, BeatAt: now, Version: "v1"}},
		Intent:     vig.Intent{State: vig.IntentRunning, SetBy: "default"}}
	for i := 0; i < 10; i++ {
		s.Heartbeats = append(s.Heartbeats, vig.Heartbeat{Service: fmt.Sprintf("bot/core/svc%d", i), State: vig.StateRunning, Since: now, BeatAt: now})
	}
	for i := 0; i < 50; i++ {
		s.Events = append(s.Events, vig.SupervisorEvent{ID: int64(i), At: now, Tree: "bot", Supervisor: "trading", Service: "engine", Kind: "terminate", Message: "boom"})
	}
	snaps.Store(s)
	h := NewServer(quiet(), snaps, metrics.NewRegistry(vig.Build()), clock.Real{}, &atomic.Bool{},
		Options{BotStaleAfter: 30 * time.Second, SnapshotInterval: 2 * time.Second, MaxBodyBytes: 1 << 20, Database: "bench"})
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"pass"}` + "\n"))
	})
	for _, tc := range []struct {
		name    string
		handler http.Handler
		path    string
	}{
		{"baseline", baseline, "/"},
		{"health", h, "/api/health"},
		{"bot-status", h, "/api/bot-status"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			url := srv.URL + tc.path
			b.SetParallelism(4)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
