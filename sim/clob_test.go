package sim_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/vig-bot/vig/sim"
)

func TestClobHealthTimeVersion(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	for _, p := range []string{"/clob/", "/clob/ok", "/clob"} {
		if code, body := e.get(p); code != http.StatusOK || string(body) != `"OK"` {
			t.Errorf("GET %s = %d %s", p, code, body)
		}
	}
	e.clk.Advance(90 * time.Second)
	if code, body := e.get("/clob/time"); code != http.StatusOK || string(body) != strconv.FormatInt(t0.Add(90*time.Second).Unix(), 10) {
		t.Errorf("GET /clob/time = %d %s", code, body)
	}
	if code, body := e.get("/clob/version"); code != http.StatusOK || string(body) != `{"version":2}` {
		t.Errorf("GET /clob/version = %d %s", code, body)
	}
}

func TestBookShape(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.markets("closed=false&limit=1")[0]
	tok := m.tokens(t)[0]

	// Every number is a string.
	_, raw := e.get("/clob/book?token_id=" + tok)
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"market", "asset_id", "timestamp", "hash", "min_order_size", "tick_size", "last_trade_price"} {
		if _, ok := generic[k].(string); !ok {
			t.Errorf("book %q is %T, want a string", k, generic[k])
		}
	}
	if _, ok := generic["neg_risk"].(bool); !ok {
		t.Errorf("book neg_risk is %T", generic["neg_risk"])
	}
	for _, side := range []string{"bids", "asks"} {
		for _, l := range generic[side].([]any) {
			for k, v := range l.(map[string]any) {
				if _, ok := v.(string); !ok {
					t.Errorf("%s level %s is %T", side, k, v)
				}
			}
		}
	}

	b := e.book(tok)
	if b.Market != m.ConditionID || b.AssetID != tok || b.TickSize != m.OrderPriceMinTickSize.String() || b.MinOrderSize != m.OrderMinSize.String() || b.NegRisk != m.NegRisk {
		t.Errorf("book header %+v disagrees with Gamma market %s", b, m.ID)
	}
	if b.Timestamp != strconv.FormatInt(t0.UnixMilli(), 10) || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(b.Hash) {
		t.Errorf("timestamp %s hash %s", b.Timestamp, b.Hash)
	}
	// Best level last: bids ascending, asks descending.
	for i := 1; i < len(b.Bids); i++ {
		if micros(t, b.Bids[i].Price) <= micros(t, b.Bids[i-1].Price) {
			t.Errorf("bids not ascending: %v", b.Bids)
		}
	}
	for i := 1; i < len(b.Asks); i++ {
		if micros(t, b.Asks[i].Price) >= micros(t, b.Asks[i-1].Price) {
			t.Errorf("asks not descending: %v", b.Asks)
		}
	}
	bid, ask := b.best(t)
	tick := m.tick(t)
	if bid >= ask || bid%tick != 0 || ask%tick != 0 || bid < tick || ask > 1_000_000-tick {
		t.Errorf("best bid %v ask %v with tick %v", bid, ask, tick)
	}
	if micros(t, m.BestBid.String()) != bid || micros(t, m.BestAsk.String()) != ask {
		t.Errorf("Gamma bestBid/bestAsk %s/%s, book %v/%v", m.BestBid, m.BestAsk, bid, ask)
	}

	// The other endpoints agree with the book.
	check := func(path, key, want string) {
		t.Helper()
		var got map[string]string
		e.getJSON(path, &got)
		if got[key] != want || len(got) != 1 {
			t.Errorf("GET %s = %v, want {%q: %q}", path, got, key, want)
		}
	}
	check("/clob/price?token_id="+tok+"&side=BUY", "price", trim(ask.String()))
	check("/clob/price?token_id="+tok+"&side=SELL", "price", trim(bid.String()))
	check("/clob/spread?token_id="+tok, "spread", trim((ask - bid).String()))
	check("/clob/midpoint?token_id="+tok, "mid_price", trim(((ask + bid) / 2).String()))
	if code, body := e.get("/clob/tick-size?token_id=" + tok); code != http.StatusOK || string(body) != `{"minimum_tick_size":`+m.OrderPriceMinTickSize.String()+`}` {
		t.Errorf("tick-size = %d %s", code, body)
	}
	if code, body := e.get("/clob/neg-risk?token_id=" + tok); code != http.StatusOK || string(body) != `{"neg_risk":`+strconv.FormatBool(m.NegRisk)+`}` {
		t.Errorf("neg-risk = %d %s", code, body)
	}

	// POST /books returns the same books, in request order, skipping unknown ids.
	other := m.tokens(t)[1]
	code, _, body := e.do(http.MethodPost, "/clob/books", `[{"token_id":"`+other+`"},{"token_id":"123"},{"token_id":"`+tok+`"}]`)
	var books []bk
	if err := json.Unmarshal(body, &books); code != http.StatusOK || err != nil || len(books) != 2 || books[0].AssetID != other || books[1].Hash != b.Hash {
		t.Errorf("POST /books = %d %s", code, body)
	}
	code, _, body = e.do(http.MethodPost, "/clob/books", `{"token_id":1}`)
	wantError(t, "POST /books with a bad payload", code, body, http.StatusBadRequest, sim.MsgInvalidPayload)

	// CLOB market.
	var cm struct {
		ConditionID      string      `json:"condition_id"`
		QuestionID       string      `json:"question_id"`
		MinimumOrderSize json.Number `json:"minimum_order_size"`
		MinimumTickSize  json.Number `json:"minimum_tick_size"`
		NegRisk          bool        `json:"neg_risk"`
		AcceptingOrders  bool        `json:"accepting_orders"`
		Active           bool        `json:"active"`
		Closed           bool        `json:"closed"`
		EndDateISO       time.Time   `json:"end_date_iso"`
		Tokens           []struct {
			TokenID string      `json:"token_id"`
			Outcome string      `json:"outcome"`
			Price   json.Number `json:"price"`
			Winner  bool        `json:"winner"`
		} `json:"tokens"`
	}
	e.getJSON("/clob/markets/"+m.ConditionID, &cm)
	if cm.ConditionID != m.ConditionID || cm.QuestionID != m.QuestionID || cm.MinimumTickSize != m.OrderPriceMinTickSize ||
		cm.MinimumOrderSize != m.OrderMinSize || !cm.AcceptingOrders || !cm.Active || cm.Closed || !cm.EndDateISO.Equal(m.EndDate) ||
		len(cm.Tokens) != 2 || cm.Tokens[0].TokenID != tok || cm.Tokens[0].Outcome != m.outcomes(t)[0] || cm.Tokens[0].Winner {
		t.Errorf("CLOB market %+v disagrees with Gamma %+v", cm, m)
	}
	var list struct {
		Limit      int               `json:"limit"`
		Count      int               `json:"count"`
		NextCursor string            `json:"next_cursor"`
		Data       []json.RawMessage `json:"data"`
	}
	e.getJSON("/clob/markets?next_cursor="+sim.FirstCursor, &list)
	if list.Count != len(list.Data) || list.Count < 200 || list.NextCursor != sim.EndCursor {
		t.Errorf("GET /clob/markets: count %d, %d items, next %q", list.Count, len(list.Data), list.NextCursor)
	}
}

// trim drops trailing zeros as the venue formats decimals.
func trim(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func TestBookErrors(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 10, CloseEvery: time.Minute})
	first := e.markets("limit=1&order=endDate")[0]
	for _, p := range []string{"/clob/book?", "/clob/price?side=BUY&", "/clob/midpoint?", "/clob/spread?", "/clob/tick-size?", "/clob/neg-risk?"} {
		for _, q := range []string{"", "token_id=abc"} {
			code, body := e.get(p + q)
			wantError(t, p+q, code, body, http.StatusBadRequest, sim.MsgInvalidTokenID)
		}
	}
	for _, p := range []string{"/clob/book?", "/clob/price?side=BUY&", "/clob/midpoint?", "/clob/spread?"} {
		code, body := e.get(p + "token_id=12345")
		wantError(t, p+" unknown token", code, body, http.StatusNotFound, sim.MsgNoOrderbook)
	}
	for _, p := range []string{"/clob/tick-size?", "/clob/neg-risk?"} {
		code, body := e.get(p + "token_id=12345")
		wantError(t, p+" unknown token", code, body, http.StatusNotFound, sim.MsgMarketNotFound)
	}
	code, body := e.get("/clob/price?token_id=" + first.tokens(t)[0] + "&side=UP")
	wantError(t, "price side=UP", code, body, http.StatusBadRequest, sim.MsgInvalidSide)
	code, body = e.get("/clob/markets/0x" + regexp.MustCompile(`.`).ReplaceAllString(first.ConditionID[2:], "0"))
	wantError(t, "unknown condition", code, body, http.StatusNotFound, sim.MsgMarketNotFound)

	// Once the market closes its book is gone, but its metadata stays.
	e.clk.Advance(first.EndDate.Sub(e.sim.Now()))
	code, body = e.get("/clob/book?token_id=" + first.tokens(t)[0])
	wantError(t, "book of a closed market", code, body, http.StatusNotFound, sim.MsgNoOrderbook)
	if code, body := e.get("/clob/tick-size?token_id=" + first.tokens(t)[0]); code != http.StatusOK {
		t.Errorf("tick-size of a closed market = %d %s", code, body)
	}
}
