package sim_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/sim"
)

const share = vig.Micros(1_000_000)

// place sends an order that must be accepted.
func (e *env) place(req sim.OrderRequest) sim.OrderResult {
	e.t.Helper()
	res, err := e.sim.PlaceOrder(req)
	if err != nil || !res.Success {
		e.t.Fatalf("PlaceOrder(%+v) = %+v, %v", req, res, err)
	}
	return res
}

// reject sends an order that must be rejected with status 400 and msg.
func (e *env) reject(req sim.OrderRequest, msg string) sim.OrderResult {
	e.t.Helper()
	res, err := e.sim.PlaceOrder(req)
	var ve *sim.Error
	if !errors.As(err, &ve) || ve.Status != http.StatusBadRequest || ve.Message != msg || res.Success || res.ErrorMsg != msg {
		e.t.Fatalf("PlaceOrder(%+v) = %+v, %v; want 400 %q", req, res, err, msg)
	}
	return res
}

func (e *env) cash(address string) vig.Micros {
	e.t.Helper()
	b, _, err := e.sim.Balance(address, "COLLATERAL", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) shares(address, token string) vig.Micros {
	e.t.Helper()
	b, _, err := e.sim.Balance(address, "CONDITIONAL", token)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) order(owner, id string) sim.Order {
	e.t.Helper()
	o, ok := e.sim.GetOrder(owner, id)
	if !ok {
		e.t.Fatalf("GetOrder(%s, %s): not found", owner, id)
	}
	return o
}

func TestGTCRestsThenFillsAgainstAnotherAccount(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	bid, ask := e.book(tok).best(t)
	a, b := addr(1), addr(2)
	p := bid + 10_000 // inside the spread: the new best bid

	ra := e.place(sim.OrderRequest{Owner: "key-a", Maker: a, TokenID: tok, Side: "BUY", Price: p, Size: 10 * share, Type: sim.OrderGTC})
	if ra.Status != sim.InsertLive || ra.MakingAmount != "" || len(ra.TransactionHashes) != 0 {
		t.Fatalf("resting order result %+v", ra)
	}
	bk := e.book(tok)
	if nb, _ := bk.best(t); nb != p || sizeAt(t, bk.Bids, p) != 10*share {
		t.Fatalf("best bid %v size %v, want our 10 at %v", nb, sizeAt(t, bk.Bids, p), p)
	}
	if got := e.order("key-a", ra.OrderID); got.Status != sim.StatusLive || got.SizeMatched != "0" || got.OriginalSize != "10" || got.Price != trim(p.String()) {
		t.Fatalf("resting order %+v", got)
	}

	// B buys 10 shares from the house, then sells them into A's bid.
	rb := e.place(sim.OrderRequest{Owner: "key-b", Maker: b, TokenID: tok, Side: "BUY", Price: ask + 50_000, Size: 10 * share, Type: sim.OrderFOK})
	paid := micros(t, rb.MakingAmount)
	if rb.Status != sim.InsertMatched || rb.TakingAmount != "10" || paid < 10*ask || paid > 10*(ask+50_000) {
		t.Fatalf("B's buy %+v", rb)
	}
	rs := e.place(sim.OrderRequest{Owner: "key-b", Maker: b, TokenID: tok, Side: "SELL", Price: p, Size: 10 * share, Type: sim.OrderFAK})
	if rs.Status != sim.InsertMatched || rs.MakingAmount != "10" || rs.TakingAmount != trim((p*10).String()) || len(rs.TransactionHashes) != 1 {
		t.Fatalf("B's sale %+v", rs)
	}
	got := e.order("key-a", ra.OrderID)
	if got.Status != sim.StatusMatched || got.SizeMatched != "10" || len(got.AssociateTrades) != 1 {
		t.Fatalf("A's order after the fill: %+v", got)
	}
	if got, want := e.cash(a), sim.DefaultInitialBalance-10*p; got != want {
		t.Errorf("A's pUSD %v, want %v", got, want)
	}
	if got := e.shares(a, tok); got != 10*share {
		t.Errorf("A's shares %v, want 10", got)
	}
	if got, want := e.cash(b), sim.DefaultInitialBalance-paid+10*p; got != want {
		t.Errorf("B's pUSD %v, want %v", got, want)
	}
	if got := e.shares(b, tok); got != 0 {
		t.Errorf("B's shares %v, want 0", got)
	}

	ta, err := e.sim.Trades("key-a", sim.TradeFilter{}, sim.FirstCursor)
	if err != nil || ta.Count != 1 || ta.NextCursor != sim.EndCursor {
		t.Fatalf("A's trades %+v, %v", ta, err)
	}
	tr := ta.Data[0]
	if tr.TraderSide != "MAKER" || tr.Side != "SELL" || tr.Owner != "key-b" || tr.MakerAddress != b || tr.Size != "10" ||
		tr.Price != trim(p.String()) || tr.Market != m.ConditionID || tr.AssetID != tok || tr.FeeRateBps != "0" ||
		len(tr.MakerOrders) != 1 || tr.MakerOrders[0].OrderID != ra.OrderID || tr.MakerOrders[0].Owner != "key-a" ||
		tr.MakerOrders[0].MakerAddress != a || tr.MakerOrders[0].Side != "BUY" || tr.TransactionHash != rs.TransactionHashes[0] ||
		tr.TakerOrderID != rs.OrderID || tr.ID != got.AssociateTrades[0] || tr.Outcome != m.outcomes(t)[0] {
		t.Errorf("A's trade %+v", tr)
	}
	tb, _ := e.sim.Trades("key-b", sim.TradeFilter{}, "")
	if tb.Count < 2 || tb.Data[0].ID != tr.ID || tb.Data[0].TraderSide != "TAKER" || tb.Data[tb.Count-1].MakerOrders[0].Owner != sim.HouseOwner {
		t.Errorf("B's trades (newest first) %+v", tb.Data)
	}
	if f, _ := e.sim.Trades("key-b", sim.TradeFilter{MakerAddress: a}, ""); f.Count != 1 {
		t.Errorf("B's trades with maker %s: %d", a, f.Count)
	}
}

func TestFOKIsAllOrNothing(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	bk := e.book(tok)
	// Up to the second-best ask, so the depth is well above the minimum size.
	ask := micros(t, bk.Asks[max(0, len(bk.Asks)-2)].Price)
	var depth vig.Micros
	for _, l := range bk.Asks {
		if micros(t, l.Price) <= ask {
			depth += micros(t, l.Size)
		}
	}
	a := addr(3)

	res := e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: depth + share, Type: sim.OrderFOK}, sim.MsgFOKNotFilled)
	if res.Status != sim.InsertUnmatched || res.OrderID == "" {
		t.Errorf("FOK result %+v", res)
	}
	if after := e.book(tok); after.Hash != bk.Hash || e.cash(a) != sim.DefaultInitialBalance {
		t.Error("a killed FOK changed the book or the balance")
	}
	if _, ok := e.sim.GetOrder("k", res.OrderID); ok {
		t.Error("a killed FOK is still known")
	}
	res = e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: depth, Type: sim.OrderFOK})
	if res.Status != sim.InsertMatched || res.TakingAmount != trim(depth.String()) || e.shares(a, tok) != depth {
		t.Errorf("FOK within depth: %+v, shares %v", res, e.shares(a, tok))
	}
	if o := e.order("k", res.OrderID); o.Status != sim.StatusMatched || o.OrderType != "FOK" {
		t.Errorf("filled FOK %+v", o)
	}
}

func TestFAKFillsWhatItCanAndCancelsTheRest(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	bk := e.book(tok)
	bid, ask := bk.best(t)
	depth := sizeAt(t, bk.Asks, ask)
	a := addr(4)

	res := e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: depth + 7*share, Type: sim.OrderFAK})
	if res.Status != sim.InsertMatched || res.TakingAmount != trim(depth.String()) {
		t.Fatalf("FAK result %+v, want %v shares", res, depth)
	}
	o := e.order("k", res.OrderID)
	if o.Status != sim.StatusCanceled || o.SizeMatched != trim(depth.String()) || o.OrderType != "FAK" {
		t.Errorf("partly filled FAK %+v", o)
	}
	if page, _ := e.sim.OpenOrders("k", sim.OrderFilter{}, ""); page.Count != 0 {
		t.Errorf("the FAK's remainder rests: %+v", page)
	}
	// The house requotes an emptied side at once.
	if after := e.book(tok); len(after.Asks) == 0 {
		t.Error("asks empty after a taker swept them")
	}
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: bid, Size: 10 * share, Type: sim.OrderFAK}, sim.MsgFAKNoMatch)
}

func TestGTDExpires(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	a := addr(5)
	now := e.sim.Now()
	req := sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 10 * share, Type: sim.OrderGTD}

	req.Expiration = now.Add(time.Minute) // inside the one-minute threshold
	e.reject(req, sim.MsgInvalidExpiration)
	req.Expiration = now.Add(2 * time.Minute) // rests for one minute
	res := e.place(req)
	if o := e.order("k", res.OrderID); o.Status != sim.StatusLive || o.Expiration != "1795867320" || o.OrderType != "GTD" {
		t.Fatalf("GTD order %+v", o)
	}
	e.clk.Advance(59 * time.Second)
	if o := e.order("k", res.OrderID); o.Status != sim.StatusLive {
		t.Fatalf("after 59s: %s", o.Status)
	}
	e.clk.Advance(time.Second)
	if o := e.order("k", res.OrderID); o.Status != sim.StatusCanceled {
		t.Fatalf("after 60s: %s, want CANCELED", o.Status)
	}
	if got := sizeAt(t, e.book(tok).Bids, 50_000); got != 0 {
		t.Errorf("expired order still on the book: %v", got)
	}
}

func TestPostOnly(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	bid, ask := e.book(tok).best(t)
	a := addr(6)
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: 10 * share, PostOnly: true}, sim.MsgPostOnlyCrosses)
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: 10 * share, Type: sim.OrderFOK, PostOnly: true}, sim.MsgPostOnlyType)
	res := e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: bid, Size: 10 * share, PostOnly: true})
	if res.Status != sim.InsertLive {
		t.Errorf("non-crossing post-only: %+v", res)
	}
}

func TestBalanceChecks(t *testing.T) {
	e := newEnv(t, sim.Config{InitialBalance: 10 * share})
	m := e.pick()
	tok := m.tokens(t)[0]
	_, ask := e.book(tok).best(t)
	a := addr(7)
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: ask, Size: 60 * share, Type: sim.OrderFAK}, sim.MsgNotEnoughBalance)
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "SELL", Price: ask, Size: 5 * share}, sim.MsgNotEnoughBalance)

	// Resting orders hold their cost back: 120 × 0.05 = 6 of 10 pUSD.
	first := e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 120 * share})
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 100 * share}, sim.MsgNotEnoughBalance)
	if got := e.cash(a); got != 10*share {
		t.Errorf("balance %v, want 10 (reservations do not change it)", got)
	}
	e.sim.CancelOrder("k", first.OrderID)
	e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 100 * share})

	// Exactly affordable: 0.05 × 80 = 4 more after 5 held; 1 micro more is not.
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 100*share + 20}, sim.MsgNotEnoughBalance)
	e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 50_000, Size: 100 * share})

	if _, _, err := e.sim.Balance(a, "NFT", ""); err == nil || err.Error() != sim.MsgInvalidAssetType {
		t.Errorf("Balance with a bad asset type: %v", err)
	}
	if _, allowance, _ := e.sim.Balance(a, "COLLATERAL", ""); allowance < 1e15 {
		t.Errorf("allowance %v, want unlimited", allowance)
	}
}

func TestOrderValidation(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	a := addr(8)
	base := sim.OrderRequest{ID: "0xabc", Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: 100_000, Size: 10 * share}
	with := func(f func(*sim.OrderRequest)) sim.OrderRequest { r := base; f(&r); return r }

	e.reject(with(func(r *sim.OrderRequest) { r.Price = 555_000 }), "order 0xabc is invalid. Price (0.555) breaks minimum tick size rule: 0.01")
	e.reject(with(func(r *sim.OrderRequest) { r.Price = 0 }), sim.MsgInvalidPrice)
	e.reject(with(func(r *sim.OrderRequest) { r.Price = share }), sim.MsgInvalidPrice)
	e.reject(with(func(r *sim.OrderRequest) { r.Size = 4_990_000 }), "order 0xabc is invalid. Size (4.99) lower than the minimum: 5")
	e.reject(with(func(r *sim.OrderRequest) { r.TokenID = "123" }), sim.MsgInvalidTokenID)
	e.reject(with(func(r *sim.OrderRequest) { r.Type = "IOC" }), sim.MsgInvalidOrderPayload)
	e.reject(with(func(r *sim.OrderRequest) { r.Side = "HOLD" }), sim.MsgInvalidOrderPayload)
	e.reject(with(func(r *sim.OrderRequest) { r.Maker = "bob" }), sim.MsgInvalidOrderPayload)
	e.place(base)
	e.reject(base, "order 0xabc is invalid. Duplicated.")
}

func TestCancelOnlyOwnOrders(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok, other := m.tokens(t)[0], m.tokens(t)[1]
	a, b := addr(9), addr(10)
	req := func(token string, p vig.Micros) sim.OrderRequest {
		return sim.OrderRequest{Owner: "key-a", Maker: a, TokenID: token, Side: "BUY", Price: p, Size: 10 * share}
	}
	o1 := e.place(req(tok, 50_000)).OrderID
	o2 := e.place(req(tok, 40_000)).OrderID
	o3 := e.place(req(other, 30_000)).OrderID
	e.place(sim.OrderRequest{Owner: "key-b", Maker: b, TokenID: tok, Side: "BUY", Price: 50_000, Size: 10 * share})

	res := e.sim.CancelOrder("key-b", o1)
	if len(res.Canceled) != 0 || res.NotCanceled[o1] != sim.MsgNotCanceled {
		t.Errorf("B canceling A's order: %+v", res)
	}
	if o := e.order("key-a", o1); o.Status != sim.StatusLive {
		t.Errorf("A's order after B's cancel: %s", o.Status)
	}
	if _, ok := e.sim.GetOrder("key-b", o1); ok {
		t.Error("B can read A's order")
	}
	res = e.sim.CancelOrders("key-a", []string{o1, "0xnope"})
	if len(res.Canceled) != 1 || res.Canceled[0] != o1 || res.NotCanceled["0xnope"] != sim.MsgNotCanceled {
		t.Errorf("A canceling: %+v", res)
	}
	if res := e.sim.CancelOrder("key-a", o1); res.NotCanceled[o1] != sim.MsgNotCanceled {
		t.Errorf("canceling twice: %+v", res)
	}
	page, err := e.sim.OpenOrders("key-a", sim.OrderFilter{}, sim.FirstCursor)
	if err != nil || page.Count != 2 || page.Data[0].ID != o2 || page.Data[1].ID != o3 || page.NextCursor != sim.EndCursor {
		t.Errorf("A's open orders %+v, %v", page, err)
	}
	if page, _ := e.sim.OpenOrders("key-a", sim.OrderFilter{AssetID: other}, ""); page.Count != 1 {
		t.Errorf("A's open orders on %s: %d", other, page.Count)
	}
	if _, err := e.sim.OpenOrders("key-a", sim.OrderFilter{}, "%%%"); err == nil {
		t.Error("a malformed cursor was accepted")
	}
	res = e.sim.CancelMarket("key-a", m.ConditionID, tok)
	if len(res.Canceled) != 1 || res.Canceled[0] != o2 {
		t.Errorf("CancelMarket(token) %+v", res)
	}
	res = e.sim.CancelAll("key-a")
	if len(res.Canceled) != 1 || res.Canceled[0] != o3 {
		t.Errorf("CancelAll %+v", res)
	}
	if page, _ := e.sim.OpenOrders("key-b", sim.OrderFilter{}, ""); page.Count != 1 {
		t.Errorf("B's order was canceled by A's cancels: %+v", page)
	}
}

func TestHeartbeatDeadManSwitch(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	buy := func(owner string, n int) string {
		return e.place(sim.OrderRequest{Owner: owner, Maker: addr(n), TokenID: tok, Side: "BUY", Price: 50_000, Size: 10 * share}).OrderID
	}
	id := e.sim.Heartbeat("watched", "")
	watched := buy("watched", 11)
	free := buy("free", 12)
	e.clk.Advance(9 * time.Second)
	if next := e.sim.Heartbeat("watched", id); next == "" || next == id {
		t.Errorf("heartbeat id %q after %q", next, id)
	}
	e.clk.Advance(9 * time.Second)
	if o := e.order("watched", watched); o.Status != sim.StatusLive {
		t.Fatalf("18s after the first heartbeat, 9s after the last: %s", o.Status)
	}
	e.clk.Advance(time.Second)
	if o := e.order("watched", watched); o.Status != sim.StatusCanceled {
		t.Fatalf("10s after the last heartbeat: %s, want CANCELED", o.Status)
	}
	if o := e.order("free", free); o.Status != sim.StatusLive {
		t.Errorf("an owner that never sent a heartbeat lost its order: %s", o.Status)
	}
	// Disarmed until the next heartbeat.
	again := buy("watched", 11)
	e.clk.Advance(time.Minute)
	if o := e.order("watched", again); o.Status != sim.StatusLive {
		t.Errorf("order placed after the switch fired: %s", o.Status)
	}
}

func TestTradeStatusProgression(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	_, ask := e.book(tok).best(t)
	e.place(sim.OrderRequest{Owner: "k", Maker: addr(13), TokenID: tok, Side: "BUY", Price: ask, Size: 5 * share, Type: sim.OrderFAK})
	matched := e.sim.Now().Unix()
	for _, step := range []struct {
		advance time.Duration
		status  string
		last    int64
	}{
		{0, sim.TradeMatched, matched},
		{time.Second, sim.TradeMatched, matched},
		{time.Second, sim.TradeMined, matched + 2},
		{7 * time.Second, sim.TradeMined, matched + 2},
		{time.Second, sim.TradeConfirmed, matched + 10},
	} {
		e.clk.Advance(step.advance)
		page, _ := e.sim.Trades("k", sim.TradeFilter{}, "")
		tr := page.Data[0]
		if tr.Status != step.status || tr.LastUpdate != itoa(step.last) || tr.MatchTime != itoa(matched) {
			t.Errorf("at +%v: status %s last_update %s match_time %s, want %s %d", e.sim.Now().Sub(time.Unix(matched, 0)), tr.Status, tr.LastUpdate, tr.MatchTime, step.status, step.last)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestResolutionCancelsOrdersAndRedeemPays(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 60, CloseEvery: time.Minute})
	var m gm
	for _, c := range e.markets("closed=false&limit=100&order=endDate") {
		if !c.NegRisk {
			m = c
			break
		}
	}
	if m.ID == "" {
		t.Fatal("no binary market")
	}
	toks := m.tokens(t)
	a := addr(14)
	tick := m.tick(t)
	size := micros(t, m.OrderMinSize.String()) * 2
	held := make([]vig.Micros, 2)
	for i, tok := range toks {
		_, ask := e.book(tok).best(t)
		e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: tok, Side: "BUY", Price: min(ask+100_000, share-tick), Size: size, Type: sim.OrderFOK})
		held[i] = e.shares(a, tok)
	}
	resting := []string{
		e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: toks[0], Side: "BUY", Price: tick, Size: size}).OrderID,
		e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: toks[0], Side: "BUY", Price: 2 * tick, Size: size}).OrderID,
		e.place(sim.OrderRequest{Owner: "k", Maker: a, TokenID: toks[1], Side: "SELL", Price: share - tick, Size: held[1]}).OrderID,
	}
	if _, err := e.sim.Redeem(a, m.ConditionID); err == nil || err.Error() != sim.MsgNotResolved {
		t.Fatalf("Redeem before resolution: %v", err)
	}
	cashBefore := e.cash(a)

	e.clk.Advance(m.EndDate.Sub(e.sim.Now()))
	for _, id := range resting {
		if o := e.order("k", id); o.Status != sim.StatusCanceledMarketResolved {
			t.Fatalf("resting order %s at close: %s", id, o.Status)
		}
	}
	if page, _ := e.sim.OpenOrders("k", sim.OrderFilter{}, ""); page.Count != 0 {
		t.Errorf("open orders after close: %+v", page.Data)
	}
	e.reject(sim.OrderRequest{Owner: "k", Maker: a, TokenID: toks[0], Side: "BUY", Price: tick, Size: size}, sim.MsgMarketNotReady)
	for i := 0; i < 12; i++ {
		if info, _ := e.sim.MarketByCondition(m.ConditionID); info.Resolved {
			break
		}
		e.clk.Advance(time.Minute)
	}
	info, _ := e.sim.MarketByCondition(m.ConditionID)
	if !info.Resolved || info.AcceptingOrders || info.Winner < 0 || info.UMAResolutionStatus != "resolved" {
		t.Fatalf("market after its end: %+v", info)
	}
	win := info.Winner
	var redeemable int
	for _, p := range e.sim.Positions(a) {
		if p.ConditionID != m.ConditionID {
			continue
		}
		if p.Size != held[p.OutcomeIndex] || p.Redeemable != (p.OutcomeIndex == win) || p.CurPrice != map[bool]vig.Micros{true: share, false: 0}[p.OutcomeIndex == win] || !p.Mergeable {
			t.Errorf("position %+v (winner %d)", p, win)
		}
		if p.Redeemable {
			redeemable++
		}
	}
	if redeemable != 1 {
		t.Fatalf("%d redeemable positions, want 1", redeemable)
	}
	paid, err := e.sim.Redeem(a, m.ConditionID)
	if err != nil || paid != held[win] {
		t.Fatalf("Redeem = %v, %v; want %v", paid, err, held[win])
	}
	if got := e.cash(a); got != cashBefore+held[win] {
		t.Errorf("pUSD after redeem %v, want %v", got, cashBefore+held[win])
	}
	if again, _ := e.sim.Redeem(a, m.ConditionID); again != 0 {
		t.Errorf("second Redeem paid %v", again)
	}
	for _, p := range e.sim.Positions(a) {
		if p.ConditionID == m.ConditionID && (p.Size != 0 || p.Redeemable) {
			t.Errorf("position after redeem %+v", p)
		}
	}
	acts := e.sim.Activity(a)
	if last := acts[len(acts)-1]; last.Type != "REDEEM" || last.USDCSize != held[win] || last.Size != held[0]+held[1] {
		t.Errorf("last activity %+v", last)
	}
	if _, err := e.sim.Redeem(a, "0x00"); err == nil || err.Error() != sim.MsgMarketNotFound {
		t.Errorf("Redeem of an unknown market: %v", err)
	}
}

func TestHouseFlowTradesWithRestingOrders(t *testing.T) {
	e := newEnv(t, sim.Config{})
	m := e.pick()
	tok := m.tokens(t)[0]
	bid, _ := e.book(tok).best(t)
	res := e.place(sim.OrderRequest{Owner: "k", Maker: addr(15), TokenID: tok, Side: "BUY", Price: bid + m.tick(t), Size: 5 * share})
	for range 400 {
		e.clk.Advance(15 * time.Second)
		e.sim.Step()
		if o := e.order("k", res.OrderID); o.SizeMatched != "0" {
			return
		}
	}
	t.Errorf("a 5-share bid a tick above the best bid never traded in 100 minutes: %+v", e.order("k", res.OrderID))
}
