package sim

import (
	"encoding/base64"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// Order types.
const (
	OrderGTC = "GTC" // good till canceled: the remainder rests
	OrderGTD = "GTD" // good till date: rests until Expiration − 1 minute
	OrderFOK = "FOK" // fill or kill: all at once or nothing
	OrderFAK = "FAK" // fill and kill: what can trade now, the rest is canceled
)

// Order statuses, as GET /data/order reports them.
const (
	StatusLive                   = "LIVE"
	StatusMatched                = "MATCHED"
	StatusCanceled               = "CANCELED"
	StatusCanceledMarketResolved = "CANCELED_MARKET_RESOLVED"
	StatusInvalid                = "INVALID" // never produced by the sim
)

// Insert statuses, as POST /order reports them (lower case).
const (
	InsertMatched   = "matched"
	InsertLive      = "live"
	InsertDelayed   = "delayed" // never produced: the sim has no matching delay
	InsertUnmatched = "unmatched"
)

// Trade statuses and when a trade reaches them (sim time after the match).
const (
	TradeMatched   = "MATCHED"
	TradeMined     = "MINED"
	TradeConfirmed = "CONFIRMED"

	MinedAfter     = 2 * time.Second
	ConfirmedAfter = 10 * time.Second
)

// HeartbeatTimeout is how long (sim time) after its last heartbeat an
// owner's open orders are all canceled. Owners that never sent one are not
// watched.
const HeartbeatTimeout = 10 * time.Second

// GTDThreshold is the venue's security threshold: a GTD order stops
// resting one minute before its Expiration, and Expiration must be more
// than one minute ahead when it is placed.
const GTDThreshold = time.Minute

// Cursors of the CLOB's paginated lists: base64 of a decimal offset, with
// "-1" meaning the end.
const (
	FirstCursor = "MA=="
	EndCursor   = "LTE="
)

// PageSize is how many items one page of OpenOrders or Trades holds.
const PageSize = 100

// UnlimitedAllowance is the allowance Balance reports: approvals are not
// simulated, so every spender is approved for far more than any balance.
const UnlimitedAllowance = vig.Micros(1 << 62)

// Venue messages, copied from the real CLOB's {"error": …} answers. The
// tick, size and duplicate messages are formatted with the order id:
// "order 0x… is invalid. Price (0.555) breaks minimum tick size rule: 0.01".
const (
	MsgNotEnoughBalance    = "not enough balance / allowance"
	MsgFOKNotFilled        = "order couldn't be fully filled. FOK orders are fully filled or killed."
	MsgFAKNoMatch          = "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found."
	MsgPostOnlyCrosses     = "invalid post-only order: order crosses book"
	MsgPostOnlyType        = "invalid post-only order: only GTC and GTD order types are allowed"
	MsgMarketNotReady      = "the market is not yet ready to process new orders"
	MsgInvalidExpiration   = "invalid expiration"
	MsgInvalidPrice        = "invalid price"
	MsgInvalidOrderPayload = "Invalid order payload"
	MsgInvalidTokenID      = "Invalid token id"
	MsgNoOrderbook         = "No orderbook exists for the requested token id"
	MsgMarketNotFound      = "market not found"
	MsgInvalidSide         = "Invalid side"
	MsgInvalidPayload      = "Invalid payload"
	MsgPayloadTooLarge     = "Payload exceeds the limit"
	MsgInvalidAssetType    = "Invalid asset type"
	MsgInvalidCursor       = "invalid next_cursor"
	MsgNotCanceled         = "order not found or already canceled"
	MsgNotResolved         = "market not resolved"
	MsgTradingDisabled     = "Trading is currently disabled. Check polymarket.com for updates"
	MsgTooManyRequests     = "Too Many Requests"
	MsgInternal            = "internal error"
	MsgGeoblocked          = "Trading restricted in your region, please refer to available regions - https://docs.polymarket.com/developers/CLOB/geoblock"
)

// Error is a venue error: the HTTP status and the message the venue sends
// as {"error": Message}. Engine methods return it; handlers write it as is.
type Error struct {
	Status  int
	Message string
}

// Error returns the venue's message.
func (e *Error) Error() string { return e.Message }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// OrderRequest is an order as phase 2 passes it after verifying the
// signature: amounts already converted to a limit price and a size.
type OrderRequest struct {
	ID         string     // order hash "0x…"; generated when empty
	Owner      string     // API key of the owner; Maker when empty
	Maker      string     // funder address (any case; stored lower-case)
	Signer     string     // signing address, stored as given
	TokenID    string     // token bought or sold
	Side       string     // "BUY" or "SELL"
	Price      vig.Micros // limit (worst) price, on the market's tick
	Size       vig.Micros // shares
	Type       string     // GTC (default), GTD, FOK or FAK
	Expiration time.Time  // GTD only: the signed expiration
	PostOnly   bool       // GTC/GTD only: reject instead of taking
}

// OrderResult is POST /order's answer. A rejected order also returns an
// *Error; Success is then false and ErrorMsg holds the same message.
type OrderResult struct {
	Success           bool     `json:"success"`
	ErrorMsg          string   `json:"errorMsg"`
	OrderID           string   `json:"orderID"`
	Status            string   `json:"status"`       // matched, live, delayed or unmatched
	MakingAmount      string   `json:"makingAmount"` // BUY: pUSD paid; SELL: shares sold ("" when nothing traded)
	TakingAmount      string   `json:"takingAmount"` // BUY: shares got; SELL: pUSD got
	TransactionHashes []string `json:"transactionsHashes"`
	TradeIDs          []string `json:"tradeIDs,omitempty"`
}

// Order is one order as GET /data/order/{id} shows it.
type Order struct {
	ID              string   `json:"id"`
	Status          string   `json:"status"`
	Owner           string   `json:"owner"`
	MakerAddress    string   `json:"maker_address"`
	Market          string   `json:"market"` // condition id
	AssetID         string   `json:"asset_id"`
	Side            string   `json:"side"`
	OriginalSize    string   `json:"original_size"`
	SizeMatched     string   `json:"size_matched"`
	Price           string   `json:"price"`
	Outcome         string   `json:"outcome"`
	Expiration      string   `json:"expiration"` // unix seconds, "0" when none
	OrderType       string   `json:"order_type"`
	AssociateTrades []string `json:"associate_trades"`
	CreatedAt       int64    `json:"created_at"` // unix seconds
}

// OrdersPage is one page of GET /data/orders.
type OrdersPage struct {
	Limit      int     `json:"limit"`
	Count      int     `json:"count"`
	NextCursor string  `json:"next_cursor"`
	Data       []Order `json:"data"`
}

// OrderFilter narrows OpenOrders; empty fields match everything.
type OrderFilter struct {
	ID      string
	Market  string // condition id
	AssetID string
}

// MakerOrder is one resting order a trade filled.
type MakerOrder struct {
	OrderID       string `json:"order_id"`
	Owner         string `json:"owner"`
	MakerAddress  string `json:"maker_address"`
	MatchedAmount string `json:"matched_amount"`
	Price         string `json:"price"`
	FeeRateBps    string `json:"fee_rate_bps"`
	AssetID       string `json:"asset_id"`
	Outcome       string `json:"outcome"`
	Side          string `json:"side"`
}

// Trade is one fill as GET /data/trades shows it to one owner. The top
// level describes the taker's order (side, owner, maker_address); the maker
// is in MakerOrders; TraderSide says which one the viewer was.
type Trade struct {
	ID              string       `json:"id"`
	TakerOrderID    string       `json:"taker_order_id"`
	Market          string       `json:"market"`
	AssetID         string       `json:"asset_id"`
	Side            string       `json:"side"`
	Size            string       `json:"size"`
	FeeRateBps      string       `json:"fee_rate_bps"`
	Price           string       `json:"price"`
	Status          string       `json:"status"`
	MatchTime       string       `json:"match_time"`  // unix seconds
	LastUpdate      string       `json:"last_update"` // unix seconds
	Outcome         string       `json:"outcome"`
	BucketIndex     int          `json:"bucket_index"`
	Owner           string       `json:"owner"`
	MakerAddress    string       `json:"maker_address"`
	MakerOrders     []MakerOrder `json:"maker_orders"`
	TransactionHash string       `json:"transaction_hash"`
	TraderSide      string       `json:"trader_side"` // TAKER or MAKER
}

// TradesPage is one page of GET /data/trades.
type TradesPage struct {
	Limit      int     `json:"limit"`
	Count      int     `json:"count"`
	NextCursor string  `json:"next_cursor"`
	Data       []Trade `json:"data"`
}

// TradeFilter narrows Trades; zero fields match everything.
type TradeFilter struct {
	ID           string
	Market       string // condition id
	AssetID      string
	MakerAddress string // either side's funder address
	Before       int64  // match time < Before (unix seconds)
	After        int64  // match time > After (unix seconds)
}

// CancelResult is the answer of every cancel endpoint.
type CancelResult struct {
	Canceled    []string          `json:"canceled"`
	NotCanceled map[string]string `json:"not_canceled"`
}

// Position is an address's holding of one token. Entries with Size 0 are
// closed positions, kept for their realized P&L.
type Position struct {
	Address         string
	TokenID         string
	ConditionID     string
	MarketID        string
	EventID         string
	Title           string // the market's question
	Slug            string
	EventSlug       string
	Outcome         string
	OutcomeIndex    int
	OppositeOutcome string
	OppositeAsset   string
	Size            vig.Micros // shares held
	AvgPrice        vig.Micros // average buy price of the shares held
	TotalBought     vig.Micros // shares ever bought
	InitialValue    vig.Micros // Size × AvgPrice
	CurrentValue    vig.Micros // Size × CurPrice
	CashPnL         vig.Micros // CurrentValue − InitialValue
	RealizedPnL     vig.Micros
	CurPrice        vig.Micros // midpoint while open; 1 or 0 once resolved
	Redeemable      bool       // resolved and this token won
	Mergeable       bool       // also holds the opposite token
	NegRisk         bool
	EndDate         time.Time
}

// Activity is one entry of an address's history (Data API /activity).
type Activity struct {
	Address         string
	Time            time.Time
	Type            string // TRADE or REDEEM
	ConditionID     string
	TokenID         string // empty for REDEEM
	Side            string // BUY or SELL; empty for REDEEM
	Size            vig.Micros
	USDCSize        vig.Micros
	Price           vig.Micros
	Outcome         string
	OutcomeIndex    int // 999 when none
	Title           string
	Slug            string
	EventSlug       string
	TransactionHash string
}

// MarketInfo is a snapshot of one market for phase 2's validation.
type MarketInfo struct {
	ID                  string
	ConditionID         string
	QuestionID          string
	Question            string
	Slug                string
	EventID             string
	EventSlug           string
	Outcomes            []string
	TokenIDs            []string // index i is Outcomes[i]
	TickSize            vig.Micros
	MinOrderSize        vig.Micros
	NegRisk             bool
	NegRiskMarketID     string
	Active              bool
	AcceptingOrders     bool
	Closed              bool
	Resolved            bool
	UMAResolutionStatus string
	Winner              int // index into TokenIDs; -1 until resolved
	EndDate             time.Time
}

// order is an order in the engine: a user's, or a transient house order.
type order struct {
	id                   string
	seq                  int64
	owner, maker, signer string
	tok                  *token
	side                 side
	price, size, matched vig.Micros
	notional             vig.Micros // pUSD traded so far
	typ                  string
	expiration           time.Time
	postOnly             bool
	status               string
	created              time.Time
	trades               []string
	txs                  []string
	reserved             vig.Micros // pUSD (BUY) or shares (SELL) held back
	house                bool
}

func (o *order) remaining() vig.Micros { return o.size - o.matched }

// trade is one fill between a taker order and a maker order or the house.
type trade struct {
	id, tx                 string
	seq                    int64
	tok                    *token
	takerOrder, makerOrder string
	takerOwner, makerOwner string
	takerAddr, makerAddr   string
	side                   side // the taker's
	price, size            vig.Micros
	at                     time.Time
}

// status returns the trade's status at now and when it last changed.
func (t *trade) status(now time.Time) (string, time.Time) {
	switch {
	case !now.Before(t.at.Add(ConfirmedAfter)):
		return TradeConfirmed, t.at.Add(ConfirmedAfter)
	case !now.Before(t.at.Add(MinedAfter)):
		return TradeMined, t.at.Add(MinedAfter)
	}
	return TradeMatched, t.at
}

// account is one funder address.
type account struct {
	addr         string
	cash         vig.Micros // pUSD
	reservedCash vig.Micros // held for resting BUYs
	pos          map[*token]*position
	activity     []Activity
}

type position struct {
	tok              *token
	size, reserved   vig.Micros
	cost, avg        vig.Micros
	bought, realized vig.Micros
}

func (a *account) position(t *token) *position {
	p := a.pos[t]
	if p == nil {
		p = &position{tok: t}
		a.pos[t] = p
	}
	return p
}

type heartbeat struct {
	id       string
	deadline time.Time
}

// account returns the account of addr (lower case), funding it with
// InitialBalance on first sight. The caller holds s.mu.
func (s *Sim) account(addr string) *account {
	a := s.accounts[addr]
	if a == nil {
		a = &account{addr: addr, cash: s.cfg.InitialBalance, pos: map[*token]*position{}}
		s.accounts[addr] = a
	}
	return a
}

func isAddress(a string) bool {
	if len(a) != 42 || !strings.HasPrefix(a, "0x") {
		return false
	}
	for _, c := range a[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// PlaceOrder validates req, matches it and rests what is left when its type
// allows. Rejections return an *Error (status 400 unless noted) with the
// venue's message, in this order: order type, side, maker address →
// MsgInvalidOrderPayload; unknown token → MsgInvalidTokenID; market closed
// → MsgMarketNotReady; off-tick price → "order {id} is invalid. Price (…)
// breaks minimum tick size rule: {tick}"; price outside [tick, 1−tick] →
// MsgInvalidPrice; size below the minimum → "order {id} is invalid. Size
// (…) lower than the minimum: {min}"; post-only on FOK/FAK →
// MsgPostOnlyType; GTD expiration not beyond now + 1 minute →
// MsgInvalidExpiration; a known order id → "order {id} is invalid.
// Duplicated."; BUY cost (price × size, rounded up) above free pUSD, or SELL
// size above free shares → MsgNotEnoughBalance; post-only that would cross
// → MsgPostOnlyCrosses; FOK that cannot fill entirely → MsgFOKNotFilled
// (Status "unmatched"); FAK that matches nothing → MsgFAKNoMatch.
func (s *Sim) PlaceOrder(req OrderRequest) (OrderResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	res := OrderResult{TransactionHashes: []string{}, TradeIDs: []string{}}
	fail := func(e *Error) (OrderResult, error) {
		res.Success, res.ErrorMsg = false, e.Message
		return res, e
	}
	typ := strings.ToUpper(req.Type)
	if typ == "" {
		typ = OrderGTC
	}
	if typ != OrderGTC && typ != OrderGTD && typ != OrderFOK && typ != OrderFAK {
		return fail(&Error{400, MsgInvalidOrderPayload})
	}
	var sd side
	switch strings.ToUpper(req.Side) {
	case "BUY":
		sd = sideBuy
	case "SELL":
		sd = sideSell
	default:
		return fail(&Error{400, MsgInvalidOrderPayload})
	}
	maker := strings.ToLower(req.Maker)
	if !isAddress(maker) {
		return fail(&Error{400, MsgInvalidOrderPayload})
	}
	owner := req.Owner
	if owner == "" {
		owner = maker
	}
	id := req.ID
	if id == "" {
		id = "0x" + randHex(s.ids, 32)
	}
	res.OrderID = id
	tok := s.tokenByID[req.TokenID]
	if tok == nil {
		return fail(&Error{400, MsgInvalidTokenID})
	}
	if tok.closed() {
		return fail(&Error{400, MsgMarketNotReady})
	}
	m := tok.m
	tick := m.ev.tick
	if req.Price%tick != 0 {
		return fail(errorf(400, "order %s is invalid. Price (%s) breaks minimum tick size rule: %s", id, dec(req.Price), dec(tick)))
	}
	if req.Price < tick || req.Price > one-tick {
		return fail(&Error{400, MsgInvalidPrice})
	}
	if req.Size <= 0 || req.Size < m.minSize {
		return fail(errorf(400, "order %s is invalid. Size (%s) lower than the minimum: %s", id, dec(req.Size), dec(m.minSize)))
	}
	if req.PostOnly && typ != OrderGTC && typ != OrderGTD {
		return fail(&Error{400, MsgPostOnlyType})
	}
	if typ == OrderGTD && !req.Expiration.After(now.Add(GTDThreshold)) {
		return fail(&Error{400, MsgInvalidExpiration})
	}
	if s.orders[id] != nil {
		return fail(errorf(400, "order %s is invalid. Duplicated.", id))
	}
	a := s.account(maker)
	if sd == sideBuy {
		if a.cash-a.reservedCash < cost(req.Price, req.Size) {
			return fail(&Error{400, MsgNotEnoughBalance})
		}
	} else if p := a.pos[tok]; p == nil || p.size-p.reserved < req.Size {
		return fail(&Error{400, MsgNotEnoughBalance})
	}
	s.touch(tok)
	if best, ok := tok.book.best(sd.opposite()); req.PostOnly && ok && crosses(sd, req.Price, best) {
		return fail(&Error{400, MsgPostOnlyCrosses})
	}
	s.orderSeq++
	o := &order{
		id: id, seq: s.orderSeq, owner: owner, maker: maker, signer: req.Signer, tok: tok, side: sd,
		price: req.Price, size: req.Size, typ: typ, postOnly: req.PostOnly, created: now,
	}
	if typ == OrderGTD {
		o.expiration = req.Expiration.UTC().Truncate(time.Second)
	}
	if typ == OrderFOK && s.fillable(o) < o.size {
		res.Status = InsertUnmatched
		return fail(&Error{400, MsgFOKNotFilled})
	}
	s.match(o)
	if typ == OrderFAK && o.matched == 0 {
		res.Status = InsertUnmatched
		return fail(&Error{400, MsgFAKNoMatch})
	}
	s.orders[id] = o
	s.ownerOrders[owner] = append(s.ownerOrders[owner], o)
	switch {
	case o.remaining() == 0:
		o.status = StatusMatched
	case typ == OrderFAK:
		o.status = StatusCanceled
	default:
		s.rest(o)
	}
	s.refill(tok)
	res.Success = true
	res.Status = InsertLive
	if o.matched > 0 {
		res.Status = InsertMatched
		res.MakingAmount, res.TakingAmount = dec(o.notional), dec(o.matched)
		if sd == sideSell {
			res.MakingAmount, res.TakingAmount = res.TakingAmount, res.MakingAmount
		}
	}
	res.TransactionHashes = append(res.TransactionHashes, o.txs...)
	res.TradeIDs = append(res.TradeIDs, o.trades...)
	return res, nil
}

// rest puts o on its book as LIVE and holds back its balance.
func (s *Sim) rest(o *order) {
	o.status = StatusLive
	lv := o.tok.book.level(o.side, o.price)
	lv.orders = append(lv.orders, o)
	s.reserve(o)
	s.liveTokens[o.tok]++
	if o.typ == OrderGTD {
		s.schedule(&timer{at: o.expiration.Add(-GTDThreshold), kind: timerExpire, ord: o})
	}
}

// unrest forgets that o rests on its token.
func (s *Sim) unrest(o *order) {
	if s.liveTokens[o.tok]--; s.liveTokens[o.tok] <= 0 {
		delete(s.liveTokens, o.tok)
	}
}

// reserve sets o's reservation to what its status needs: the cost of the
// remaining size for a LIVE BUY, the remaining shares for a LIVE SELL,
// nothing otherwise.
func (s *Sim) reserve(o *order) {
	if o.house {
		return
	}
	var want vig.Micros
	if o.status == StatusLive {
		want = o.remaining()
		if o.side == sideBuy {
			want = cost(o.price, want)
		}
	}
	a := s.accounts[o.maker]
	if o.side == sideBuy {
		a.reservedCash += want - o.reserved
	} else {
		a.position(o.tok).reserved += want - o.reserved
	}
	o.reserved = want
}

// cancelOrder takes a LIVE order off its book with the given status.
func (s *Sim) cancelOrder(o *order, status string) {
	if o.status != StatusLive {
		return
	}
	if b := o.tok.book; b != nil {
		ls := b.levels(o.side)
		for _, lv := range *ls {
			if lv.price == o.price {
				lv.orders = slices.DeleteFunc(lv.orders, func(x *order) bool { return x == o })
				break
			}
		}
		b.prune()
	}
	o.status = status
	s.reserve(o)
	s.unrest(o)
}

// fill settles q shares at price between taker and maker (nil: the house)
// and records the trade when a user takes part.
func (s *Sim) fill(taker, maker *order, price, q vig.Micros) {
	n := notional(price, q)
	taker.matched += q
	taker.notional += n
	if maker != nil {
		maker.matched += q
		maker.notional += n
	}
	buyer, seller := taker, maker
	if taker.side == sideSell {
		buyer, seller = maker, taker
	}
	tok := taker.tok
	tok.lastTrade = price
	if buyer != nil && !buyer.house {
		a := s.accounts[buyer.maker]
		a.cash -= n
		p := a.position(tok)
		p.size += q
		p.cost += n
		p.bought += q
		p.avg = divPrice(p.cost, p.size)
		s.reserve(buyer)
	}
	if seller != nil && !seller.house {
		a := s.accounts[seller.maker]
		p := a.position(tok)
		basis := vig.Micros(0)
		if p.size > 0 {
			basis = vig.Micros(mulDivInt(int64(p.cost), int64(q), int64(p.size)))
		}
		p.cost -= basis
		p.size -= q
		p.realized += n - basis
		a.cash += n
		s.reserve(seller)
	}
	if taker.house && (maker == nil || maker.house) {
		return // the house trading with itself: other traders' flow
	}
	m := tok.m
	m.volume += n
	m.volume24h += n
	s.tradeSeq++
	t := &trade{
		id: uuid(s.ids), tx: "0x" + randHex(s.ids, 32), seq: s.tradeSeq, tok: tok,
		takerOwner: taker.owner, takerAddr: taker.maker, side: taker.side, price: price, size: q, at: s.now,
	}
	if taker.id == "" {
		taker.id = "0x" + randHex(s.ids, 32) // a house order's hash, made up when first seen
	}
	t.takerOrder = taker.id
	if maker != nil {
		t.makerOrder, t.makerOwner, t.makerAddr = maker.id, maker.owner, maker.maker
	} else {
		t.makerOrder, t.makerOwner, t.makerAddr = "0x"+randHex(s.ids, 32), HouseOwner, HouseAddress
	}
	s.tradeCount++
	for _, o := range []*order{taker, maker} {
		if o == nil || o.house {
			continue
		}
		o.trades = append(o.trades, t.id)
		o.txs = append(o.txs, t.tx)
		s.accounts[o.maker].activity = append(s.accounts[o.maker].activity, Activity{
			Address: o.maker, Time: t.at, Type: "TRADE", ConditionID: m.conditionID, TokenID: tok.id,
			Side: o.side.String(), Size: q, USDCSize: n, Price: price, Outcome: tok.outcome(), OutcomeIndex: tok.idx,
			Title: m.question, Slug: m.slug, EventSlug: m.ev.slug, TransactionHash: t.tx,
		})
	}
	if !taker.house {
		s.ownerTrades[taker.owner] = append(s.ownerTrades[taker.owner], t)
	}
	if maker != nil && !maker.house && (taker.house || maker.owner != taker.owner) {
		s.ownerTrades[maker.owner] = append(s.ownerTrades[maker.owner], t)
	}
}

// divPrice returns cost/size as a price (cost×1e6/size).
func divPrice(cost, size vig.Micros) vig.Micros {
	if size <= 0 {
		return 0
	}
	return vig.Micros(mulDivInt(int64(cost), int64(one), int64(size)))
}

// mulDivInt returns a×b/c for non-negative a, b and positive c, rounded down.
func mulDivInt(a, b, c int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// ---- cancels ----

// CancelOrder cancels one of owner's LIVE orders.
func (s *Sim) CancelOrder(owner, id string) CancelResult {
	return s.CancelOrders(owner, []string{id})
}

// CancelOrders cancels owner's LIVE orders among ids. Ids that are not the
// owner's LIVE orders are reported in NotCanceled with MsgNotCanceled.
func (s *Sim) CancelOrders(owner string, ids []string) CancelResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	res := CancelResult{Canceled: []string{}, NotCanceled: map[string]string{}}
	for _, id := range ids {
		o := s.orders[id]
		if o == nil || o.owner != owner || o.status != StatusLive {
			res.NotCanceled[id] = MsgNotCanceled
			continue
		}
		s.cancelOrder(o, StatusCanceled)
		res.Canceled = append(res.Canceled, id)
	}
	return res
}

// CancelMarket cancels owner's LIVE orders in market (condition id) and/or
// on asset (token id); empty arguments match everything.
func (s *Sim) CancelMarket(owner, market, asset string) CancelResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return s.cancelWhere(owner, func(o *order) bool {
		return (market == "" || o.tok.m.conditionID == market) && (asset == "" || o.tok.id == asset)
	})
}

// CancelAll cancels all of owner's LIVE orders.
func (s *Sim) CancelAll(owner string) CancelResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return s.cancelWhere(owner, func(*order) bool { return true })
}

func (s *Sim) cancelWhere(owner string, match func(*order) bool) CancelResult {
	res := CancelResult{Canceled: []string{}, NotCanceled: map[string]string{}}
	for _, o := range s.ownerOrders[owner] {
		if o.status == StatusLive && match(o) {
			s.cancelOrder(o, StatusCanceled)
			res.Canceled = append(res.Canceled, o.id)
		}
	}
	return res
}

// ---- queries ----

func (s *Sim) renderOrder(o *order) Order {
	exp := "0"
	if !o.expiration.IsZero() {
		exp = strconv.FormatInt(o.expiration.Unix(), 10)
	}
	trades := o.trades
	if trades == nil {
		trades = []string{}
	}
	return Order{
		ID: o.id, Status: o.status, Owner: o.owner, MakerAddress: o.maker, Market: o.tok.m.conditionID,
		AssetID: o.tok.id, Side: o.side.String(), OriginalSize: dec(o.size), SizeMatched: dec(o.matched),
		Price: dec(o.price), Outcome: o.tok.outcome(), Expiration: exp, OrderType: o.typ,
		AssociateTrades: slices.Clone(trades), CreatedAt: o.created.Unix(),
	}
}

// GetOrder returns owner's order id, whatever its status.
func (s *Sim) GetOrder(owner, id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	o := s.orders[id]
	if o == nil || o.owner != owner {
		return Order{}, false
	}
	return s.renderOrder(o), true
}

// OpenOrders returns one page of owner's LIVE orders, oldest first.
// cursor is "" or FirstCursor for the first page; the last page's
// NextCursor is EndCursor. A malformed cursor is a 400 *Error.
func (s *Sim) OpenOrders(owner string, f OrderFilter, cursor string) (OrdersPage, error) {
	off, err := decodeCursor(cursor)
	if err != nil {
		return OrdersPage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	var all []*order
	for _, o := range s.ownerOrders[owner] {
		if o.status == StatusLive && (f.ID == "" || o.id == f.ID) &&
			(f.Market == "" || o.tok.m.conditionID == f.Market) && (f.AssetID == "" || o.tok.id == f.AssetID) {
			all = append(all, o)
		}
	}
	page, next := paginate(all, off)
	out := OrdersPage{Limit: PageSize, Count: len(page), NextCursor: next, Data: make([]Order, len(page))}
	for i, o := range page {
		out.Data[i] = s.renderOrder(o)
	}
	return out, nil
}

// Trades returns one page of the trades owner took part in, newest first,
// paginated like OpenOrders.
func (s *Sim) Trades(owner string, f TradeFilter, cursor string) (TradesPage, error) {
	off, err := decodeCursor(cursor)
	if err != nil {
		return TradesPage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	ts := s.ownerTrades[owner]
	var all []*trade
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		at := t.at.Unix()
		if (f.ID == "" || t.id == f.ID) && (f.Market == "" || t.tok.m.conditionID == f.Market) &&
			(f.AssetID == "" || t.tok.id == f.AssetID) &&
			(f.MakerAddress == "" || strings.EqualFold(f.MakerAddress, t.takerAddr) || strings.EqualFold(f.MakerAddress, t.makerAddr)) &&
			(f.Before == 0 || at < f.Before) && (f.After == 0 || at > f.After) {
			all = append(all, t)
		}
	}
	page, next := paginate(all, off)
	out := TradesPage{Limit: PageSize, Count: len(page), NextCursor: next, Data: make([]Trade, len(page))}
	for i, t := range page {
		out.Data[i] = s.renderTrade(t, owner)
	}
	return out, nil
}

func (s *Sim) renderTrade(t *trade, viewer string) Trade {
	status, last := t.status(s.now)
	traderSide := "TAKER"
	if t.takerOwner != viewer {
		traderSide = "MAKER"
	}
	price, size := dec(t.price), dec(t.size)
	return Trade{
		ID: t.id, TakerOrderID: t.takerOrder, Market: t.tok.m.conditionID, AssetID: t.tok.id, Side: t.side.String(),
		Size: size, FeeRateBps: "0", Price: price, Status: status,
		MatchTime: strconv.FormatInt(t.at.Unix(), 10), LastUpdate: strconv.FormatInt(last.Unix(), 10),
		Outcome: t.tok.outcome(), Owner: t.takerOwner, MakerAddress: t.takerAddr,
		MakerOrders: []MakerOrder{{
			OrderID: t.makerOrder, Owner: t.makerOwner, MakerAddress: t.makerAddr, MatchedAmount: size, Price: price,
			FeeRateBps: "0", AssetID: t.tok.id, Outcome: t.tok.outcome(), Side: t.side.opposite().String(),
		}},
		TransactionHash: t.tx, TraderSide: traderSide,
	}
}

// decodeCursor turns a CLOB cursor into an offset; -1 is the end.
func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, &Error{400, MsgInvalidCursor}
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < -1 {
		return 0, &Error{400, MsgInvalidCursor}
	}
	return n, nil
}

func encodeCursor(off int) string {
	return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(off)))
}

// paginate returns the PageSize items from off and the next cursor.
func paginate[T any](all []T, off int) ([]T, string) {
	if off < 0 || off >= len(all) {
		return []T{}, EndCursor
	}
	end := min(off+PageSize, len(all))
	next := EndCursor
	if end < len(all) {
		next = encodeCursor(end)
	}
	return all[off:end], next
}

// Balance returns address's balance of pUSD (assetType COLLATERAL) or of
// tokenID (CONDITIONAL), resting orders included, and UnlimitedAllowance.
// The account is created and funded on first sight.
func (s *Sim) Balance(address, assetType, tokenID string) (balance, allowance vig.Micros, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	a := s.account(strings.ToLower(address))
	switch strings.ToUpper(assetType) {
	case "COLLATERAL":
		return a.cash, UnlimitedAllowance, nil
	case "CONDITIONAL":
		if tokenID == "" {
			return 0, 0, &Error{400, MsgInvalidTokenID}
		}
		for t, p := range a.pos {
			if t.id == tokenID {
				return p.size, UnlimitedAllowance, nil
			}
		}
		return 0, UnlimitedAllowance, nil
	}
	return 0, 0, &Error{400, MsgInvalidAssetType}
}

// Heartbeat records a heartbeat from owner and returns the id to send next
// time. From an owner's first heartbeat on, if HeartbeatTimeout passes
// without another, all of owner's open orders are canceled (CANCELED) and
// the switch disarms until the next heartbeat. id is not checked.
func (s *Sim) Heartbeat(owner, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	hb := &heartbeat{id: uuid(s.ids), deadline: now.Add(HeartbeatTimeout)}
	s.heartbeats[owner] = hb
	s.schedule(&timer{at: hb.deadline, kind: timerDeadman, owner: owner})
	return hb.id
}

// curPrice is a token's current price: the book's midpoint while open, the
// fair price at the end while in dispute, 1 or 0 once resolved.
func (s *Sim) curPrice(t *token) vig.Micros {
	e := t.m.ev
	switch {
	case e.resolved:
		if t.m.winner == t.idx {
			return one
		}
		return 0
	case t.book != nil:
		if mid, ok := t.book.mid(); ok {
			return mid
		}
	}
	return roundTick(t.fair(), e.tick)
}

// Positions returns address's positions, open and closed, ordered by
// market then outcome.
func (s *Sim) Positions(address string) []Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	a := s.accounts[strings.ToLower(address)]
	if a == nil {
		return []Position{}
	}
	ps := make([]*position, 0, len(a.pos))
	for _, p := range a.pos {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(x, y *position) int { return int(x.tok.seq - y.tok.seq) })
	out := make([]Position, 0, len(ps))
	for _, p := range ps {
		t, m := p.tok, p.tok.m
		other := m.tokens[1-t.idx]
		cur := s.curPrice(t)
		iv, cv := mulDiv(p.size, p.avg, false), mulDiv(p.size, cur, false)
		op := a.pos[other]
		out = append(out, Position{
			Address: a.addr, TokenID: t.id, ConditionID: m.conditionID, MarketID: m.id, EventID: m.ev.id,
			Title: m.question, Slug: m.slug, EventSlug: m.ev.slug, Outcome: t.outcome(), OutcomeIndex: t.idx,
			OppositeOutcome: other.outcome(), OppositeAsset: other.id,
			Size: p.size, AvgPrice: p.avg, TotalBought: p.bought, InitialValue: iv, CurrentValue: cv, CashPnL: cv - iv,
			RealizedPnL: p.realized, CurPrice: cur, Redeemable: m.ev.resolved && m.winner == t.idx && p.size > 0,
			Mergeable: p.size > 0 && op != nil && op.size > 0, NegRisk: m.ev.negRisk, EndDate: m.ev.end,
		})
	}
	return out
}

// Activity returns address's trades and redemptions, oldest first.
func (s *Sim) Activity(address string) []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	a := s.accounts[strings.ToLower(address)]
	if a == nil {
		return []Activity{}
	}
	return slices.Clone(a.activity)
}

// Redeem converts address's tokens of a resolved market into pUSD: each
// winning share pays 1, losing shares are burned for nothing. It returns
// the pUSD paid. Errors: unknown (or dropped) market → 404 MsgMarketNotFound;
// not resolved yet → 400 MsgNotResolved. Shares held back by resting orders
// cannot exist (resolution canceled them).
func (s *Sim) Redeem(address, conditionID string) (vig.Micros, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	m := s.marketByCID[conditionID]
	if m == nil {
		return 0, &Error{404, MsgMarketNotFound}
	}
	if !m.ev.resolved {
		return 0, &Error{400, MsgNotResolved}
	}
	a := s.account(strings.ToLower(address))
	var paid, burned vig.Micros
	for _, t := range m.tokens {
		p := a.pos[t]
		if p == nil || p.size == 0 {
			continue
		}
		var pay vig.Micros
		if m.winner == t.idx {
			pay = p.size
		}
		p.realized += pay - p.cost
		p.cost, burned = 0, burned+p.size
		p.size = 0
		paid += pay
	}
	if burned == 0 {
		return 0, nil
	}
	a.cash += paid
	a.activity = append(a.activity, Activity{
		Address: a.addr, Time: now, Type: "REDEEM", ConditionID: m.conditionID, Size: burned, USDCSize: paid,
		OutcomeIndex: 999, Title: m.question, Slug: m.slug, EventSlug: m.ev.slug, TransactionHash: "0x" + randHex(s.ids, 32),
	})
	return paid, nil
}

// MarketByToken returns the market trading tokenID.
func (s *Sim) MarketByToken(tokenID string) (MarketInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	t := s.tokenByID[tokenID]
	if t == nil {
		return MarketInfo{}, false
	}
	return s.marketInfo(t.m), true
}

// MarketByCondition returns the market with condition id conditionID.
func (s *Sim) MarketByCondition(conditionID string) (MarketInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	m := s.marketByCID[conditionID]
	if m == nil {
		return MarketInfo{}, false
	}
	return s.marketInfo(m), true
}

func (s *Sim) marketInfo(m *market) MarketInfo {
	e := m.ev
	uma, _ := e.umaStatus()
	return MarketInfo{
		ID: m.id, ConditionID: m.conditionID, QuestionID: m.questionID, Question: m.question, Slug: m.slug,
		EventID: e.id, EventSlug: e.slug, Outcomes: []string{m.outcomes[0], m.outcomes[1]},
		TokenIDs: []string{m.tokens[0].id, m.tokens[1].id}, TickSize: e.tick, MinOrderSize: m.minSize,
		NegRisk: e.negRisk, NegRiskMarketID: e.negRiskMarketID, Active: true, AcceptingOrders: !e.closed,
		Closed: e.closed, Resolved: e.resolved, UMAResolutionStatus: uma, Winner: m.winner, EndDate: e.end,
	}
}

// ChainID returns the chain id the sim pretends to run on.
func (s *Sim) ChainID() int64 { return s.cfg.ChainID }
