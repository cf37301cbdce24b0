package gamma_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket/gamma"
)

// marketJSON is a realistic Gamma market object (the /markets shape, ~80
// fields including an embedded event), varied by i. Token ids are 77-78
// digit decimals derived from i.
func marketJSON(i int) string {
	yes := fmt.Sprintf("1%077d", 1_000_000_007*uint64(i)+12345)
	no := fmt.Sprintf("7%076d", 3_000_000_019*uint64(i)+67890)
	p := 1 + (i*37)%998 // 0.001 .. 0.998
	price := fmt.Sprintf("0.%03d", p)
	other := fmt.Sprintf("0.%03d", 1000-p)
	negRisk := i%3 == 0
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	return `{"id":"` + strconv.Itoa(500000+i) + `",` +
		`"question":"Will outcome #` + strconv.Itoa(i) + ` happen before the end of the season?",` +
		`"conditionId":"0x` + fmt.Sprintf("%064x", i*7919) + `",` +
		`"slug":"will-outcome-` + strconv.Itoa(i) + `-happen",` +
		`"resolutionSource":"https://www.example.org/results",` +
		`"endDate":"` + end.Format(time.RFC3339) + `",` +
		`"liquidity":"` + strconv.Itoa(1000+i*13) + `.4521",` +
		`"startDate":"2025-10-01T16:00:00.123Z",` +
		`"image":"https://polymarket-upload.s3.us-east-2.amazonaws.com/market-` + strconv.Itoa(i) + `.png",` +
		`"icon":"https://polymarket-upload.s3.us-east-2.amazonaws.com/market-` + strconv.Itoa(i) + `.png",` +
		`"description":"This market will resolve to \"Yes\" if the named outcome happens by the end date listed above. Otherwise, this market will resolve to \"No\".\n\nThe primary resolution source for this market will be official information from the organisers; however, a consensus of credible reporting may also be used. If the event is cancelled or postponed beyond the end date, this market will resolve to \"No\".",` +
		`"outcomes":"[\"Yes\", \"No\"]",` +
		`"outcomePrices":"[\"` + price + `\", \"` + other + `\"]",` +
		`"volume":"` + strconv.Itoa(50000+i*101) + `.337812",` +
		`"active":true,"closed":false,` +
		`"marketMakerAddress":"",` +
		`"createdAt":"2025-09-30T12:01:44.123456Z","updatedAt":"2026-11-28T10:11:12.654321Z",` +
		`"new":false,"featured":false,"submitted_by":"0x91430CaD2d3975766499717fA0D66A78D814E5c5",` +
		`"archived":false,"resolvedBy":"0x6A9D222616C90FcA5754cd1333cFD9b7fb6a4F74","restricted":true,` +
		`"groupItemTitle":"Outcome ` + strconv.Itoa(i) + `","groupItemThreshold":"` + strconv.Itoa(i%10) + `",` +
		`"questionID":"0x` + fmt.Sprintf("%064x", i*104729) + `",` +
		`"enableOrderBook":true,"orderPriceMinTickSize":0.001,"orderMinSize":5,` +
		`"volumeNum":` + strconv.Itoa(50000+i*101) + `.337812,` +
		`"liquidityNum":` + strconv.Itoa(1000+i*13) + `.4521,` +
		`"endDateIso":"` + end.Format("2006-01-02") + `","startDateIso":"2025-10-01",` +
		`"hasReviewedDates":true,` +
		`"volume24hr":` + strconv.Itoa(i*17%5000) + `.25,"volume1wk":` + strconv.Itoa(i*31%20000) + `.5,` +
		`"volume1mo":41234.123,"volume1yr":50123.4567,` +
		`"clobTokenIds":"[\"` + yes + `\", \"` + no + `\"]",` +
		`"umaBond":"500","umaReward":"5",` +
		`"volume24hrClob":1234.5,"volume1wkClob":4321.25,"volume1moClob":41234.123,"volume1yrClob":50123.4567,` +
		`"volumeClob":50123.4567,"liquidityClob":1013.4521,` +
		`"customLiveness":0,"acceptingOrders":true,` +
		`"negRisk":` + strconv.FormatBool(negRisk) + `,` +
		`"negRiskMarketID":"0x` + fmt.Sprintf("%064x", i/3) + `","negRiskRequestID":"0x` + fmt.Sprintf("%064x", i) + `",` +
		`"ready":false,"funded":false,"acceptingOrdersTimestamp":"2025-10-01T16:05:21Z",` +
		`"cyom":false,"competitive":0.9512342,"pagerDutyNotificationEnabled":false,"approved":true,` +
		`"clobRewards":[{"id":"` + strconv.Itoa(9000+i) + `","conditionId":"0x` + fmt.Sprintf("%064x", i*7919) + `","assetAddress":"0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174","rewardsAmount":0,"rewardsDailyRate":1,"startDate":"2025-10-01","endDate":"2500-12-31"}],` +
		`"rewardsMinSize":50,"rewardsMaxSpread":3.5,` +
		`"spread":0.002,"oneDayPriceChange":-0.0015,"oneHourPriceChange":0.001,"oneWeekPriceChange":0.012,"oneMonthPriceChange":-0.031,` +
		`"lastTradePrice":` + price + `,"bestBid":` + price + `,"bestAsk":0.999,` +
		`"automaticallyActive":true,"clearBookOnStart":true,"showGmpSeries":false,"showGmpOutcome":false,"manualActivation":false,` +
		`"negRiskOther":false,"umaResolutionStatuses":"[]","pendingDeployment":false,"deploying":false,` +
		`"rfqEnabled":false,"holdingRewardsEnabled":false,"feesEnabled":false,` +
		`"feeSchedule":{"exponent":1,"rate":0.04,"takerOnly":true,"rebateRate":0.25},` +
		`"events":[{"id":"` + strconv.Itoa(20000+i/3) + `","ticker":"season-outcomes","slug":"season-outcomes","title":"Season outcomes","description":"Markets about the season.","startDate":"2025-10-01T16:00:00Z","creationDate":"2025-10-01T16:00:00Z","endDate":"` + end.Format(time.RFC3339) + `","image":"https://polymarket-upload.s3.us-east-2.amazonaws.com/event.png","icon":"https://polymarket-upload.s3.us-east-2.amazonaws.com/event.png","active":true,"closed":false,"archived":false,"new":false,"featured":false,"restricted":true,"liquidity":1013.4521,"volume":50123.4567,"openInterest":0,"createdAt":"2025-09-30T12:01:44.123Z","updatedAt":"2026-11-28T10:11:12.654Z","competitive":0.95,"volume24hr":1234.5,"volume1wk":4321.25,"volume1mo":41234.123,"volume1yr":50123.4567,"enableOrderBook":true,"liquidityClob":1013.4521,"negRisk":` + strconv.FormatBool(negRisk) + `,"commentCount":12,"cyom":false,"showAllOutcomes":true,"showMarketImages":true,"enableNegRisk":` + strconv.FormatBool(negRisk) + `,"automaticallyActive":true,"negRiskAugmented":false,"pendingDeployment":false,"deploying":false}],` +
		`"tags":[{"id":"1","label":"Sports","slug":"sports"},{"id":"100350","label":"Soccer","slug":"soccer"}]` +
		`}`
}

// marketsArray is a JSON array of the markets with the given indices.
func marketsArray(idx []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for k, i := range idx {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(marketJSON(i))
	}
	b.WriteByte(']')
	return b.String()
}

func span(from, to int) []int { // [from, to)
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func marketID(i int) string { return strconv.Itoa(500000 + i) }

// newClient points a Client at srv; retries do not sleep, they record.
func newClient(tb testing.TB, srv *httptest.Server) (*gamma.Client, *sleeps) {
	tb.Helper()
	c := gamma.New(srv.URL+"/gamma", srv.Client(), 5*time.Second)
	s := &sleeps{}
	c.Endpoint.Sleep = s.sleep
	return c, s
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func ids(ms []gamma.Market) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func wantIDs(idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = marketID(i)
	}
	return out
}
