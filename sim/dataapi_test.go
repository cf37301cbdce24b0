package sim_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket/data"
	"github.com/vig-bot/vig/sim"
)

// dataClient returns a Data API client for e with instant retries.
func (e *env) dataClient() *data.Client {
	c := data.New(e.srv.URL+"/data", e.srv.Client(), 0)
	c.Endpoint.Sleep = noSleep
	return c
}

// dataTrade fills a FOK order of size shares on token's book straight through
// the engine, at any price, and advances a second so every fill has its
// own timestamp.
func (e *env) dataTrade(address, token, side string, size vig.Micros) {
	e.t.Helper()
	mi, ok := e.sim.MarketByToken(token)
	if !ok {
		e.t.Fatalf("unknown token %s", token)
	}
	price := share - mi.TickSize // any ask
	if side == "SELL" {
		price = mi.TickSize // any bid
	}
	res, err := e.sim.PlaceOrder(sim.OrderRequest{Owner: "key-" + address, Maker: address, TokenID: token, Side: side, Price: price, Size: size, Type: sim.OrderFOK})
	if err != nil || res.Status != sim.InsertMatched {
		e.t.Fatalf("%s %v of %s: %+v, %v", side, size, token, res, err)
	}
	e.clk.Advance(time.Second)
}

func TestDataAPIUnknownUser(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	who := addr(200)
	for _, p := range []string{"/data/positions", "/data/closed-positions", "/data/activity"} {
		if code, body := e.get(p + "?user=" + who); code != http.StatusOK || string(body) != "[]" {
			t.Errorf("%s for an unknown user = %d %s", p, code, body)
		}
	}
	if code, body := e.get("/data/value?user=" + who); code != http.StatusOK || string(body) != `[{"user":"`+who+`","value":0}]` {
		t.Errorf("/data/value = %d %s", code, body)
	}
	dc := e.dataClient()
	ps, err := dc.Positions(ctxBG, who, data.PositionParams{})
	as, aerr := dc.Activity(ctxBG, who, data.ActivityParams{})
	v, verr := dc.Value(ctxBG, who)
	if err != nil || aerr != nil || verr != nil || len(ps) != 0 || len(as) != 0 || v != 0 {
		t.Errorf("client: %v %v, %v %v, %v %v", ps, err, as, aerr, v, verr)
	}
}

func TestDataAPIBadParams(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	who := addr(201)
	for _, q := range []string{
		"/data/positions", "/data/positions?user=0x12", "/data/positions?user=" + who + "&limit=x",
		"/data/positions?user=" + who + "&offset=10001", "/data/positions?user=" + who + "&sortBy=NOPE",
		"/data/positions?user=" + who + "&sortDirection=UP", "/data/positions?user=" + who + "&sizeThreshold=-1",
		"/data/positions?user=" + who + "&redeemable=maybe", "/data/activity?user=" + who + "&start=yesterday",
		"/data/activity?user=" + who + "&side=HOLD", "/data/closed-positions?user=" + who + "&sortBy=TOKENS", "/data/value",
	} {
		code, body := e.get(q)
		var got map[string]string
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusBadRequest || got["error"] == "" || len(got) != 1 {
			t.Errorf("GET %s = %d %s, want 400 {\"error\": …}", q, code, body)
		}
	}
}

func TestDataAPIShapesAndPagination(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 40})
	who := addr(202)
	var toks, cids []string
	for _, m := range e.markets("closed=false&limit=100") {
		if len(toks) == 7 {
			break
		}
		if micros(t, m.OrderMinSize.String()) > 5*share {
			continue
		}
		toks, cids = append(toks, m.tokens(t)[0]), append(cids, m.ConditionID)
	}
	for i, tok := range toks {
		e.dataTrade(who, tok, "BUY", vig.Micros(5+i)*share) // sizes 5…11
	}

	// The wire shape (platform-facts §2.8): camelCase, numbers as numbers.
	_, body := e.get("/data/positions?user=" + who + "&limit=1")
	var raw []map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) != 1 {
		t.Fatalf("positions: %s", body)
	}
	for _, k := range []string{"size", "avgPrice", "initialValue", "currentValue", "cashPnl", "percentPnl", "totalBought", "realizedPnl", "curPrice"} {
		if _, ok := raw[0][k].(float64); !ok {
			t.Errorf("%s is %T, want a number", k, raw[0][k])
		}
	}
	for _, k := range []string{"proxyWallet", "asset", "conditionId", "title", "slug", "icon", "eventId", "eventSlug", "outcome", "oppositeOutcome", "oppositeAsset", "endDate"} {
		if s, ok := raw[0][k].(string); !ok || s == "" {
			t.Errorf("%s is %T %v, want a non-empty string", k, raw[0][k], raw[0][k])
		}
	}
	for _, k := range []string{"redeemable", "mergeable", "negativeRisk"} {
		if _, ok := raw[0][k].(bool); !ok {
			t.Errorf("%s is %T, want a bool", k, raw[0][k])
		}
	}
	if !regexp.MustCompile(`^0x[0-9a-f]{64}$`).MatchString(raw[0]["conditionId"].(string)) || !regexp.MustCompile(`^[0-9]{60,78}$`).MatchString(raw[0]["asset"].(string)) {
		t.Errorf("ids: %v %v", raw[0]["conditionId"], raw[0]["asset"])
	}
	if _, err := time.Parse(time.RFC3339, raw[0]["endDate"].(string)); err != nil {
		t.Errorf("endDate: %v", err)
	}

	// Our client decodes every page cleanly; default order is TOKENS, descending.
	dc := e.dataClient()
	ps, err := dc.Positions(ctxBG, who, data.PositionParams{PageSize: 3})
	if err != nil || len(ps) != 7 || dc.Skipped() != 0 {
		t.Fatalf("Positions = %d, %v (skipped %d)", len(ps), err, dc.Skipped())
	}
	var value vig.Micros
	for i, p := range ps {
		if len(p.Issues) != 0 || p.Size != vig.Micros(11-i)*share || p.ProxyWallet != who || p.AvgPrice <= 0 || p.CurPrice <= 0 || p.EndDate.IsZero() {
			t.Errorf("position %d: %+v", i, p)
		}
		if p.InitialValue != p.Size*p.AvgPrice/share || p.CashPnl != p.CurrentValue-p.InitialValue {
			t.Errorf("position %d values: %+v", i, p)
		}
		value += p.CurrentValue
	}
	if v, err := dc.Value(ctxBG, who); err != nil || v != value {
		t.Errorf("Value = %v, %v; want %v", v, err, value)
	}
	code, body := e.get("/data/positions?user=" + who + "&limit=3&offset=6")
	if err := json.Unmarshal(body, &raw); code != http.StatusOK || err != nil || len(raw) != 1 {
		t.Errorf("last page: %d %s", code, body)
	}
	if _, body = e.get("/data/positions?user=" + who + "&offset=7"); string(body) != "[]" {
		t.Errorf("past the end: %s", body)
	}
	ps, _ = dc.Positions(ctxBG, who, data.PositionParams{SortBy: "TOKENS", SortDirection: "ASC"})
	if len(ps) != 7 || ps[0].Size != 5*share || ps[6].Size != 11*share {
		t.Errorf("ascending: %d positions, first %v", len(ps), ps)
	}
	ps, _ = dc.Positions(ctxBG, who, data.PositionParams{SizeThreshold: 9 * share})
	if len(ps) != 3 {
		t.Errorf("sizeThreshold 9: %d positions", len(ps))
	}
	ps, _ = dc.Positions(ctxBG, who, data.PositionParams{Markets: cids[:2]})
	if len(ps) != 2 || !slices.Contains(cids[:2], ps[0].ConditionID) || !slices.Contains(cids[:2], ps[1].ConditionID) {
		t.Errorf("market filter: %+v", ps)
	}

	// Activity: every fill, newest first, paged.
	want := e.sim.Activity(who)
	as, err := dc.Activity(ctxBG, who, data.ActivityParams{PageSize: 2})
	if err != nil || len(as) != len(want) || len(want) < 7 {
		t.Fatalf("Activity = %d entries, %v; engine has %d", len(as), err, len(want))
	}
	for i, a := range as {
		w := want[len(want)-1-i]
		if a.Type != "TRADE" || a.Side != "BUY" || a.Asset != w.TokenID || a.Size != w.Size || a.USDCSize != w.USDCSize || a.Price != w.Price ||
			!a.Timestamp.Equal(w.Time) || a.TransactionHash != w.TransactionHash || a.ProxyWallet != who || len(a.Issues) != 0 {
			t.Errorf("activity %d = %+v, want %+v", i, a, w)
		}
	}
	if as, _ = dc.Activity(ctxBG, who, data.ActivityParams{Markets: cids[:1], Side: "SELL"}); len(as) != 0 {
		t.Errorf("no sells yet: %+v", as)
	}

	// Selling a position closes it.
	e.dataTrade(who, toks[0], "SELL", 5*share)
	ps, _ = dc.Positions(ctxBG, who, data.PositionParams{})
	closed, err := dc.ClosedPositions(ctxBG, who, data.PositionParams{})
	if err != nil || len(ps) != 6 || len(closed) != 1 || closed[0].Asset != toks[0] || closed[0].RealizedPnl >= 0 || closed[0].Timestamp.IsZero() || len(closed[0].Issues) != 0 {
		t.Errorf("after selling: %d open, closed %+v, %v", len(ps), closed, err)
	}
	if as, _ = dc.Activity(ctxBG, who, data.ActivityParams{Side: "SELL"}); len(as) == 0 || !strings.EqualFold(as[0].Side, "SELL") {
		t.Errorf("sell activity: %+v", as)
	}
}
