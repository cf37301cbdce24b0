package sim

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/vig-bot/vig"
	porder "github.com/vig-bot/vig/polymarket/order"
)

// Order-entry and cancel messages. The owner and signer messages are the
// real CLOB's; the rest follow its style.
const (
	MsgOwnerNotAPIKey   = "the order owner has to be the owner of the API KEY"
	MsgSignerNotAPIKey  = "the order signer address has to be the address of the API KEY"
	MsgInvalidSignature = "invalid signature"
	MsgVersionMismatch  = "order_version_mismatch"
	MsgInvalidOrderID   = "Invalid orderID"
	MsgOrderNotFound    = "order not found"
)

// Batch limits of POST /orders and DELETE /orders.
const (
	MaxBatchOrders  = 15
	MaxBatchCancels = 3000
)

// ExchangeVersion is the exchange version orders must be signed for; GET
// /version reports it.
const ExchangeVersion = 2

// maxAmount bounds makerAmount and takerAmount (base units): 2^50 is about
// a billion pUSD or shares, far beyond any balance, and keeps every product
// inside int64.
var maxAmount = big.NewInt(1 << 50)

var oneBig = big.NewInt(int64(one))

// exchangeFor is the V2 exchange (verifyingContract) of a market: the
// neg-risk exchange for neg-risk markets. Chains other than Polygon and
// Amoy use Polygon's addresses (the chain id is in the domain anyway).
func (t *tradingAPI) exchangeFor(negRisk bool) common.Address {
	a, err := porder.ExchangeFor(t.s.ChainID(), ExchangeVersion, negRisk)
	if err != nil {
		a, _ = porder.ExchangeFor(porder.ChainPolygon, ExchangeVersion, negRisk)
	}
	return a
}

func orderBad(msg string) *Error { return &Error{http.StatusBadRequest, msg} }

// payloadError is MsgInvalidOrderPayload with the reason.
func payloadError(err error) *Error {
	why := strings.TrimPrefix(err.Error(), porder.ErrInvalidOrder.Error()+": ")
	return orderBad(MsgInvalidOrderPayload + ": " + why)
}

// checkOrder verifies one POST /order body as the venue does and converts
// it into an OrderRequest, in this order: a V1-shaped order (taker, nonce
// or feeRateBps present) → MsgVersionMismatch; undecodable JSON or fields
// (porder.FromJSON), unknown orderType → MsgInvalidOrderPayload + reason;
// owner not the request's API key → MsgOwnerNotAPIKey; signer not the key's
// address (types 0–2) → MsgSignerNotAPIKey; unknown token →
// MsgInvalidTokenID; a signature that does not verify for the market's
// exchange (domain version "2", verifyingContract by the market's neg-risk
// flag; POLY_1271: the envelope's owner must be the key's address and
// maker = signer) → MsgInvalidSignature; amounts whose price is not an
// exact 6-decimal number below 1 → MsgInvalidPrice. Everything else
// (tick, minimum size, balance, expiration…) is PlaceOrder's.
func (t *tradingAPI) checkOrder(a l2Auth, raw []byte) (OrderRequest, porder.SignatureType, *Error) {
	var probe struct {
		Order map[string]json.RawMessage `json:"order"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return OrderRequest{}, 0, payloadError(err)
	}
	for _, k := range []string{"taker", "nonce", "feeRateBps"} {
		if _, ok := probe.Order[k]; ok {
			return OrderRequest{}, 0, orderBad(MsgVersionMismatch)
		}
	}
	var po porder.PostOrder
	if err := json.Unmarshal(raw, &po); err != nil {
		return OrderRequest{}, 0, payloadError(err)
	}
	o, sig, err := porder.FromJSON(po.Order)
	if err != nil {
		return OrderRequest{}, 0, payloadError(err)
	}
	typ := strings.ToUpper(po.OrderType)
	if typ == "" {
		typ = OrderGTC
	}
	if !porder.OrderType(typ).Valid() {
		return OrderRequest{}, 0, payloadError(fmt.Errorf("orderType %q", clip(po.OrderType)))
	}
	if po.Owner != a.apiKey {
		return OrderRequest{}, 0, orderBad(MsgOwnerNotAPIKey)
	}
	if o.SignatureType != porder.Poly1271 && o.Signer != a.address {
		return OrderRequest{}, 0, orderBad(MsgSignerNotAPIKey)
	}
	tokenID := o.TokenID.String()
	m, ok := t.s.MarketByToken(tokenID)
	if !ok {
		return OrderRequest{}, 0, orderBad(MsgInvalidTokenID)
	}
	chain, exchange := t.s.ChainID(), t.exchangeFor(m.NegRisk)
	if o.SignatureType == porder.Poly1271 {
		owner, err := porder.VerifyPoly1271(o, sig, chain, exchange, o.Maker)
		if err != nil || owner != a.address {
			return OrderRequest{}, 0, orderBad(MsgInvalidSignature)
		}
	} else if err := porder.VerifyV2(o, sig, chain, exchange, ExchangeVersion); err != nil {
		return OrderRequest{}, 0, orderBad(MsgInvalidSignature)
	}
	price, size, e := priceSize(o)
	if e != nil {
		return OrderRequest{}, 0, e
	}
	hash := o.Hash(chain, exchange, ExchangeVersion)
	req := OrderRequest{
		ID: "0x" + hex.EncodeToString(hash[:]), Owner: a.apiKey, Maker: strings.ToLower(o.Maker.Hex()), Signer: o.Signer.Hex(),
		TokenID: tokenID, Side: o.Side.String(), Price: price, Size: size, Type: typ, PostOnly: po.PostOnly != nil && *po.PostOnly,
	}
	if typ == OrderGTD {
		// Unsigned in V2 but sent in the JSON; PlaceOrder applies the
		// one-minute threshold. Absurd values become "invalid expiration".
		exp := o.Expiration
		if exp.IsInt64() && exp.Int64() < 1<<40 {
			req.Expiration = time.Unix(exp.Int64(), 0).UTC()
		}
	}
	return req, o.SignatureType, nil
}

// priceSize converts signed amounts (6-decimal base units) into a limit
// price and a size in shares: BUY gives pUSD (maker) for shares (taker),
// SELL gives shares for pUSD, and price = pUSD / shares must be an exact
// 6-decimal number below 1.
func priceSize(o *porder.OrderV2) (price, size vig.Micros, e *Error) {
	give, get := o.MakerAmount, o.TakerAmount
	if give.Sign() <= 0 || get.Sign() <= 0 {
		return 0, 0, payloadError(errors.New("makerAmount and takerAmount must be positive"))
	}
	if give.Cmp(maxAmount) > 0 || get.Cmp(maxAmount) > 0 {
		return 0, 0, payloadError(errors.New("amount too large"))
	}
	cash, shares := give, get
	if o.Side == porder.Sell {
		cash, shares = get, give
	}
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(cash, oneBig), shares, new(big.Int))
	if r.Sign() != 0 || q.Cmp(oneBig) >= 0 {
		return 0, 0, orderBad(MsgInvalidPrice)
	}
	return vig.Micros(q.Int64()), vig.Micros(shares.Int64()), nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// handlePostOrder answers POST /order: 200 with the engine's OrderResult
// when the order is accepted (matched or resting); 400 {"error": …} for a
// payload, signature or business rejection (the venue's documented error
// shape, so clients see the reason as an HTTP error).
func (t *tradingAPI) handlePostOrder(w http.ResponseWriter, r *http.Request, a l2Auth) {
	req, st, e := t.checkOrder(a, a.body)
	if e != nil {
		writeErr(w, e)
		return
	}
	res, err := t.s.PlaceOrder(req)
	if err != nil {
		writeErr(w, err)
		return
	}
	t.keys.noteFunder(a.apiKey, st, req.Maker)
	writeJSON(w, http.StatusOK, res)
}

// handlePostOrders answers POST /orders: a JSON array of 1–MaxBatchOrders
// POST /order bodies. Every order is verified first and the first failure
// rejects the whole batch with 400 {"error": …}; then each is placed in
// turn and the answer is the array of their OrderResults (200), business
// rejections included as success false with errorMsg.
func (t *tradingAPI) handlePostOrders(w http.ResponseWriter, r *http.Request, a l2Auth) {
	var raws []json.RawMessage
	if err := json.Unmarshal(a.body, &raws); err != nil || len(raws) == 0 {
		writeError(w, http.StatusBadRequest, MsgInvalidPayload)
		return
	}
	if len(raws) > MaxBatchOrders {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Too many orders in payload, max allowed: %d", MaxBatchOrders))
		return
	}
	reqs := make([]OrderRequest, len(raws))
	types := make([]porder.SignatureType, len(raws))
	for i, raw := range raws {
		var e *Error
		if reqs[i], types[i], e = t.checkOrder(a, raw); e != nil {
			writeErr(w, e)
			return
		}
	}
	out := make([]OrderResult, len(reqs))
	for i, req := range reqs {
		res, err := t.s.PlaceOrder(req)
		if err == nil {
			t.keys.noteFunder(a.apiKey, types[i], req.Maker)
		}
		out[i] = res
	}
	writeJSON(w, http.StatusOK, out)
}

// handleCancelOrder answers DELETE /order {"orderID": …}.
func (t *tradingAPI) handleCancelOrder(w http.ResponseWriter, r *http.Request, a l2Auth) {
	var req struct {
		OrderID string `json:"orderID"`
	}
	if err := json.Unmarshal(a.body, &req); err != nil || req.OrderID == "" {
		writeError(w, http.StatusBadRequest, MsgInvalidOrderID)
		return
	}
	writeJSON(w, http.StatusOK, t.s.CancelOrder(a.apiKey, req.OrderID))
}

// handleCancelOrders answers DELETE /orders ["0x…", …].
func (t *tradingAPI) handleCancelOrders(w http.ResponseWriter, r *http.Request, a l2Auth) {
	var ids []string
	if err := json.Unmarshal(a.body, &ids); err != nil {
		writeError(w, http.StatusBadRequest, MsgInvalidPayload)
		return
	}
	if len(ids) > MaxBatchCancels {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Too many orders in payload, max allowed: %d", MaxBatchCancels))
		return
	}
	writeJSON(w, http.StatusOK, t.s.CancelOrders(a.apiKey, ids))
}

// handleCancelMarket answers DELETE /cancel-market-orders {"market": …,
// "asset_id": …}. One of them is required: an account-wide cancel is
// DELETE /cancel-all, not an empty filter.
func (t *tradingAPI) handleCancelMarket(w http.ResponseWriter, r *http.Request, a l2Auth) {
	var req struct {
		Market  string `json:"market"`
		AssetID string `json:"asset_id"`
	}
	if err := json.Unmarshal(a.body, &req); err != nil || req.Market == "" && req.AssetID == "" {
		writeError(w, http.StatusBadRequest, MsgInvalidPayload)
		return
	}
	writeJSON(w, http.StatusOK, t.s.CancelMarket(a.apiKey, strings.ToLower(req.Market), req.AssetID))
}

// handleCancelAll answers DELETE /cancel-all.
func (t *tradingAPI) handleCancelAll(w http.ResponseWriter, r *http.Request, a l2Auth) {
	writeJSON(w, http.StatusOK, t.s.CancelAll(a.apiKey))
}

// handleGetOrder answers GET /data/order/{id} and GET /order/{id}: the
// key's order, or 404 MsgOrderNotFound (another key's orders included).
func (t *tradingAPI) handleGetOrder(w http.ResponseWriter, r *http.Request, a l2Auth) {
	o, ok := t.s.GetOrder(a.apiKey, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, MsgOrderNotFound)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// handleOpenOrders answers GET /data/orders?market=&asset_id=&id=&next_cursor=.
func (t *tradingAPI) handleOpenOrders(w http.ResponseWriter, r *http.Request, a l2Auth) {
	q := r.URL.Query()
	f := OrderFilter{ID: q.Get("id"), Market: strings.ToLower(q.Get("market")), AssetID: q.Get("asset_id")}
	page, err := t.s.OpenOrders(a.apiKey, f, q.Get("next_cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// handleTrades answers GET /data/trades?id=&market=&asset_id=&maker_address=
// &before=&after=&next_cursor= (before and after in Unix seconds).
func (t *tradingAPI) handleTrades(w http.ResponseWriter, r *http.Request, a l2Auth) {
	q := r.URL.Query()
	f := TradeFilter{ID: q.Get("id"), Market: strings.ToLower(q.Get("market")), AssetID: q.Get("asset_id"), MakerAddress: q.Get("maker_address")}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &f.Before}, {"after", &f.After}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeErr(w, badParam(p.name))
				return
			}
			*p.dst = n
		}
	}
	page, err := t.s.Trades(a.apiKey, f, q.Get("next_cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// balanceJSON is GET /balance-allowance's answer: 6-decimal base units as
// decimal integers in strings ("1000000" is 1 pUSD or 1 share), with the
// allowance both as one number and per spender (the V2 exchanges).
type balanceJSON struct {
	Balance    string            `json:"balance"`
	Allowance  string            `json:"allowance"`
	Allowances map[string]string `json:"allowances"`
}

// handleBalance answers GET /balance-allowance and /balance-allowance/update
// (?asset_type=COLLATERAL|CONDITIONAL&token_id=&signature_type=0–3). The
// wallet is the key's address for signature type 0, and for types 1–3 the
// maker of the key's last accepted order of that type (the sim cannot
// derive proxy or Safe addresses), or the key's address before one.
func (t *tradingAPI) handleBalance(w http.ResponseWriter, r *http.Request, a l2Auth) {
	q := r.URL.Query()
	st := 0
	if v := q.Get("signature_type"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > int(porder.Poly1271) {
			writeErr(w, badParam("signature_type"))
			return
		}
		st = n
	}
	who := t.keys.funder(a.apiKey, a.address, porder.SignatureType(st))
	bal, allow, err := t.s.Balance(who, q.Get("asset_type"), q.Get("token_id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	al := strconv.FormatInt(int64(allow), 10)
	writeJSON(w, http.StatusOK, balanceJSON{
		Balance: strconv.FormatInt(int64(bal), 10), Allowance: al,
		Allowances: map[string]string{t.exchangeFor(false).Hex(): al, t.exchangeFor(true).Hex(): al},
	})
}

// handleHeartbeat answers POST /v1/heartbeats {"heartbeat_id": …} with the
// id to send next time; see Heartbeat for the dead-man switch.
func (t *tradingAPI) handleHeartbeat(w http.ResponseWriter, r *http.Request, a l2Auth) {
	var req struct {
		HeartbeatID *string `json:"heartbeat_id"`
	}
	if len(a.body) > 0 {
		if err := json.Unmarshal(a.body, &req); err != nil {
			writeError(w, http.StatusBadRequest, MsgInvalidPayload)
			return
		}
	}
	id := ""
	if req.HeartbeatID != nil {
		id = *req.HeartbeatID
	}
	writeJSON(w, http.StatusOK, map[string]string{"heartbeat_id": t.s.Heartbeat(a.apiKey, id)})
}
