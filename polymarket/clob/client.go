// Package clob is Vig's client for the Polymarket CLOB: public market data
// (books, prices, tick sizes, markets, server time and version) and the
// authenticated API (API keys via L1 ClobAuth signatures, orders, cancels,
// trades, balances and heartbeats via L2 HMAC headers), for V2 orders.
//
// Reads and cancels are retried (they are safe to repeat); an order POST
// never is: the caller decides after reconciling. The one exception is the
// documented order_version_mismatch answer, after which the client re-reads
// /version and re-signs for the right exchange version once.
package clob

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/order"
)

// Config configures a Client.
type Config struct {
	BaseURL string       // https://clob.polymarket.com, or http://127.0.0.1:8090/clob for vig sim
	HTTP    *http.Client // the proxy subservice supplies the transport
	Timeout time.Duration
	ChainID int64 // 137 (Polygon) or 80002 (Amoy)

	// Signing, for L1 and orders; nil for a read-only client.
	Key *ecdsa.PrivateKey
	// Funder holds the funds for signature types 1, 2 and 3 (proxy, Safe,
	// deposit wallet); zero means the key's own address (type 0).
	Funder        common.Address
	SignatureType order.SignatureType
	// Creds are the L2 API credentials (from CreateOrDeriveAPIKey).
	Creds *order.Creds
	// Now is the clock for auth timestamps (default time.Now).
	Now func() time.Time
}

// Client talks to one CLOB.
type Client struct {
	ep  *polymarket.Endpoint
	cfg Config

	mu      sync.Mutex
	creds   *order.Creds
	version int // exchange version for signing; 0 until read
}

// New returns a client. It does no IO.
func New(cfg Config) *Client {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = 137
	}
	return &Client{ep: &polymarket.Endpoint{BaseURL: cfg.BaseURL, HTTP: cfg.HTTP, Timeout: cfg.Timeout}, cfg: cfg, creds: cfg.Creds}
}

// Endpoint exposes the HTTP plumbing (tests tune retries and sleeps).
func (c *Client) Endpoint() *polymarket.Endpoint { return c.ep }

// Address is the signing key's address (zero without a key).
func (c *Client) Address() common.Address {
	if c.cfg.Key == nil {
		return common.Address{}
	}
	return crypto.PubkeyToAddress(c.cfg.Key.PublicKey)
}

// Maker is the address that holds the funds: the funder, or the signer
// for EOA orders.
func (c *Client) Maker() common.Address {
	if c.cfg.Funder != (common.Address{}) {
		return c.cfg.Funder
	}
	return c.Address()
}

func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	return c.ep.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: path, Query: q, Safe: true})
}

func tokenQuery(tokenID string) url.Values { return url.Values{"token_id": {tokenID}} }

// Book returns the order book of a token, levels sorted best first.
func (c *Client) Book(ctx context.Context, tokenID string) (Book, error) {
	body, err := c.get(ctx, "/book", tokenQuery(tokenID))
	if err != nil {
		return Book{}, err
	}
	return DecodeBook(body)
}

// Books returns the books of several tokens in one call.
func (c *Client) Books(ctx context.Context, tokenIDs ...string) ([]Book, error) {
	req := make([]map[string]string, len(tokenIDs))
	for i, id := range tokenIDs {
		req[i] = map[string]string{"token_id": id}
	}
	b, _ := json.Marshal(req)
	// POST /books only reads: safe to retry.
	body, err := c.ep.Do(ctx, polymarket.Request{Method: http.MethodPost, Path: "/books", Body: b, Safe: true})
	if err != nil {
		return nil, err
	}
	return DecodeBooks(body)
}

// Price returns the best price for side: BUY gets the best ask, SELL the
// best bid.
func (c *Client) Price(ctx context.Context, tokenID string, side order.Side) (vig.Micros, error) {
	q := tokenQuery(tokenID)
	q.Set("side", side.String())
	body, err := c.get(ctx, "/price", q)
	if err != nil {
		return 0, err
	}
	return DecodePrice(body)
}

// Midpoint returns the midpoint price.
func (c *Client) Midpoint(ctx context.Context, tokenID string) (vig.Micros, error) {
	body, err := c.get(ctx, "/midpoint", tokenQuery(tokenID))
	if err != nil {
		return 0, err
	}
	return DecodeMidpoint(body)
}

// TickSize returns the token's minimum tick size.
func (c *Client) TickSize(ctx context.Context, tokenID string) (vig.Micros, error) {
	body, err := c.get(ctx, "/tick-size", tokenQuery(tokenID))
	if err != nil {
		return 0, err
	}
	return DecodeTickSize(body)
}

// NegRisk reports whether the token trades on the neg-risk exchange.
func (c *Client) NegRisk(ctx context.Context, tokenID string) (bool, error) {
	body, err := c.get(ctx, "/neg-risk", tokenQuery(tokenID))
	if err != nil {
		return false, err
	}
	var w struct {
		NegRisk *bool `json:"neg_risk"`
	}
	if err := json.Unmarshal(body, &w); err != nil || w.NegRisk == nil {
		return false, malformed("/neg-risk", fmt.Errorf("want {\"neg_risk\": bool}"))
	}
	return *w.NegRisk, nil
}

// Market returns a CLOB market by condition id.
func (c *Client) Market(ctx context.Context, conditionID string) (Market, error) {
	body, err := c.get(ctx, "/markets/"+url.PathEscape(conditionID), nil)
	if err != nil {
		return Market{}, err
	}
	return DecodeMarket(body)
}

// ServerTime returns the CLOB's clock.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	body, err := c.get(ctx, "/time", nil)
	if err != nil {
		return time.Time{}, err
	}
	sec, ok := atoi(json.RawMessage(strings.TrimSpace(string(body))))
	if !ok || sec <= 0 {
		return time.Time{}, malformed("/time", fmt.Errorf("want integer seconds"))
	}
	return time.Unix(sec, 0).UTC(), nil
}

// Version returns the exchange version orders must be signed for (2 when
// the answer lacks it, as the official V2 client assumes).
func (c *Client) Version(ctx context.Context) (int, error) {
	body, err := c.get(ctx, "/version", nil)
	if err != nil {
		return 0, err
	}
	var w struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return 0, malformed("/version", err)
	}
	v := 2
	if w.Version != nil {
		v = *w.Version
	}
	if v < 1 || v > 3 {
		return 0, malformed("/version", fmt.Errorf("unknown exchange version %d", v))
	}
	c.mu.Lock()
	c.version = v
	c.mu.Unlock()
	return v, nil
}

// ---- L1: API keys ----

var errNoKey = errors.New("clob: this call needs a signing key (POLYGON_PRIVATE_KEY)")

func (c *Client) l1(nonce *big.Int) func(h http.Header, method, path string, body []byte) error {
	return func(h http.Header, method, path string, body []byte) error {
		if c.cfg.Key == nil {
			return errNoKey
		}
		l1, err := order.L1Headers(c.cfg.Key, c.cfg.ChainID, c.cfg.Now(), nonce)
		if err != nil {
			return err
		}
		for k, v := range l1 {
			h[k] = v
		}
		return nil
	}
}

func decodeCreds(path string, body []byte) (order.Creds, error) {
	var w struct {
		APIKey     string `json:"apiKey"`
		Secret     string `json:"secret"`
		Passphrase string `json:"passphrase"`
	}
	if err := json.Unmarshal(body, &w); err != nil || w.APIKey == "" || w.Secret == "" || w.Passphrase == "" {
		return order.Creds{}, malformed(path, fmt.Errorf("want apiKey, secret and passphrase"))
	}
	return order.Creds{APIKey: w.APIKey, Secret: w.Secret, Passphrase: w.Passphrase}, nil
}

// CreateAPIKey creates API credentials for the signing key.
func (c *Client) CreateAPIKey(ctx context.Context, nonce uint64) (order.Creds, error) {
	body, err := c.ep.Do(ctx, polymarket.Request{Method: http.MethodPost, Path: "/auth/api-key", Sign: c.l1(new(big.Int).SetUint64(nonce))})
	if err != nil {
		return order.Creds{}, err
	}
	return decodeCreds("/auth/api-key", body)
}

// DeriveAPIKey returns the existing API credentials for the signing key.
func (c *Client) DeriveAPIKey(ctx context.Context, nonce uint64) (order.Creds, error) {
	body, err := c.ep.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: "/auth/derive-api-key", Safe: true, Sign: c.l1(new(big.Int).SetUint64(nonce))})
	if err != nil {
		return order.Creds{}, err
	}
	return decodeCreds("/auth/derive-api-key", body)
}

// CreateOrDeriveAPIKey creates credentials, falling back to deriving the
// existing ones as the official clients do, and keeps them for L2 calls.
func (c *Client) CreateOrDeriveAPIKey(ctx context.Context) (order.Creds, error) {
	creds, err := c.CreateAPIKey(ctx, 0)
	if err != nil {
		var derr error
		if creds, derr = c.DeriveAPIKey(ctx, 0); derr != nil {
			return order.Creds{}, fmt.Errorf("create API key: %w; derive: %w", err, derr)
		}
	}
	c.mu.Lock()
	c.creds = &creds
	c.mu.Unlock()
	return creds, nil
}

// ---- L2 ----

var errNoCreds = errors.New("clob: this call needs API credentials (CreateOrDeriveAPIKey first)")

func (c *Client) l2(h http.Header, method, path string, body []byte) error {
	c.mu.Lock()
	creds := c.creds
	c.mu.Unlock()
	if creds == nil {
		return errNoCreds
	}
	if c.cfg.Key == nil {
		return errNoKey
	}
	l2, err := order.L2Headers(*creds, c.Address(), c.cfg.Now(), method, path, body)
	if err != nil {
		return err
	}
	for k, v := range l2 {
		h[k] = v
	}
	return nil
}

func (c *Client) authed(ctx context.Context, method, path string, q url.Values, body []byte, safe bool) ([]byte, error) {
	return c.ep.Do(ctx, polymarket.Request{Method: method, Path: path, Query: q, Body: body, Safe: safe, Sign: c.l2})
}

// OrderArgs describe a limit order to build and sign.
type OrderArgs struct {
	TokenID    string
	Side       order.Side
	Price      vig.Micros // on the token's tick
	Size       vig.Micros // shares
	Type       order.OrderType
	Expiration time.Time // GTD only: the venue wants at least a minute of margin
	PostOnly   bool
	// TickSize and NegRisk are read from the CLOB when zero/nil.
	TickSize vig.Micros
	NegRisk  *bool
}

// Build validates args, computes exact amounts and signs the order for the
// exchange version in force. It does no IO when TickSize, NegRisk and the
// version are known.
func (c *Client) Build(ctx context.Context, a OrderArgs) (order.PostOrder, error) {
	if c.cfg.Key == nil {
		return order.PostOrder{}, errNoKey
	}
	c.mu.Lock()
	creds, version := c.creds, c.version
	c.mu.Unlock()
	if creds == nil {
		return order.PostOrder{}, errNoCreds
	}
	if !a.Type.Valid() {
		return order.PostOrder{}, fmt.Errorf("clob: unknown order type %q", a.Type)
	}
	if a.PostOnly && !order.PostOnlyAllowed(a.Type) {
		return order.PostOrder{}, fmt.Errorf("clob: postOnly is only allowed with GTC or GTD")
	}
	// Reject what we can before any IO.
	if tid, ok := new(big.Int).SetString(a.TokenID, 10); !ok || tid.Sign() < 0 {
		return order.PostOrder{}, fmt.Errorf("clob: token id %q is not a decimal uint256", bound(a.TokenID))
	}
	if a.Type == order.GTD && a.Expiration.IsZero() {
		return order.PostOrder{}, fmt.Errorf("clob: GTD order without expiration")
	}
	if a.TickSize != 0 {
		if _, _, err := order.LimitAmounts(a.Side, a.Price, a.Size, a.TickSize); err != nil {
			return order.PostOrder{}, err
		}
	}
	if a.TickSize == 0 {
		t, err := c.TickSize(ctx, a.TokenID)
		if err != nil {
			return order.PostOrder{}, err
		}
		a.TickSize = t
	}
	if a.NegRisk == nil {
		nr, err := c.NegRisk(ctx, a.TokenID)
		if err != nil {
			return order.PostOrder{}, err
		}
		a.NegRisk = &nr
	}
	if version == 0 {
		v, err := c.Version(ctx)
		if err != nil {
			return order.PostOrder{}, err
		}
		version = v
	}
	return c.sign(a, *creds, version)
}

func (c *Client) sign(a OrderArgs, creds order.Creds, version int) (order.PostOrder, error) {
	maker, taker, err := order.LimitAmounts(a.Side, a.Price, a.Size, a.TickSize)
	if err != nil {
		return order.PostOrder{}, err
	}
	tokenID, ok := new(big.Int).SetString(a.TokenID, 10)
	if !ok || tokenID.Sign() < 0 {
		return order.PostOrder{}, fmt.Errorf("clob: token id %q is not a decimal uint256", bound(a.TokenID))
	}
	exchange, err := order.ExchangeFor(c.cfg.ChainID, version, *a.NegRisk)
	if err != nil {
		return order.PostOrder{}, err
	}
	exp := big.NewInt(0)
	if a.Type == order.GTD {
		if a.Expiration.IsZero() {
			return order.PostOrder{}, fmt.Errorf("clob: GTD order without expiration")
		}
		exp = big.NewInt(a.Expiration.Unix())
	}
	o := &order.OrderV2{
		Salt: order.NewSalt(), Maker: c.Maker(), Signer: c.Address(), TokenID: tokenID, MakerAmount: maker, TakerAmount: taker,
		Side: a.Side, SignatureType: c.cfg.SignatureType, Timestamp: big.NewInt(c.cfg.Now().UnixMilli()), Expiration: exp,
	}
	if c.cfg.SignatureType == order.Poly1271 {
		// Deposit wallets: maker and signer are the wallet itself.
		o.Signer = c.Maker()
	}
	var sig []byte
	if c.cfg.SignatureType == order.Poly1271 {
		sig, err = order.SignPoly1271(c.cfg.Key, o, c.cfg.ChainID, exchange, c.Maker())
	} else {
		sig, err = order.SignV2(c.cfg.Key, o, c.cfg.ChainID, exchange, version)
	}
	if err != nil {
		return order.PostOrder{}, err
	}
	po := order.PostOrder{Order: order.ToJSON(o, sig), Owner: creds.APIKey, OrderType: string(a.Type)}
	if order.PostOnlyAllowed(a.Type) {
		p := a.PostOnly
		po.PostOnly = &p
	}
	return po, nil
}

// PostOrder builds, signs and posts one order. It is NOT retried on
// failure (an order may have reached the book): reconcile before sending
// it again. On order_version_mismatch it re-reads /version and, if the
// version changed, re-signs and posts once.
func (c *Client) PostOrder(ctx context.Context, a OrderArgs) (OrderResponse, error) {
	po, err := c.Build(ctx, a)
	if err != nil {
		return OrderResponse{}, err
	}
	resp, err := c.postSigned(ctx, po)
	if !errors.Is(err, polymarket.ErrVersionMismatch) {
		return resp, err
	}
	c.mu.Lock()
	old := c.version
	c.mu.Unlock()
	v, verr := c.Version(ctx)
	if verr != nil || v == old {
		return resp, err
	}
	if po, err = c.Build(ctx, a); err != nil {
		return OrderResponse{}, err
	}
	return c.postSigned(ctx, po)
}

// PostSigned posts an already signed order (not retried).
func (c *Client) postSigned(ctx context.Context, po order.PostOrder) (OrderResponse, error) {
	b, err := json.Marshal(po)
	if err != nil {
		return OrderResponse{}, err
	}
	body, err := c.authed(ctx, http.MethodPost, "/order", nil, b, false)
	if err != nil {
		return OrderResponse{}, err
	}
	r, err := DecodeOrderResponse(body)
	if err != nil {
		return OrderResponse{}, err
	}
	if !r.Success {
		return r, &polymarket.APIError{Kind: polymarket.ErrRejected, Method: http.MethodPost, Path: "/order", Status: 200, Message: r.ErrorMsg}
	}
	return r, nil
}

// PostOrders builds and posts a batch (all or nothing at the venue; not
// retried).
func (c *Client) PostOrders(ctx context.Context, args []OrderArgs) ([]OrderResponse, error) {
	pos := make([]order.PostOrder, 0, len(args))
	for _, a := range args {
		po, err := c.Build(ctx, a)
		if err != nil {
			return nil, err
		}
		pos = append(pos, po)
	}
	b, err := json.Marshal(pos)
	if err != nil {
		return nil, err
	}
	body, err := c.authed(ctx, http.MethodPost, "/orders", nil, b, false)
	if err != nil {
		return nil, err
	}
	return DecodeOrderResponses(body)
}

// CancelOrder cancels one order (idempotent, so retried).
func (c *Client) CancelOrder(ctx context.Context, orderID string) (CancelResponse, error) {
	b, _ := json.Marshal(map[string]string{"orderID": orderID})
	body, err := c.authed(ctx, http.MethodDelete, "/order", nil, b, true)
	if err != nil {
		return CancelResponse{}, err
	}
	return DecodeCancel(body)
}

// CancelOrders cancels the given orders.
func (c *Client) CancelOrders(ctx context.Context, orderIDs []string) (CancelResponse, error) {
	b, _ := json.Marshal(orderIDs)
	body, err := c.authed(ctx, http.MethodDelete, "/orders", nil, b, true)
	if err != nil {
		return CancelResponse{}, err
	}
	return DecodeCancel(body)
}

// CancelMarket cancels this account's orders in one market (and optionally
// one token). It refuses an empty market: use CancelAllAccountWide for that.
func (c *Client) CancelMarket(ctx context.Context, market, assetID string) (CancelResponse, error) {
	if market == "" && assetID == "" {
		return CancelResponse{}, errors.New("clob: CancelMarket needs a market or asset id (account-wide cancel is CancelAllAccountWide)")
	}
	b, _ := json.Marshal(map[string]string{"market": market, "asset_id": assetID})
	body, err := c.authed(ctx, http.MethodDelete, "/cancel-market-orders", nil, b, true)
	if err != nil {
		return CancelResponse{}, err
	}
	return DecodeCancel(body)
}

// CancelAllAccountWide cancels EVERY open order of the account, including
// ones other tools placed. Named loudly so nobody calls it by accident.
func (c *Client) CancelAllAccountWide(ctx context.Context) (CancelResponse, error) {
	body, err := c.authed(ctx, http.MethodDelete, "/cancel-all", nil, nil, true)
	if err != nil {
		return CancelResponse{}, err
	}
	return DecodeCancel(body)
}

// GetOrder returns one order.
func (c *Client) GetOrder(ctx context.Context, orderID string) (Order, error) {
	body, err := c.authed(ctx, http.MethodGet, "/data/order/"+url.PathEscape(orderID), nil, nil, true)
	if err != nil {
		return Order{}, err
	}
	return DecodeOrder(body)
}

// OrderFilter narrows OpenOrders and Trades.
type OrderFilter struct {
	Market  string // condition id
	AssetID string
	ID      string
}

func (f OrderFilter) query() url.Values {
	q := url.Values{}
	if f.Market != "" {
		q.Set("market", f.Market)
	}
	if f.AssetID != "" {
		q.Set("asset_id", f.AssetID)
	}
	if f.ID != "" {
		q.Set("id", f.ID)
	}
	return q
}

// maxPages bounds cursor pagination against a venue that never ends it.
const maxPages = 1000

// OpenOrders returns every open order matching f (all pages).
func (c *Client) OpenOrders(ctx context.Context, f OrderFilter) ([]Order, error) {
	return collect(ctx, c, "/data/orders", f, DecodeOrders)
}

// Trades returns every trade matching f (all pages).
func (c *Client) Trades(ctx context.Context, f OrderFilter) ([]Trade, error) {
	return collect(ctx, c, "/data/trades", f, DecodeTrades)
}

// collect follows the CLOB's cursor pagination ("MA==" first, "LTE=" last)
// and returns every item.
func collect[T any](ctx context.Context, c *Client, path string, f OrderFilter, decode func([]byte) ([]T, string, error)) ([]T, error) {
	var out []T
	cursor := "MA=="
	for i := 0; i < maxPages; i++ {
		q := f.query()
		q.Set("next_cursor", cursor)
		body, err := c.authed(ctx, http.MethodGet, path, q, nil, true)
		if err != nil {
			return nil, err
		}
		items, next, err := decode(body)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" || next == EndCursor || next == cursor {
			return out, nil
		}
		cursor = next
	}
	return nil, malformed(path, fmt.Errorf("more than %d pages", maxPages))
}

// AssetType selects a balance: the collateral (pUSD) or one outcome token.
type AssetType string

// Asset types.
const (
	Collateral  AssetType = "COLLATERAL"
	Conditional AssetType = "CONDITIONAL"
)

func (c *Client) balanceQuery(asset AssetType, tokenID string) url.Values {
	q := url.Values{"asset_type": {string(asset)}, "signature_type": {fmt.Sprint(int(c.cfg.SignatureType))}}
	if tokenID != "" {
		q.Set("token_id", tokenID)
	}
	return q
}

// BalanceAllowance returns the CLOB's view of a balance and allowance.
func (c *Client) BalanceAllowance(ctx context.Context, asset AssetType, tokenID string) (Balance, error) {
	body, err := c.authed(ctx, http.MethodGet, "/balance-allowance", c.balanceQuery(asset, tokenID), nil, true)
	if err != nil {
		return Balance{}, err
	}
	return DecodeBalance(body)
}

// UpdateBalanceAllowance asks the CLOB to refresh its cached balance (after
// wrapping pUSD or approving), then returns it.
func (c *Client) UpdateBalanceAllowance(ctx context.Context, asset AssetType, tokenID string) (Balance, error) {
	if _, err := c.authed(ctx, http.MethodGet, "/balance-allowance/update", c.balanceQuery(asset, tokenID), nil, true); err != nil {
		return Balance{}, err
	}
	return c.BalanceAllowance(ctx, asset, tokenID)
}

// Heartbeat keeps the account's dead-man switch alive; pass the previous
// answer's id ("" the first time).
func (c *Client) Heartbeat(ctx context.Context, id string) (string, error) {
	b, _ := json.Marshal(map[string]string{"heartbeat_id": id})
	body, err := c.authed(ctx, http.MethodPost, "/v1/heartbeats", nil, b, true)
	if err != nil {
		return "", err
	}
	var w struct {
		HeartbeatID string `json:"heartbeat_id"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return "", malformed("/v1/heartbeats", err)
	}
	return w.HeartbeatID, nil
}
