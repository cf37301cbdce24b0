package sim_test

import (
	"bytes"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig/sim"
)

func TestDeterminism(t *testing.T) {
	paths := []string{
		"/gamma/markets?limit=100",
		"/gamma/markets?closed=true&limit=100",
		"/gamma/events?limit=20&order=volume24hr&ascending=false",
	}
	run := func(seed int64) [][]byte {
		e := newEnv(t, sim.Config{Seed: seed, OpenMarkets: 60, CloseEvery: 30 * time.Second})
		var out [][]byte
		token := e.markets("limit=1")[0].tokens(t)[0]
		for range 3 {
			for _, p := range append(paths, "/clob/book?token_id="+token) {
				_, b := e.get(p)
				out = append(out, b)
			}
			e.clk.Advance(7 * time.Minute)
		}
		return out
	}
	a, b, c := run(42), run(42), run(43)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("answer %d differs between two sims with the same seed:\n%s\n%s", i, a[i], b[i])
		}
	}
	if bytes.Equal(a[0], c[0]) {
		t.Error("seeds 42 and 43 produced the same markets")
	}
}

func TestMarketShape(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 300})
	ms := e.markets("limit=500")
	if len(ms) < 300 {
		t.Fatalf("got %d markets, want at least 300", len(ms))
	}
	hex64 := regexp.MustCompile(`^0x[0-9a-f]{64}$`)
	digits := regexp.MustCompile(`^[1-9][0-9]{69,76}$`)
	ticks := map[string]bool{"0.1": true, "0.01": true, "0.001": true, "0.0001": true, "0.005": true, "0.0025": true}
	var negRisk, binary int
	groups := map[string][]gm{}
	outcomeNames := map[string]bool{}
	for _, m := range ms {
		if !regexp.MustCompile(`^[0-9]+$`).MatchString(m.ID) || !hex64.MatchString(m.ConditionID) || !hex64.MatchString(m.QuestionID) {
			t.Fatalf("bad ids: %+v", m)
		}
		toks, outs, prices := m.tokens(t), m.outcomes(t), m.prices(t)
		if len(toks) != 2 || len(outs) != 2 || len(prices) != 2 {
			t.Fatalf("market %s: tokens %v outcomes %v prices %v", m.ID, toks, outs, prices)
		}
		outcomeNames[outs[0]+"/"+outs[1]] = true
		for _, tok := range toks {
			if !digits.MatchString(tok) {
				t.Errorf("token id %q is not a 70–77 digit decimal", tok)
			}
		}
		if got := micros(t, prices[0]) + micros(t, prices[1]); got != 1_000_000 {
			t.Errorf("market %s: outcome prices %v sum to %v", m.ID, prices, got)
		}
		if !ticks[m.OrderPriceMinTickSize.String()] {
			t.Errorf("market %s: tick %s", m.ID, m.OrderPriceMinTickSize)
		}
		if v := m.OrderMinSize.String(); v != "5" && v != "1" && v != "10" {
			t.Errorf("market %s: orderMinSize %s", m.ID, v)
		}
		if micros(t, m.Volume).String() != micros(t, m.VolumeNum.String()).String() || m.Liquidity != m.LiquidityNum.String() {
			t.Errorf("market %s: volume %q/%s liquidity %q/%s disagree", m.ID, m.Volume, m.VolumeNum, m.Liquidity, m.LiquidityNum)
		}
		if !m.Active || m.Closed || !m.AcceptingOrders || m.UmaResolutionStatus != "" || m.UmaResolutionStatuses != "[]" {
			t.Errorf("open market %s: active %v closed %v accepting %v uma %q %q", m.ID, m.Active, m.Closed, m.AcceptingOrders, m.UmaResolutionStatus, m.UmaResolutionStatuses)
		}
		if m.EndDateIso != m.EndDate.Format("2006-01-02") || len(m.Events) != 1 || len(m.Tags) == 0 {
			t.Errorf("market %s: endDateIso %q events %v tags %v", m.ID, m.EndDateIso, m.Events, m.Tags)
		}
		if m.NegRisk {
			negRisk++
			if !hex64.MatchString(m.NegRiskMarketID) || m.QuestionID[:64] != m.NegRiskMarketID[:64] {
				t.Errorf("neg-risk market %s: negRiskMarketID %q questionID %q", m.ID, m.NegRiskMarketID, m.QuestionID)
			}
			groups[m.Events[0].ID] = append(groups[m.Events[0].ID], m)
		} else {
			binary++
		}
	}
	if negRisk == 0 || binary == 0 || len(outcomeNames) < 3 {
		t.Errorf("neg-risk %d, binary %d, outcome pairs %v: want a mix", negRisk, binary, outcomeNames)
	}
	for id, g := range groups {
		if len(g) < 3 || len(g) > 6 {
			t.Errorf("neg-risk event %s has %d markets", id, len(g))
		}
		var sum int64
		for _, m := range g {
			if m.NegRiskMarketID != g[0].NegRiskMarketID || !m.EndDate.Equal(g[0].EndDate) {
				t.Errorf("event %s: markets disagree on negRiskMarketID or end date", id)
			}
			sum += int64(micros(t, m.prices(t)[0]))
		}
		if sum < 900_000 || sum > 1_100_000 {
			t.Errorf("event %s: Yes prices sum to %d micros", id, sum)
		}
	}

	// raw JSON types: strings where the venue sends strings
	_, raw := e.get("/gamma/markets/" + ms[0].ID)
	for _, frag := range []string{`"id":"` + ms[0].ID + `"`, `"outcomes":"[\"`, `"clobTokenIds":"[\"`, `"volume":"`, `"volumeNum":`, `"umaResolutionStatuses":"[]"`} {
		if !strings.Contains(string(raw), frag) {
			t.Errorf("GET /gamma/markets/%s lacks %s", ms[0].ID, frag)
		}
	}
	code, body := e.get("/gamma/markets/1")
	wantError(t, "unknown market", code, body, http.StatusNotFound, "market not found")
}

func TestMarketsCloseOnSchedule(t *testing.T) {
	e := newEnv(t, sim.Config{})
	now := e.sim.Now()
	soon := e.markets("closed=false&limit=500&order=endDate&end_date_max=" + now.Add(10*time.Minute).Format(time.RFC3339))
	ends := map[time.Time]bool{}
	for _, m := range soon {
		ends[m.EndDate] = true
	}
	if len(ends) != 3 { // 12:03, 12:06, 12:09
		t.Fatalf("%d distinct end dates within 10 minutes, want 3 (every 3m): %v", len(ends), ends)
	}
	first := soon[0]
	e.clk.Advance(first.EndDate.Sub(now) - time.Second)
	var m gm
	e.getJSON("/gamma/markets/"+first.ID, &m)
	if m.Closed || !m.AcceptingOrders {
		t.Fatalf("a second before its end: closed %v accepting %v", m.Closed, m.AcceptingOrders)
	}
	e.clk.Advance(time.Second)
	e.getJSON("/gamma/markets/"+first.ID, &m)
	if !m.Closed || m.AcceptingOrders {
		t.Fatalf("at its end: closed %v accepting %v", m.Closed, m.AcceptingOrders)
	}
	var st sim.State
	e.getJSON("/admin/state", &st)
	if st.OpenMarkets < 200 || st.OpenMarkets > 205 {
		t.Errorf("open markets %d after a close, want 200–205", st.OpenMarkets)
	}
}

func TestResolutionMatchesPrices(t *testing.T) {
	e := newEnv(t, sim.Config{Seed: 3, OpenMarkets: 100, CloseEvery: time.Second})
	for range 40 {
		e.clk.Advance(time.Minute)
		e.sim.Step()
	}
	res := e.sim.ResolvedEvents()
	var n, favWins int
	var expect, variance float64
	var disputed, negRisk int
	for _, r := range res {
		if r.Disputed {
			disputed++
			if d := r.ResolvedAt.Sub(r.End); d < 2*time.Minute || d > 10*time.Minute {
				t.Errorf("event %s: dispute lasted %v, want 2–10m", r.EventID, d)
			}
		} else if !r.ResolvedAt.Equal(r.End) {
			t.Errorf("event %s: resolved at %v, end %v", r.EventID, r.ResolvedAt, r.End)
		}
		if r.NegRisk {
			negRisk++
			continue
		}
		n++
		fav := 0
		if r.Fairs[1] > r.Fairs[0] {
			fav = 1
		}
		if r.Winner == fav {
			favWins++
		}
		p := float64(r.Fairs[0]) / 1e6
		if r.Winner == 0 {
			expect -= p - 1 // accumulates (won − p)
		} else {
			expect -= p
		}
		variance += p * (1 - p)
	}
	if n < 500 {
		t.Fatalf("only %d resolved binary markets", n)
	}
	// Favourites are drawn in 0.55–0.97 (mean 0.76); over n ≥ 500 markets the
	// favourite's win rate has a standard deviation below 0.02, so 0.65–0.95
	// is a > 5σ band.
	if rate := float64(favWins) / float64(n); rate < 0.65 || rate > 0.95 {
		t.Errorf("favourites won %.3f of %d binary markets, want 0.65–0.95", rate, n)
	}
	// Calibration: Σ(won − p) is within 4σ of 0.
	if sd := math.Sqrt(variance); math.Abs(expect) > 4*sd {
		t.Errorf("outcome 0 won %.1f times more than its prices predict (σ %.1f)", expect, sd)
	}
	if frac := float64(disputed) / float64(len(res)); frac < 0.05 || frac > 0.15 {
		t.Errorf("%.3f of %d events were disputed, want about 0.10", frac, len(res))
	}
	if negRisk == 0 {
		t.Error("no neg-risk events resolved")
	}
}

func TestNegRiskExactlyOneWinner(t *testing.T) {
	e := newEnv(t, sim.Config{Seed: 5, OpenMarkets: 60, CloseEvery: 2 * time.Second})
	e.clk.Advance(20 * time.Minute)
	var events []struct {
		ID      string `json:"id"`
		NegRisk bool   `json:"negRisk"`
		Closed  bool   `json:"closed"`
		Markets []gm   `json:"markets"`
	}
	e.getJSON("/gamma/events?closed=true&limit=500", &events)
	checked := 0
	for _, ev := range events {
		if !ev.NegRisk || ev.Markets[0].UmaResolutionStatus != "resolved" {
			continue
		}
		checked++
		yes := 0
		for _, m := range ev.Markets {
			switch p := m.prices(t); {
			case p[0] == "1" && p[1] == "0":
				yes++
			case p[0] == "0" && p[1] == "1":
			default:
				t.Errorf("event %s market %s: final prices %v", ev.ID, m.ID, p)
			}
			if !m.Closed || m.AcceptingOrders {
				t.Errorf("resolved market %s: closed %v accepting %v", m.ID, m.Closed, m.AcceptingOrders)
			}
		}
		if yes != 1 {
			t.Errorf("neg-risk event %s has %d winners", ev.ID, yes)
		}
	}
	if checked < 10 {
		t.Fatalf("only %d resolved neg-risk events", checked)
	}

	// The CLOB agrees: exactly one token per market is the winner.
	var cm struct {
		Closed          bool `json:"closed"`
		AcceptingOrders bool `json:"accepting_orders"`
		Tokens          []struct {
			TokenID string `json:"token_id"`
			Winner  bool   `json:"winner"`
		} `json:"tokens"`
	}
	m := events[len(events)-1].Markets[0]
	if m.UmaResolutionStatus == "resolved" {
		e.getJSON("/clob/markets/"+m.ConditionID, &cm)
		if !cm.Closed || cm.AcceptingOrders || cm.Tokens[0].Winner == cm.Tokens[1].Winner {
			t.Errorf("CLOB market %s: %+v", m.ConditionID, cm)
		}
	}
}

func TestDisputedMarketsResolveLater(t *testing.T) {
	e := newEnv(t, sim.Config{Seed: 11, OpenMarkets: 40, CloseEvery: 5 * time.Second})
	e.clk.Advance(5 * time.Minute)
	disputed := e.markets("uma_resolution_status=disputed&limit=500")
	if len(disputed) == 0 {
		t.Fatal("no disputed markets after 60 closes")
	}
	for _, m := range disputed {
		p := m.prices(t)
		if !m.Closed || m.AcceptingOrders || p[0] == "1" || p[1] == "1" || m.UmaResolutionStatuses != `["proposed","disputed"]` {
			t.Errorf("disputed market %s: closed %v accepting %v prices %v statuses %s", m.ID, m.Closed, m.AcceptingOrders, p, m.UmaResolutionStatuses)
		}
		code, body := e.get("/clob/book?token_id=" + m.tokens(t)[0])
		wantError(t, "book of a disputed market", code, body, http.StatusNotFound, sim.MsgNoOrderbook)
	}
	e.clk.Advance(10 * time.Minute)
	for _, m := range disputed {
		var got gm
		e.getJSON("/gamma/markets/"+m.ID, &got)
		p := got.prices(t)
		if got.UmaResolutionStatus != "resolved" || !strings.Contains(got.UmaResolutionStatuses, "disputed") ||
			!slices.Equal(p, []string{"1", "0"}) && !slices.Equal(p, []string{"0", "1"}) {
			t.Errorf("market %s 10m later: %q %s prices %v", m.ID, got.UmaResolutionStatus, got.UmaResolutionStatuses, p)
		}
	}
}

func TestResolvedMarketsAreDroppedAfterKeepResolved(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 10, CloseEvery: time.Minute, KeepResolved: time.Hour})
	first := e.markets("limit=1&order=endDate")[0]
	e.clk.Advance(20 * time.Minute)
	if code, _ := e.get("/gamma/markets/" + first.ID); code != http.StatusOK {
		t.Fatalf("resolved market gone after 20m: %d", code)
	}
	e.clk.Advance(time.Hour)
	code, body := e.get("/gamma/markets/" + first.ID)
	wantError(t, "market after KeepResolved", code, body, http.StatusNotFound, "market not found")
	if _, ok := e.sim.MarketByCondition(first.ConditionID); ok {
		t.Error("MarketByCondition still finds a dropped market")
	}
}
