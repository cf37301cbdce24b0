package sim_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/clob"
	"github.com/vig-bot/vig/polymarket/data"
	"github.com/vig-bot/vig/polymarket/order"
	"github.com/vig-bot/vig/sim"
)

// These tests drive the authenticated CLOB (auth.go, trading.go) and the
// Data API (dataapi.go) through Vig's own clients, over real HTTP, on a
// fake clock.

var ctxBG = context.Background()

// traderKey returns a deterministic private key for test trader n.
func traderKey(t *testing.T, n int) *ecdsa.PrivateKey {
	t.Helper()
	sum := sha256.Sum256([]byte{'v', 'i', 'g', byte(n)})
	k, err := crypto.ToECDSA(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func noSleep(context.Context, time.Duration) error { return nil }

// traderCfg is the client configuration of key against e's sim.
func (e *env) traderCfg(key *ecdsa.PrivateKey) clob.Config {
	return clob.Config{BaseURL: e.srv.URL + "/clob", HTTP: e.srv.Client(), ChainID: 137, Key: key, Now: e.clk.Now}
}

// newClob returns a client for cfg with instant retries.
func newClob(cfg clob.Config) *clob.Client {
	c := clob.New(cfg)
	c.Endpoint().Sleep = noSleep
	return c
}

// trader returns a client for key with API credentials.
func (e *env) trader(key *ecdsa.PrivateKey) *clob.Client {
	e.t.Helper()
	c := newClob(e.traderCfg(key))
	if _, err := c.CreateOrDeriveAPIKey(ctxBG); err != nil {
		e.t.Fatalf("CreateOrDeriveAPIKey: %v", err)
	}
	return c
}

func lowerHex(a common.Address) string { return strings.ToLower(a.Hex()) }

// mustPost posts an order that must be accepted.
func mustPost(t *testing.T, c *clob.Client, a clob.OrderArgs) clob.OrderResponse {
	t.Helper()
	r, err := c.PostOrder(ctxBG, a)
	if err != nil || !r.Success {
		t.Fatalf("PostOrder(%+v) = %+v, %v", a, r, err)
	}
	return r
}

// wantRejected checks a venue rejection (400) carrying msg.
func wantRejected(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var ae *polymarket.APIError
	if !errors.Is(err, polymarket.ErrRejected) || !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || !strings.Contains(ae.Message, msg) {
		t.Errorf("%s: %v; want a 400 rejection containing %q", what, err, msg)
	}
}

func (e *env) balance(c *clob.Client, asset clob.AssetType, token string) vig.Micros {
	e.t.Helper()
	b, err := c.BalanceAllowance(ctxBG, asset, token)
	if err != nil {
		e.t.Fatalf("BalanceAllowance(%s, %s): %v", asset, token, err)
	}
	if b.Allowance < b.Balance {
		e.t.Errorf("allowance %v below balance %v", b.Allowance, b.Balance)
	}
	return b.Balance
}

// l2 sends a request signed with c's credentials (the path is signed
// without /clob, as the clients do) and returns status and body.
func (e *env) l2(key *ecdsa.PrivateKey, creds order.Creds, method, path string, body []byte) (int, []byte) {
	e.t.Helper()
	h, err := order.L2Headers(creds, crypto.PubkeyToAddress(key.PublicKey), e.clk.Now(), method, path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(method, e.srv.URL+"/clob"+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// credsOf returns c's credentials by deriving them again.
func credsOf(t *testing.T, c *clob.Client) order.Creds {
	t.Helper()
	cr, err := c.DeriveAPIKey(ctxBG, 0)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// buyFromHouse buys size shares of token at up to three ticks above the
// best ask (FOK), so the order fills entirely against the house.
func (e *env) buyFromHouse(c *clob.Client, token string, tick, size vig.Micros) clob.OrderResponse {
	e.t.Helper()
	b, err := c.Book(ctxBG, token)
	if err != nil {
		e.t.Fatal(err)
	}
	ask, ok := b.BestAsk()
	if !ok {
		e.t.Fatalf("no ask on %s", token)
	}
	r := mustPost(e.t, c, clob.OrderArgs{TokenID: token, Side: order.Buy, Price: min(ask.Price+3*tick, share-tick), Size: size, Type: order.FOK})
	if r.Status != clob.StatusMatched || r.TakingAmount != size {
		e.t.Fatalf("buy from the house: %+v", r)
	}
	return r
}

// tradingMarket returns an open binary market with tick 0.01, minimum
// size 5, ending between 20 minutes and a few hours from now, whose first
// token trades between 0.2 and 0.8 (with a spread of at least two ticks
// when spread is set).
func (e *env) tradingMarket(spread bool) gm {
	e.t.Helper()
	for _, m := range e.markets("closed=false&limit=500&order=endDate") {
		if m.NegRisk || m.tick(e.t) != 10_000 || m.OrderMinSize.String() != "5" || m.EndDate.Before(e.sim.Now().Add(20*time.Minute)) {
			continue
		}
		bid, ask := e.book(m.tokens(e.t)[0]).best(e.t)
		if bid >= 200_000 && ask <= 800_000 && (!spread || ask-bid >= 20_000) {
			return m
		}
	}
	e.t.Fatal("no suitable market")
	return gm{}
}

var orderIDRe = regexp.MustCompile(`^0x[0-9a-f]{64}$`)

func TestTradingEndToEnd(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 80})
	m := e.tradingMarket(true)
	toks := m.tokens(t)
	tok, other := toks[0], toks[1]
	tick := m.tick(t)
	aliceKey, bobKey := traderKey(t, 1), traderKey(t, 2)
	alice, bob := e.trader(aliceKey), e.trader(bobKey)
	aliceAddr := lowerHex(alice.Address())
	aliceCreds := credsOf(t, alice)
	initial := e.balance(alice, clob.Collateral, "")
	if initial != sim.DefaultInitialBalance {
		t.Fatalf("initial balance %v", initial)
	}

	// Alice improves the bid by one tick: the order rests.
	b, err := alice.Book(ctxBG, tok)
	if err != nil {
		t.Fatal(err)
	}
	bid, _ := b.BestBid()
	ask, _ := b.BestAsk()
	price := bid.Price + tick
	if price >= ask.Price {
		t.Fatalf("spread too narrow: %v/%v", bid.Price, ask.Price)
	}
	size := 10 * share
	r := mustPost(t, alice, clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: price, Size: size, Type: order.GTC})
	if r.Status != clob.StatusLive || !orderIDRe.MatchString(r.OrderID) || len(r.TransactionHashes) != 0 {
		t.Fatalf("resting order: %+v", r)
	}
	id := r.OrderID
	o, err := alice.GetOrder(ctxBG, id)
	if err != nil || o.Status != clob.StatusLive || o.Price != price || o.OriginalSize != size || o.SizeMatched != 0 ||
		o.Owner != aliceCreds.APIKey || o.MakerAddress != aliceAddr || o.AssetID != tok || o.Market != m.ConditionID || o.Side != "BUY" {
		t.Fatalf("GetOrder = %+v, %v", o, err)
	}
	open, err := alice.OpenOrders(ctxBG, clob.OrderFilter{AssetID: tok})
	if err != nil || len(open) != 1 || open[0].ID != id {
		t.Fatalf("OpenOrders = %+v, %v", open, err)
	}
	// GET /order/{id} (the docs' spelling) answers the same.
	if code, body := e.l2(aliceKey, aliceCreds, http.MethodGet, "/order/"+id, nil); code != http.StatusOK || !strings.Contains(string(body), `"status":"LIVE"`) {
		t.Errorf("GET /order/{id} = %d %s", code, body)
	}
	// Resting BUYs stay in the balance (the venue reports the total).
	if got := e.balance(alice, clob.Collateral, ""); got != initial {
		t.Errorf("collateral with a resting order = %v, want %v", got, initial)
	}

	// Bob cannot see or cancel Alice's order.
	if _, err := bob.GetOrder(ctxBG, id); !errors.Is(err, polymarket.ErrNotFound) {
		t.Errorf("bob's GetOrder of alice's order: %v", err)
	}
	cr, err := bob.CancelOrder(ctxBG, id)
	if err != nil || len(cr.Canceled) != 0 || cr.NotCanceled[id] != sim.MsgNotCanceled {
		t.Errorf("bob cancels alice's order: %+v, %v", cr, err)
	}

	// Bob buys from the house, then sells into Alice's bid.
	e.buyFromHouse(bob, tok, tick, size)
	if got := e.balance(bob, clob.Conditional, tok); got != size {
		t.Fatalf("bob's shares %v", got)
	}
	r = mustPost(t, bob, clob.OrderArgs{TokenID: tok, Side: order.Sell, Price: price, Size: size, Type: order.GTC})
	cost := vig.Micros(int64(price) * int64(size) / int64(share))
	if r.Status != clob.StatusMatched || r.MakingAmount != size || r.TakingAmount != cost || len(r.TransactionHashes) != 1 {
		t.Fatalf("bob's sell: %+v", r)
	}
	if o, _ = alice.GetOrder(ctxBG, id); o.Status != clob.StatusMatched || o.SizeMatched != size || len(o.Trades) != 1 {
		t.Errorf("alice's order after the cross: %+v", o)
	}
	if open, _ = alice.OpenOrders(ctxBG, clob.OrderFilter{}); len(open) != 0 {
		t.Errorf("open orders after the fill: %+v", open)
	}

	// Trades: MATCHED → MINED → CONFIRMED as sim time passes.
	for _, step := range []struct {
		advance time.Duration
		status  string
	}{{0, sim.TradeMatched}, {sim.MinedAfter, sim.TradeMined}, {sim.ConfirmedAfter - sim.MinedAfter, sim.TradeConfirmed}} {
		e.clk.Advance(step.advance)
		ts, err := alice.Trades(ctxBG, clob.OrderFilter{Market: m.ConditionID})
		if err != nil || len(ts) != 1 {
			t.Fatalf("Trades = %+v, %v", ts, err)
		}
		tr := ts[0]
		if tr.Status != step.status || tr.TraderSide != "MAKER" || tr.Price != price || tr.Size != size || tr.AssetID != tok ||
			len(tr.MakerOrders) != 1 || tr.MakerOrders[0].OrderID != id || tr.TransactionHash != r.TransactionHashes[0] {
			t.Errorf("after %v: trade %+v, want status %s", step.advance, tr, step.status)
		}
	}
	if got := e.balance(alice, clob.Collateral, ""); got != initial-cost {
		t.Errorf("alice's collateral %v, want %v", got, initial-cost)
	}
	if got := e.balance(alice, clob.Conditional, tok); got != size {
		t.Errorf("alice's shares %v, want %v", got, size)
	}
	if got := e.balance(bob, clob.Collateral, ""); got >= initial {
		t.Errorf("bob's collateral %v: bought high, sold low, should be below %v", got, initial)
	}

	// A resting order canceled by its owner.
	r = mustPost(t, alice, clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTC})
	cr, err = alice.CancelOrder(ctxBG, r.OrderID)
	if err != nil || !slices.Equal(cr.Canceled, []string{r.OrderID}) || len(cr.NotCanceled) != 0 {
		t.Errorf("CancelOrder = %+v, %v", cr, err)
	}
	if o, _ := alice.GetOrder(ctxBG, r.OrderID); o.Status != clob.StatusCanceled {
		t.Errorf("canceled order is %s", o.Status)
	}
	if cr, _ = alice.CancelOrder(ctxBG, r.OrderID); cr.NotCanceled[r.OrderID] != sim.MsgNotCanceled {
		t.Errorf("second cancel: %+v", cr)
	}

	// Alice also holds the other outcome: exactly one of her positions wins.
	e.buyFromHouse(alice, other, tick, 5*share)
	dc := data.New(e.srv.URL+"/data", e.srv.Client(), 0)
	dc.Endpoint.Sleep = noSleep
	ps, err := dc.Positions(ctxBG, aliceAddr, data.PositionParams{})
	if err != nil || len(ps) != 2 {
		t.Fatalf("Positions = %+v, %v", ps, err)
	}
	byAsset := map[string]data.Position{}
	for _, p := range ps {
		byAsset[p.Asset] = p
		if p.ConditionID != m.ConditionID || !strings.EqualFold(p.ProxyWallet, aliceAddr) || len(p.Issues) != 0 || !p.Mergeable || p.Redeemable {
			t.Errorf("position %+v", p)
		}
	}
	if p := byAsset[tok]; p.Size != size || p.AvgPrice != price || p.OppositeAsset != other || p.Outcome != m.outcomes(t)[0] || p.OutcomeIndex != 0 {
		t.Errorf("position in %s: %+v", tok, p)
	}
	if v, err := dc.Value(ctxBG, aliceAddr); err != nil || v <= 0 {
		t.Errorf("Value = %v, %v", v, err)
	}

	// Resolution: past the end date (and any dispute) the winner is redeemable.
	e.clk.Advance(m.EndDate.Sub(e.sim.Now()) + time.Minute)
	for i := 0; i < 15; i++ {
		if mi, _ := e.sim.MarketByCondition(m.ConditionID); mi.Resolved {
			break
		}
		e.clk.Advance(time.Minute)
	}
	mi, ok := e.sim.MarketByCondition(m.ConditionID)
	if !ok || !mi.Resolved {
		t.Fatalf("market not resolved: %+v", mi)
	}
	winner := mi.TokenIDs[mi.Winner]
	yes := true
	ps, err = dc.Positions(ctxBG, aliceAddr, data.PositionParams{Redeemable: &yes})
	if err != nil || len(ps) != 1 || ps[0].Asset != winner || ps[0].CurPrice != share || !ps[0].Redeemable {
		t.Fatalf("redeemable positions = %+v, %v (winner %s)", ps, err, winner)
	}
	held := byAsset[winner].Size
	before := e.balance(alice, clob.Collateral, "")
	paid, err := e.sim.Redeem(alice.Address().Hex(), m.ConditionID)
	if err != nil || paid != held {
		t.Fatalf("Redeem = %v, %v; want %v", paid, err, held)
	}
	if got := e.balance(alice, clob.Collateral, ""); got != before+held {
		t.Errorf("collateral after redeeming %v, want %v", got, before+held)
	}
	if ps, err = dc.Positions(ctxBG, aliceAddr, data.PositionParams{}); err != nil || len(ps) != 0 {
		t.Errorf("positions after redeeming: %+v, %v", ps, err)
	}
	closed, err := dc.ClosedPositions(ctxBG, aliceAddr, data.PositionParams{})
	if err != nil || len(closed) != 2 {
		t.Errorf("closed positions: %+v, %v", closed, err)
	}
	acts, err := dc.Activity(ctxBG, aliceAddr, data.ActivityParams{Types: []string{"REDEEM"}})
	if err != nil || len(acts) != 1 || acts[0].USDCSize != held || acts[0].ConditionID != m.ConditionID || acts[0].OutcomeIndex != -1 {
		t.Errorf("REDEEM activity: %+v, %v", acts, err)
	}
}

func TestTradingAPIKeys(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	key := traderKey(t, 3)
	c := newClob(e.traderCfg(key))
	// Nothing to derive before a key was created.
	if _, err := c.DeriveAPIKey(ctxBG, 0); !errors.Is(err, polymarket.ErrRejected) {
		t.Errorf("derive before create: %v", err)
	}
	c1, err := c.CreateAPIKey(ctxBG, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(c1.APIKey) ||
		!regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(c1.Passphrase) || len(c1.Secret) != 44 {
		t.Errorf("creds shape: %q %d-char secret %q", c1.APIKey, len(c1.Secret), c1.Passphrase)
	}
	c2, err := c.CreateAPIKey(ctxBG, 0)
	d, derr := c.DeriveAPIKey(ctxBG, 0)
	if err != nil || derr != nil || c2 != c1 || d != c1 {
		t.Errorf("create again / derive: %v %v, same %v %v", err, derr, c2 == c1, d == c1)
	}
	c3, err := c.CreateAPIKey(ctxBG, 1)
	if err != nil || c3.APIKey == c1.APIKey {
		t.Errorf("nonce 1 key: %v, %v", c3.APIKey, err)
	}
	// The same seed issues the same key in another sim; another seed does not.
	same, otherSeed := newEnv(t, sim.Config{OpenMarkets: 5}), newEnv(t, sim.Config{OpenMarkets: 5, Seed: defaultSeed + 1})
	if got, err := newClob(same.traderCfg(key)).CreateAPIKey(ctxBG, 0); err != nil || got != c1 {
		t.Errorf("same seed: %v, %v", got.APIKey, err)
	}
	if got, err := newClob(otherSeed.traderCfg(key)).CreateAPIKey(ctxBG, 0); err != nil || got.APIKey == c1.APIKey {
		t.Errorf("other seed: %v, %v", got.APIKey, err)
	}

	// L1 with a stale timestamp, or for another chain: 401.
	stale := e.traderCfg(key)
	stale.Now = func() time.Time { return e.clk.Now().Add(-sim.MaxAuthSkew - time.Minute) }
	if _, err := newClob(stale).CreateAPIKey(ctxBG, 0); !errors.Is(err, polymarket.ErrAuth) {
		t.Errorf("stale L1: %v", err)
	}
	amoy := e.traderCfg(key)
	amoy.ChainID = order.ChainAmoy
	_, err = newClob(amoy).CreateAPIKey(ctxBG, 0)
	var ae *polymarket.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Message != sim.MsgInvalidL1Headers {
		t.Errorf("L1 for another chain: %v", err)
	}
	code, _, body := e.do(http.MethodPost, "/clob/auth/api-key", "")
	wantError(t, "L1 without headers", code, body, http.StatusUnauthorized, sim.MsgInvalidL1Headers)

	// GET /auth/api-keys lists the wallet's keys; DELETE revokes the one used.
	code, body = e.l2(key, c1, http.MethodGet, "/auth/api-keys", nil)
	var keys struct {
		APIKeys []string `json:"apiKeys"`
	}
	if err := json.Unmarshal(body, &keys); code != http.StatusOK || err != nil || len(keys.APIKeys) != 2 || !slices.Contains(keys.APIKeys, c1.APIKey) || !slices.Contains(keys.APIKeys, c3.APIKey) {
		t.Errorf("api-keys = %d %s", code, body)
	}
	if code, body = e.l2(key, c3, http.MethodDelete, "/auth/api-key", nil); code != http.StatusOK {
		t.Errorf("DELETE api-key = %d %s", code, body)
	}
	code, body = e.l2(key, c3, http.MethodGet, "/auth/api-keys", nil)
	wantError(t, "revoked key", code, body, http.StatusUnauthorized, sim.MsgUnauthorized)
	if _, err := c.DeriveAPIKey(ctxBG, 1); !errors.Is(err, polymarket.ErrRejected) {
		t.Errorf("derive a revoked key: %v", err)
	}
}

func TestTradingL2Auth(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	key := traderKey(t, 4)
	alice := e.trader(key)
	good := credsOf(t, alice)
	if _, err := alice.OpenOrders(ctxBG, clob.OrderFilter{}); err != nil {
		t.Fatalf("good creds: %v", err)
	}
	wrongSecret := good
	wrongSecret.Secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	wrongPass := good
	wrongPass.Passphrase = strings.Repeat("0", 64)
	unknown := good
	unknown.APIKey = "00000000-0000-4000-8000-000000000000"
	for name, cr := range map[string]order.Creds{"wrong secret": wrongSecret, "wrong passphrase": wrongPass, "unknown key": unknown} {
		cfg := e.traderCfg(key)
		cfg.Creds = &cr
		if _, err := newClob(cfg).OpenOrders(ctxBG, clob.OrderFilter{}); !errors.Is(err, polymarket.ErrAuth) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Another wallet presenting Alice's key.
	cfg := e.traderCfg(traderKey(t, 5))
	cfg.Creds = &good
	if _, err := newClob(cfg).OpenOrders(ctxBG, clob.OrderFilter{}); !errors.Is(err, polymarket.ErrAuth) {
		t.Errorf("someone else's key: %v", err)
	}
	// A stale timestamp, and a clock too far ahead.
	for _, skew := range []time.Duration{-sim.MaxAuthSkew - time.Second, sim.MaxAuthSkew + time.Second} {
		cfg := e.traderCfg(key)
		cfg.Creds = &good
		cfg.Now = func() time.Time { return e.clk.Now().Add(skew) }
		if _, err := newClob(cfg).OpenOrders(ctxBG, clob.OrderFilter{}); !errors.Is(err, polymarket.ErrAuth) {
			t.Errorf("skew %v: %v", skew, err)
		}
	}
	// The HMAC covers the path without /clob: signing the full path fails.
	h, _ := order.L2Headers(good, alice.Address(), e.clk.Now(), http.MethodGet, "/clob/data/orders", nil)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/clob/data/orders", nil)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, "HMAC over /clob/…", resp.StatusCode, body, http.StatusUnauthorized, sim.MsgUnauthorized)
	// No headers at all.
	code, _, body := e.do(http.MethodGet, "/clob/data/orders", "")
	wantError(t, "no L2 headers", code, body, http.StatusUnauthorized, sim.MsgUnauthorized)
	// The body is signed: the same headers with another body fail.
	b1, b2 := []byte(`{"orderID":"0x01"}`), []byte(`{"orderID":"0x02"}`)
	h, _ = order.L2Headers(good, alice.Address(), e.clk.Now(), http.MethodDelete, "/order", b1)
	req, _ = http.NewRequest(http.MethodDelete, e.srv.URL+"/clob/order", bytes.NewReader(b2))
	for k, v := range h {
		req.Header[k] = v
	}
	if resp, err = e.srv.Client().Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("body swapped after signing: %d", resp.StatusCode)
	}
}

// signedOrder builds a correctly signed order for c without posting it.
func signedOrder(t *testing.T, c *clob.Client, a clob.OrderArgs) order.PostOrder {
	t.Helper()
	po, err := c.Build(ctxBG, a)
	if err != nil {
		t.Fatal(err)
	}
	return po
}

func TestTradingOrderVerification(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 80})
	m := e.tradingMarket(false)
	tok, tick := m.tokens(t)[0], m.tick(t)
	aliceKey, bobKey := traderKey(t, 6), traderKey(t, 7)
	alice, bob := e.trader(aliceKey), e.trader(bobKey)
	ac, bc := credsOf(t, alice), credsOf(t, bob)
	rest := clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTC}
	post := func(key *ecdsa.PrivateKey, cr order.Creds, po any) (int, []byte) {
		b, err := json.Marshal(po)
		if err != nil {
			t.Fatal(err)
		}
		return e.l2(key, cr, http.MethodPost, "/order", b)
	}
	orders := e.sim.State().Orders

	// Tampered signature, or a field changed after signing.
	po := signedOrder(t, alice, rest)
	sig := []byte(po.Order.Signature)
	if sig[10] == '0' {
		sig[10] = '1'
	} else {
		sig[10] = '0'
	}
	po.Order.Signature = string(sig)
	code, body := post(aliceKey, ac, po)
	wantError(t, "tampered signature", code, body, http.StatusBadRequest, sim.MsgInvalidSignature)
	po = signedOrder(t, alice, rest)
	po.Order.MakerAmount = "60000" // 0.012 × 5: still a valid price, but not what was signed
	code, body = post(aliceKey, ac, po)
	wantError(t, "amount changed after signing", code, body, http.StatusBadRequest, sim.MsgInvalidSignature)

	// Signed for the other exchange (neg-risk flag wrong).
	wrong := !m.NegRisk
	a := rest
	a.NegRisk = &wrong
	_, err := alice.PostOrder(ctxBG, a)
	wantRejected(t, "order for the other exchange", err, sim.MsgInvalidSignature)

	// Owner is not the API key; signer is not the key's address.
	po = signedOrder(t, alice, rest)
	po.Owner = bc.APIKey
	code, body = post(aliceKey, ac, po)
	wantError(t, "owner mismatch", code, body, http.StatusBadRequest, sim.MsgOwnerNotAPIKey)
	po.Owner = bc.APIKey
	code, body = post(bobKey, bc, po)
	wantError(t, "alice's order posted by bob", code, body, http.StatusBadRequest, sim.MsgSignerNotAPIKey)

	// A V1-shaped order: order_version_mismatch (the client re-reads
	// /version, finds 2 again and gives up).
	var v1 map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, signedOrder(t, alice, rest))), &v1); err != nil {
		t.Fatal(err)
	}
	v1["order"].(map[string]any)["taker"] = "0x0000000000000000000000000000000000000000"
	v1["order"].(map[string]any)["nonce"] = "0"
	v1["order"].(map[string]any)["feeRateBps"] = "0"
	code, body = post(aliceKey, ac, v1)
	wantError(t, "V1 order", code, body, http.StatusBadRequest, sim.MsgVersionMismatch)
	if pe := polymarket.Classify(http.MethodPost, "/order", code, http.Header{}, body); !errors.Is(pe, polymarket.ErrVersionMismatch) {
		t.Errorf("V1 answer classified as %v", pe.Kind)
	}

	// Bad fields → Invalid order payload: ….
	for name, mutate := range map[string]func(*order.PostOrder){
		"maker not hex":   func(p *order.PostOrder) { p.Order.Maker = "0xZZ" },
		"negative amount": func(p *order.PostOrder) { p.Order.TakerAmount = "-5" },
		"unknown side":    func(p *order.PostOrder) { p.Order.Side = "HOLD" },
		"bad type":        func(p *order.PostOrder) { p.OrderType = "IOC" },
		"short metadata":  func(p *order.PostOrder) { p.Order.Metadata = "0x00" },
	} {
		po := signedOrder(t, alice, rest)
		mutate(&po)
		code, body := post(aliceKey, ac, po)
		var got map[string]string
		err := json.Unmarshal(body, &got)
		if err != nil || code != http.StatusBadRequest || !strings.HasPrefix(got["error"], sim.MsgInvalidOrderPayload+": ") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	if code, body = e.l2(aliceKey, ac, http.MethodPost, "/order", []byte(`{"order":{"salt":"1"}}`)); code != http.StatusBadRequest {
		t.Errorf("salt as a string: %d %s", code, body)
	}

	// A price off the market's tick (signed as if the tick were 0.001).
	a = rest
	a.Price, a.TickSize = tick+tick/2+tick/10*2, order.Tick0_001 // e.g. 0.017 on a 0.01 tick
	_, err = alice.PostOrder(ctxBG, a)
	wantRejected(t, "off-tick price", err, "breaks minimum tick size rule")
	// Amounts re-signed by their owner: a ratio that is not an exact price,
	// a zero amount, a price of 1 or more.
	resign := func(maker, taker int64) order.PostOrder {
		po := signedOrder(t, alice, rest)
		o, _, err := order.FromJSON(po.Order)
		if err != nil {
			t.Fatal(err)
		}
		o.MakerAmount, o.TakerAmount = big.NewInt(maker), big.NewInt(taker)
		ex, _ := order.ExchangeFor(137, 2, m.NegRisk)
		sig, err := order.SignV2(aliceKey, o, 137, ex, 2)
		if err != nil {
			t.Fatal(err)
		}
		po.Order = order.ToJSON(o, sig)
		return po
	}
	code, body = post(aliceKey, ac, resign(50001, 5_000_000))
	wantError(t, "inexact price", code, body, http.StatusBadRequest, sim.MsgInvalidPrice)
	code, body = post(aliceKey, ac, resign(5_000_000, 5_000_000))
	wantError(t, "price 1", code, body, http.StatusBadRequest, sim.MsgInvalidPrice)
	code, body = post(aliceKey, ac, resign(0, 5_000_000))
	wantError(t, "zero amount", code, body, http.StatusBadRequest, sim.MsgInvalidOrderPayload+": makerAmount and takerAmount must be positive")

	// A business rejection is a 400 with the venue's message.
	a = rest
	a.Price, a.Size = share-tick, 20_000*share
	_, err = alice.PostOrder(ctxBG, a)
	wantRejected(t, "too expensive", err, sim.MsgNotEnoughBalance)
	// Unknown token.
	a = rest
	a.TokenID, a.TickSize, a.NegRisk = "12345", tick, &m.NegRisk
	_, err = alice.PostOrder(ctxBG, a)
	wantRejected(t, "unknown token", err, sim.MsgInvalidTokenID)

	if got := e.sim.State().Orders; got != orders {
		t.Errorf("rejected orders were stored: %d → %d", orders, got)
	}
	// And the untouched order is accepted, once.
	po = signedOrder(t, alice, rest)
	if code, body = post(aliceKey, ac, po); code != http.StatusOK {
		t.Fatalf("good order: %d %s", code, body)
	}
	code, body = post(aliceKey, ac, po)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "Duplicated") {
		t.Errorf("same order again: %d %s", code, body)
	}
}

func TestTradingBatchAndCancels(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 80})
	m := e.tradingMarket(false)
	toks := m.tokens(t)
	tick := m.tick(t)
	key := traderKey(t, 8)
	alice := e.trader(key)
	ac := credsOf(t, alice)
	args := func(tok string, p vig.Micros) clob.OrderArgs {
		return clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: p, Size: 5 * share, Type: order.GTC}
	}
	rs, err := alice.PostOrders(ctxBG, []clob.OrderArgs{args(toks[0], tick), args(toks[0], 2*tick), args(toks[1], tick),
		{TokenID: toks[1], Side: order.Sell, Price: 2 * tick, Size: 5 * share, Type: order.GTC}})
	if err != nil || len(rs) != 4 {
		t.Fatalf("PostOrders = %+v, %v", rs, err)
	}
	for i, r := range rs[:3] {
		if !r.Success || r.Status != clob.StatusLive {
			t.Errorf("batch order %d: %+v", i, r)
		}
	}
	if rs[3].Success || rs[3].ErrorMsg != sim.MsgNotEnoughBalance {
		t.Errorf("sell without shares in a batch: %+v", rs[3])
	}

	// One bad signature rejects the whole batch.
	good, bad := signedOrder(t, alice, args(toks[0], 3*tick)), signedOrder(t, alice, args(toks[0], 4*tick))
	bad.Order.Salt++
	before := e.sim.State().Orders
	code, body := e.l2(key, ac, http.MethodPost, "/orders", []byte(mustJSON(t, []order.PostOrder{good, bad})))
	wantError(t, "batch with a bad order", code, body, http.StatusBadRequest, sim.MsgInvalidSignature)
	if got := e.sim.State().Orders; got != before {
		t.Errorf("a rejected batch stored orders: %d → %d", before, got)
	}
	many := make([]order.PostOrder, sim.MaxBatchOrders+1)
	for i := range many {
		many[i] = good
	}
	code, body = e.l2(key, ac, http.MethodPost, "/orders", []byte(mustJSON(t, many)))
	wantError(t, "16 orders", code, body, http.StatusBadRequest, "Too many orders in payload, max allowed: 15")

	// Cancels: several ids, a market/asset, everything.
	cr, err := alice.CancelOrders(ctxBG, []string{rs[0].OrderID, "0xnope"})
	if err != nil || !slices.Equal(cr.Canceled, []string{rs[0].OrderID}) || cr.NotCanceled["0xnope"] != sim.MsgNotCanceled {
		t.Errorf("CancelOrders = %+v, %v", cr, err)
	}
	cr, err = alice.CancelMarket(ctxBG, "", toks[1])
	if err != nil || !slices.Equal(cr.Canceled, []string{rs[2].OrderID}) {
		t.Errorf("CancelMarket(asset) = %+v, %v", cr, err)
	}
	code, body = e.l2(key, ac, http.MethodDelete, "/cancel-market-orders", []byte(`{}`))
	wantError(t, "cancel-market-orders without a filter", code, body, http.StatusBadRequest, sim.MsgInvalidPayload)
	code, body = e.l2(key, ac, http.MethodDelete, "/order", []byte(`{}`))
	wantError(t, "cancel without orderID", code, body, http.StatusBadRequest, sim.MsgInvalidOrderID)
	cr, err = alice.CancelAllAccountWide(ctxBG)
	if err != nil || !slices.Equal(cr.Canceled, []string{rs[1].OrderID}) {
		t.Errorf("CancelAll = %+v, %v", cr, err)
	}
	if open, _ := alice.OpenOrders(ctxBG, clob.OrderFilter{}); len(open) != 0 {
		t.Errorf("open after cancel-all: %+v", open)
	}

	// Heartbeats round-trip through the dead-man switch.
	id, err := alice.Heartbeat(ctxBG, "")
	if err != nil || id == "" {
		t.Fatalf("Heartbeat = %q, %v", id, err)
	}
	r := mustPost(t, alice, args(toks[0], tick))
	if id2, err := alice.Heartbeat(ctxBG, id); err != nil || id2 == "" || id2 == id {
		t.Errorf("second heartbeat = %q, %v", id2, err)
	}
	e.clk.Advance(sim.HeartbeatTimeout + time.Second)
	if o, _ := alice.GetOrder(ctxBG, r.OrderID); o.Status != clob.StatusCanceled {
		t.Errorf("order after the heartbeat lapsed: %s", o.Status)
	}

	// GTD carries its expiration.
	exp := e.sim.Now().Add(5 * time.Minute)
	r = mustPost(t, alice, clob.OrderArgs{TokenID: toks[0], Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTD, Expiration: exp})
	if o, _ := alice.GetOrder(ctxBG, r.OrderID); o.OrderType != "GTD" || o.Expiration != exp.Unix() {
		t.Errorf("GTD order %+v", o)
	}
	_, err = alice.PostOrder(ctxBG, clob.OrderArgs{TokenID: toks[0], Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTD, Expiration: e.sim.Now().Add(30 * time.Second)})
	wantRejected(t, "GTD inside the threshold", err, sim.MsgInvalidExpiration)

	// Trading disabled: order entry answers 503 (ErrTradingDisabled), reads work.
	e.sim.SetFaults(sim.Faults{TradingDisabled: true})
	if _, err := alice.PostOrder(ctxBG, args(toks[0], tick)); !errors.Is(err, polymarket.ErrTradingDisabled) {
		t.Errorf("PostOrder while disabled: %v", err)
	}
	if _, err := alice.GetOrder(ctxBG, r.OrderID); err != nil {
		t.Errorf("GetOrder while disabled: %v", err)
	}
	e.sim.SetFaults(sim.Faults{HTML403OnOrder: true})
	if _, err := alice.PostOrder(ctxBG, args(toks[0], tick)); !errors.Is(err, polymarket.ErrGeoblocked) {
		t.Errorf("PostOrder behind the HTML 403: %v", err)
	}
}

func TestTradingPoly1271(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 80})
	m := e.tradingMarket(false)
	tok, tick := m.tokens(t)[0], m.tick(t)
	key := traderKey(t, 9)
	wallet := common.HexToAddress("0x00000000000000000000000000000000000d3b05")
	cfg := e.traderCfg(key)
	cfg.SignatureType, cfg.Funder = order.Poly1271, wallet
	c := newClob(cfg)
	if _, err := c.CreateOrDeriveAPIKey(ctxBG); err != nil {
		t.Fatal(err)
	}
	r := e.buyFromHouse(c, tok, tick, 5*share)
	o, err := c.GetOrder(ctxBG, r.OrderID)
	if err != nil || o.MakerAddress != lowerHex(wallet) {
		t.Fatalf("POLY_1271 order: %+v, %v", o, err)
	}
	// Balances of signature type 3 are the deposit wallet's.
	if got := e.balance(c, clob.Conditional, tok); got != 5*share {
		t.Errorf("wallet shares via signature_type=3: %v", got)
	}
	if got, _, err := e.sim.Balance(wallet.Hex(), "CONDITIONAL", tok); err != nil || got != 5*share {
		t.Errorf("wallet shares in the engine: %v, %v", got, err)
	}
	// Signature type 0 still reports the key's own (untouched) wallet.
	eoa := e.traderCfg(key)
	eoaClient := newClob(eoa)
	if _, err := eoaClient.CreateOrDeriveAPIKey(ctxBG); err != nil {
		t.Fatal(err)
	}
	if got := e.balance(eoaClient, clob.Collateral, ""); got != sim.DefaultInitialBalance {
		t.Errorf("EOA collateral %v", got)
	}
	// An envelope signed by a key other than the API key's: invalid signature.
	po := signedOrder(t, c, clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTC})
	ord, _, err := order.FromJSON(po.Order)
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := order.ExchangeFor(137, 2, m.NegRisk)
	sig, err := order.SignPoly1271(traderKey(t, 11), ord, 137, ex, wallet)
	if err != nil {
		t.Fatal(err)
	}
	po.Order = order.ToJSON(ord, sig)
	code, body := e.l2(key, credsOf(t, c), http.MethodPost, "/order", []byte(mustJSON(t, po)))
	wantError(t, "envelope from a stranger's key", code, body, http.StatusBadRequest, sim.MsgInvalidSignature)
}

// countingServer serves e's sim behind a counter of POST /clob/order
// requests.
func (e *env) countingServer(posts *atomic.Int64) *httptest.Server {
	h := e.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/clob/order" {
			posts.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	return srv
}

func TestTradingRateLimitStorm(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 80})
	m := e.tradingMarket(false)
	tok, tick := m.tokens(t)[0], m.tick(t)
	var posts atomic.Int64
	srv := e.countingServer(&posts)
	key := traderKey(t, 12)
	cfg := e.traderCfg(key)
	cfg.BaseURL, cfg.HTTP = srv.URL+"/clob", srv.Client()
	c := newClob(cfg)
	if _, err := c.CreateOrDeriveAPIKey(ctxBG); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(ctxBG); err != nil {
		t.Fatal(err)
	}
	args := clob.OrderArgs{TokenID: tok, Side: order.Buy, Price: tick, Size: 5 * share, Type: order.GTC, TickSize: tick, NegRisk: &m.NegRisk}
	r := mustPost(t, c, args)

	// Reads ride out a burst of three 429s (the client tries four times).
	e.sim.SetFaults(sim.Faults{RateLimitBurst: 3})
	if _, err := c.Book(ctxBG, tok); err != nil || e.sim.Faults().RateLimitBurst != 0 {
		t.Errorf("Book through a 429 storm: %v (burst left %d)", err, e.sim.Faults().RateLimitBurst)
	}
	e.sim.SetFaults(sim.Faults{RateLimitBurst: 3})
	if o, err := c.GetOrder(ctxBG, r.OrderID); err != nil || o.Status != clob.StatusLive || e.sim.Faults().RateLimitBurst != 0 {
		t.Errorf("GetOrder through a 429 storm: %+v, %v", o, err)
	}

	// An order POST is never retried: the 429 reaches the caller and the
	// engine never saw the order.
	e.sim.SetFaults(sim.Faults{RateLimitBurst: 3, RetryAfterSeconds: 1})
	before, sent := e.sim.State().Orders, posts.Load()
	_, err := c.PostOrder(ctxBG, args)
	var ae *polymarket.APIError
	if !errors.Is(err, polymarket.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != time.Second {
		t.Errorf("PostOrder under 429: %v", err)
	}
	if n := posts.Load() - sent; n != 1 {
		t.Errorf("POST /clob/order sent %d times, want 1", n)
	}
	if got := e.sim.State().Orders; got != before {
		t.Errorf("orders %d → %d after a 429", before, got)
	}
	if f := e.sim.Faults(); f.RateLimitBurst != 2 {
		t.Errorf("burst left %d, want 2", f.RateLimitBurst)
	}
}
