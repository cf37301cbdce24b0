package gamma_test

import (
	"encoding/json"
	"runtime"
	"sync"
	"testing"

	"github.com/vig-bot/vig/polymarket/gamma"
)

// benchPage is a realistic 500-market /markets page (~2.2 MB).
var benchPage = sync.OnceValue(func() []byte { return []byte(marketsArray(span(0, 500))) })

// minimalMarket is the least a scanner could decode: six fields as plain
// strings, the arrays left JSON-encoded.
type minimalMarket struct {
	ID            string `json:"id"`
	Question      string `json:"question"`
	EndDate       string `json:"endDate"`
	Outcomes      string `json:"outcomes"`
	OutcomePrices string `json:"outcomePrices"`
	ClobTokenIDs  string `json:"clobTokenIds"`
}

func benchDecode(b *testing.B, decode func([]byte) int) {
	page := benchPage()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if n := decode(page); n != 500 {
			b.Fatalf("decoded %d markets, want 500", n)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500, "ns/market")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/500, "B/market")
}

func BenchmarkDecodeMarkets(b *testing.B) {
	benchDecode(b, func(page []byte) int {
		ms, err := gamma.DecodeMarkets(page)
		if err != nil {
			b.Fatal(err)
		}
		return len(ms)
	})
}

func BenchmarkDecodeMinimal(b *testing.B) {
	benchDecode(b, func(page []byte) int {
		var ms []minimalMarket
		if err := json.Unmarshal(page, &ms); err != nil {
			b.Fatal(err)
		}
		return len(ms)
	})
}
