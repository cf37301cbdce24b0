package gamma_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/polymarket/gamma"
	"github.com/vig-bot/vig/sim"
)

// BenchmarkFullScan is the bot's market scan against `vig sim` holding
// 10,000 open markets over real loopback HTTP: fetch every page, decode,
// and filter for the strategy (favourite priced 0.70–0.90, closing within
// the hour, volume at least 100). Target: a full scan under 1 s. The
// simulator runs in this process, so the allocation figure includes its
// encoding; BenchmarkDecodeMarkets isolates the client's decoding.
func BenchmarkFullScan(b *testing.B) {
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s := sim.New(sim.Config{Seed: 1, OpenMarkets: 10_000, Clock: clock.NewFake(start)})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := gamma.New(srv.URL+"/gamma", srv.Client(), 30*time.Second)
	open, closed := true, false
	params := gamma.ListParams{Active: &open, Closed: &closed, PageSize: 500}
	ctx := context.Background()

	scan := func() (total, picked int) {
		ms, err := c.Markets(ctx, params)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range ms {
			i, ok := m.Favourite()
			if !ok || m.EndDate.Sub(start) > time.Hour || m.Volume < 100_000_000 {
				continue
			}
			if _, _, p, _ := m.Outcome(i); p >= 700_000 && p <= 900_000 {
				picked++
			}
		}
		return len(ms), picked
	}
	if n, _ := scan(); n < 10_000 { // warm up and check the fixture
		b.Fatalf("scan returned %d markets, want 10,000", n)
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	t0 := time.Now()
	markets := 0
	for i := 0; i < b.N; i++ {
		n, _ := scan()
		markets += n
	}
	elapsed := time.Since(t0)
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(markets)/elapsed.Seconds(), "markets/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/scan")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(markets), "B/market(client+sim)")
}
