// Package sim is an offline, in-memory, deterministic simulator of
// Polymarket that speaks the venue's HTTP shapes under path prefixes of one
// address: /gamma (gamma-api.polymarket.com), /clob (clob.polymarket.com),
// /data (data-api.polymarket.com, phase 2) and /geoblock
// (polymarket.com/api/geoblock), plus /admin for tests and demos. The bot,
// its tests, demos and chaos tests all run against it, so the shapes follow
// docs/platform-facts.md §2 closely; breadth is secondary.
//
// # Time and determinism
//
// Sim time is Config.Start + Config.Speed × (clock time since New). The
// world never moves on its own: Step advances it to the current sim time,
// and every HTTP request and every engine method calls Step first (Run also
// calls it every ~200 ms). With a *clock.Fake nothing happens between
// Advance calls, so tests need no goroutines or sleeps. Given Seed and the
// same sequence of clock readings and requests, state and answers are
// byte-identical: all randomness comes from seeded PCG streams (one for
// market generation, so the market stream ignores requests; one per token
// and house epoch for liquidity; one for ids; one for faults) and no output
// depends on map order.
//
// # World
//
// The sim keeps Config.OpenMarkets markets open. Each event (a binary
// market, or a neg-risk group of 3–6 mutually exclusive Yes/No markets
// sharing a negRiskMarketID) gets the next end date on a grid spaced
// Config.CloseEvery, so one event closes every CloseEvery and a new one
// opens in its place with the last end date + CloseEvery. Texts come from
// templates in four categories (crypto, sports, politics, economics), with
// sub-tags; binary outcomes are Yes/No, team names, Over/Under or Up/Down.
// The favourite's fair price is drawn uniformly in 0.55–0.97 (binary: the
// other outcome is 1 − p; neg-risk: the rest is shared at random, each at
// least 0.004), then random-walks a little (240 steps over the event's life)
// until the end date. Tick sizes: 0.01 and 0.001 mostly, 0.1, 0.0001 and
// the V2 0.005/0.0025 rarely (never one too coarse for the prices);
// orderMinSize 5, sometimes 1 or 10. Ids: market and event ids are
// increasing decimal strings; condition and question ids 0x + 64 hex
// (neg-risk question ids are the negRiskMarketID with the market's index
// as last byte); token ids 70–77 digit decimals.
//
// At its end date an event closes: acceptingOrders false, closed true,
// resting orders CANCELED_MARKET_RESOLVED, books gone (book calls answer
// 404). 90% resolve at once, 10% enter a UMA dispute (umaResolutionStatus
// "disputed", prices not final) and resolve 2–10 sim-minutes later. The
// winner is drawn from the fair prices at the end date (neg-risk: exactly
// one Yes per event); outcomePrices become ["1", "0"]-style and CLOB tokens
// report winner true/false. A resolved event stays queryable (Gamma, CLOB,
// MarketByCondition, Redeem) for Config.KeepResolved (default 24 sim-hours)
// and is then dropped with its orders and trades; positions in it remain
// but can no longer be redeemed.
//
// # Matching engine
//
// One mutex guards everything. Each token has a price-time-priority book
// of vig.Micros prices and sizes. The house account (HouseAddress,
// HouseOwner; unlimited funds, not reported) provides depth: every 15
// sim-seconds (a house epoch, evaluated lazily when a book is looked at)
// it pulls its quotes and posts 3–7 levels a side around the fair price,
// tens to thousands of shares each; new house levels that cross resting
// user orders trade with them (the market moved through a stale quote),
// and with 30% chance per side another trader's taker order hits the best
// bid or lifts the best ask, filling user orders there first (users queue
// ahead of the house at equal prices). A side emptied by a taker is
// requoted at once, so books never stay empty. User orders also match each
// other, any two accounts (self-trades are allowed). Fills happen at the
// resting order's price; only same-token matching exists (no YES/NO
// complementary matching or minting).
//
// Accounts are lower-case 0x addresses, funded with Config.InitialBalance
// pUSD on first sight. A BUY needs free pUSD (balance − reservations of
// resting BUYs) ≥ price × size rounded up to 6 decimals; a SELL needs free
// shares ≥ size. Fills move pUSD and shares at once (price × size rounded
// down). Trades go MATCHED → MINED after MinedAfter (2 s) → CONFIRMED after
// ConfirmedAfter (10 s) of sim time; fee_rate_bps is always "0".
//
// # Engine API for phase 2
//
// Phase 2 adds the authenticated CLOB endpoints (trading.go, auth.go: L1
// EIP-712 and L2 HMAC verification, API keys) and the Data API
// (dataapi.go), registering routes in addRoutes (routes.go). After
// verifying a request it calls:
//
//	PlaceOrder(OrderRequest) (OrderResult, error)   POST /order, /orders
//	CancelOrder(owner, id) CancelResult             DELETE /order
//	CancelOrders(owner, ids) CancelResult           DELETE /orders
//	CancelMarket(owner, market, asset) CancelResult DELETE /cancel-market-orders
//	CancelAll(owner) CancelResult                   DELETE /cancel-all
//	GetOrder(owner, id) (Order, bool)               GET /data/order/{id}
//	OpenOrders(owner, OrderFilter, cursor)          GET /data/orders
//	Trades(owner, TradeFilter, cursor)              GET /data/trades
//	Balance(address, assetType, tokenID)            GET /balance-allowance
//	Heartbeat(owner, id) newID                      POST /v1/heartbeats
//	Positions(address), Activity(address)           Data API /positions, /activity, /value
//	Redeem(address, conditionID)                    redemption (the rpc issue)
//	MarketByToken(id), MarketByCondition(id)        tick, min size, neg-risk, accepting orders
//	ChainID()                                       EIP-712 domain
//
// Owners are API keys; addresses are funder (maker) addresses. Order,
// OrderResult, Trade, OrdersPage, TradesPage and CancelResult carry the
// venue's JSON tags and can be written as they are; PlaceOrder's error and
// the cursor errors are *Error values holding the HTTP status and the
// venue's message for {"error": …}. OrderRequest takes a limit price and a
// size in shares, so phase 2 converts makerAmount/takerAmount (BUY: price
// = maker/taker, size = taker; SELL: price = taker/maker, size = maker) and
// subtracts nothing from Expiration: PlaceOrder applies the one-minute GTD
// threshold itself (rejects Expiration ≤ now + 1 min, expires the order at
// Expiration − 1 min). FOK and FAK are share-based with a worst price.
// Rejections use the real venue's messages (MsgNotEnoughBalance, …); the
// full order of checks is on PlaceOrder. Cursors are the CLOB's: base64 of
// an offset, FirstCursor "MA==", EndCursor "LTE=". Balance reports the
// total balance (resting orders included) and UnlimitedAllowance; the V2
// response's per-spender "allowances" map is phase 2's to shape.
//
// # HTTP endpoints
//
// Gamma:
//
//	GET /gamma/markets                 offset pagination (limit default 20, max 500; offset > 10,000 → 400)
//	GET /gamma/markets/keyset          {"markets": […], "next_cursor": "…"|null}; after_cursor; offset → 400
//	GET /gamma/markets/{id}
//	GET /gamma/events, /gamma/events/keyset ({"events": …}), /gamma/events/{id}
//
// Filters: active, closed, archived, end_date_min/max, start_date_min/max
// (ISO-8601), order (comma list of volume24hr, volume, volumeNum,
// liquidity, liquidityNum, endDate, startDate, createdAt, closedTime, id;
// unknown → 400) with ascending (default true), volume_num_min/max and
// liquidity_num_min/max (volume_min/max, liquidity_min/max for events),
// tag_id or tag_slug with related_tags, id, slug, clob_token_ids,
// condition_ids, question_ids (repeatable or comma-separated) and
// uma_resolution_status. Without a filter on closed, closed markets are
// listed too. Gamma is consistent with the CLOB (no lag).
//
// CLOB, public:
//
//	GET /clob/, /clob/ok               "OK"
//	GET /clob/time                     sim time, integer seconds
//	GET /clob/version                  {"version":2}
//	GET /clob/book?token_id=           all numbers strings, best level LAST, SHA-1 hash
//	POST /clob/books                   [{"token_id":…}] → books (unknown ids skipped; > 500 → 400)
//	GET /clob/price?token_id=&side=    BUY → best ask, SELL → best bid
//	GET /clob/midpoint?token_id=       {"mid_price": …} ({"mid": …} under LegacyMid)
//	GET /clob/spread?token_id=         {"spread": …}
//	GET /clob/tick-size?token_id=      {"minimum_tick_size": 0.01} (a number)
//	GET /clob/neg-risk?token_id=       {"neg_risk": true}
//	GET /clob/markets?next_cursor=     {limit, count, next_cursor, data}
//	GET /clob/markets/{condition_id}   tokens [{token_id, outcome, price, winner}], …
//
// Book calls answer 400 "Invalid token id" for a missing or malformed id
// and 404 "No orderbook exists for the requested token id" for an unknown
// token or a closed market; tick-size and neg-risk answer 404 "market not
// found" for unknown tokens only.
//
// CLOB, authenticated (auth.go, trading.go; verified with the same
// polymarket/order code the bot signs with):
//
//	POST /clob/auth/api-key            L1 → {"apiKey","secret","passphrase"}; creating twice returns the same key
//	GET  /clob/auth/derive-api-key     L1 → the key created for (address, nonce); 400 "Could not derive api key!"
//	GET  /clob/auth/api-keys           {"apiKeys": […]};  DELETE /clob/auth/api-key revokes the key used
//	POST /clob/order, /clob/orders     V2 orders (batch: 1–15, verified all-or-nothing, then per-order results)
//	DELETE /clob/order, /clob/orders, /clob/cancel-market-orders, /clob/cancel-all
//	GET  /clob/data/order/{id} (= /clob/order/{id}), /clob/data/orders, /clob/data/trades
//	GET  /clob/balance-allowance(/update)  {"balance","allowance"} in 6-decimal base units, plus "allowances"
//	POST /clob/v1/heartbeats           {"heartbeat_id": …} → {"heartbeat_id": next}
//
// L1: order.VerifyL1 for Config.ChainID; keys are derived from the seed,
// the address and the nonce (HMAC), so they are the same run after run.
// The account is opened and funded when its key is created. L2:
// order.VerifyL2 with the HMAC over the request path WITHOUT the /clob
// prefix (clients sign the path relative to their base URL, as "/order"
// on clob.polymarket.com) and without the query. For both, POLY_TIMESTAMP
// must be within MaxAuthSkew (5 min) of Config.Clock, the base clock and
// not the sped-up sim time, since clients stamp with their wall clock.
// Failures are 401 "Invalid L1 Request headers" / "Unauthorized/Invalid
// api key".
//
// POST /order checks, in order: V1 fields (taker, nonce, feeRateBps) → 400
// "order_version_mismatch"; undecodable body or fields (order.FromJSON),
// unknown orderType → 400 "Invalid order payload: …"; owner ≠ the API key
// → MsgOwnerNotAPIKey; signer ≠ the key's address (types 0–2) →
// MsgSignerNotAPIKey; unknown token → "Invalid token id"; then the
// signature against order.ExchangeFor(chain, 2, the market's neg-risk
// flag): any failure, a wrong exchange or domain version included, is 400
// "invalid signature". EOA orders need maker = signer; proxy and Safe
// (types 1, 2) accept any maker as funder (the wallet factories are not
// simulated); POLY_1271 needs maker = signer = the deposit wallet and an
// envelope whose owner is the key's address. BUY price = makerAmount /
// takerAmount and size = takerAmount, SELL price = takerAmount /
// makerAmount and size = makerAmount; a ratio that is not an exact 6-decimal
// price below 1 is 400 "invalid price"; the rest is PlaceOrder's, with the
// order id the EIP-712 order hash and GTD expiration from the JSON
// (deferExec is ignored). Accepted orders answer 200 with OrderResult;
// rejections, business ones included ("not enough balance / allowance"),
// answer 400 {"error": …} as the venue's error docs describe, so clients
// see them as HTTP errors. Unknown or foreign order ids on GET answer 404
// "order not found". Balances for signature types 1–3 are those of the
// maker of the key's last accepted order of that type (before one: the
// key's own address).
//
// Data API (dataapi.go; public; platform-facts §2.8 field names):
//
//	GET /data/positions?user=&market=&eventId=&sizeThreshold=&redeemable=&mergeable=&title=&sortBy=&sortDirection=&limit=&offset=
//	GET /data/closed-positions?user=&market=&title=&sortBy=&sortDirection=&limit=&offset=
//	GET /data/activity?user=&market=&type=&start=&end=&side=&sortBy=&sortDirection=&limit=&offset=
//	GET /data/value?user=              [{"user": …, "value": …}] (open positions' current value)
//
// Lists are JSON arrays with numbers as JSON numbers; limit defaults to
// 100 (at most 500), offset to at most 10,000; sizeThreshold defaults to 1
// share; an unknown wallet has [] (and value 0); a missing or malformed
// parameter is 400 {"error": …}.
//
// Others: GET /geoblock ({"blocked":false,"ip":…,"country":"FI",
// "region":"18"}); GET/PUT /admin/faults; POST /admin/advance?d=90s
// (advances a fake clock so that sim time moves d; 400 on a real clock);
// GET /admin/state (State). Every error is {"error": "…"} with its status,
// unknown paths and wrong methods included.
//
// # Faults
//
// Faults (Config.Faults, SetFaults, PUT /admin/faults with snake_case JSON
// and durations like "250ms") apply to requests matching Paths prefixes
// and OnlyMethods, never to /admin: Latency (before handling), RateLimitBurst
// (429 "Too Many Requests" with Retry-After, counting down), ErrorRate (500
// "internal error", from the seeded fault stream), HTML403OnOrder
// (Cloudflare's HTML block page on POST /clob/order), Geoblocked (/geoblock
// says US and blocked; POST /clob/order(s) → 403 MsgGeoblocked),
// TradingDisabled (POST/DELETE on the trading endpoints → 503),
// TruncateJSON (JSON bodies cut in half), Stall (the answer is held back;
// the request still takes effect) and LegacyMid. Latency and Stall are
// wall-clock durations and end early when the client goes away.
package sim
