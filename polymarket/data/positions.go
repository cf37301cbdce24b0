package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
)

// Position is one position of a wallet: an amount of one outcome token.
// Closed positions (ClosedPositions) carry Timestamp and usually no Size.
type Position struct {
	ProxyWallet string // the wallet holding the tokens
	Asset       string // CTF token id (decimal)
	ConditionID string // 0x… condition id

	Size         vig.Micros // shares
	AvgPrice     vig.Micros // price, 0..1_000_000
	CurPrice     vig.Micros // price, 0..1_000_000
	InitialValue vig.Micros // USDC
	CurrentValue vig.Micros // USDC
	CashPnl      vig.Micros // USDC
	RealizedPnl  vig.Micros // USDC
	TotalBought  vig.Micros // USDC

	Redeemable   bool // resolved in this outcome's favour (or partly): redeem it
	Mergeable    bool // the wallet also holds the opposite outcome
	NegativeRisk bool // a neg-risk market (redeem through the NegRiskAdapter)

	Title, Slug, EventSlug string
	Outcome                string // e.g. "Yes"
	OutcomeIndex           int    // 0-based index in the market's outcomes; -1 when absent
	OppositeOutcome        string
	OppositeAsset          string

	EndDate   time.Time // UTC; zero when absent
	Timestamp time.Time // UTC; closed positions: when the position closed

	// Issues names fields that were present but unusable (left zero) or
	// out of range. Empty for a clean position.
	Issues []string
}

// Activity is one entry of a wallet's activity feed.
type Activity struct {
	ProxyWallet     string
	Timestamp       time.Time // UTC
	Type            string    // TRADE, SPLIT, MERGE, REDEEM, REWARD, CONVERSION, DEPOSIT, WITHDRAWAL, …
	ConditionID     string    // empty for entries without a market
	Asset           string    // token id; empty for entries without a token
	Side            string    // BUY or SELL for trades
	Size            vig.Micros
	USDCSize        vig.Micros
	Price           vig.Micros
	Outcome         string
	OutcomeIndex    int // -1: none (the venue's 999)
	Title           string
	Slug, EventSlug string
	TransactionHash string
	// Issues names fields that were present but unusable (left zero).
	Issues []string
}

// key identifies an activity entry for de-duplication across pages: a
// transaction may hold several entries, so everything that tells them
// apart takes part.
func (a Activity) key() string {
	return strings.Join([]string{a.TransactionHash, a.Type, a.Asset, a.Side, strconv.FormatInt(a.Timestamp.Unix(), 10),
		strconv.FormatInt(int64(a.Size), 10), strconv.FormatInt(int64(a.USDCSize), 10), strconv.FormatInt(int64(a.Price), 10),
		strconv.Itoa(a.OutcomeIndex)}, "|")
}

type rawPosition struct {
	ProxyWallet     string  `json:"proxyWallet"`
	Asset           jString `json:"asset"`
	ConditionID     string  `json:"conditionId"`
	Size            jMicros `json:"size"`
	AvgPrice        jMicros `json:"avgPrice"`
	CurPrice        jMicros `json:"curPrice"`
	InitialValue    jMicros `json:"initialValue"`
	CurrentValue    jMicros `json:"currentValue"`
	CashPnl         jMicros `json:"cashPnl"`
	RealizedPnl     jMicros `json:"realizedPnl"`
	TotalBought     jMicros `json:"totalBought"`
	Redeemable      jBool   `json:"redeemable"`
	Mergeable       jBool   `json:"mergeable"`
	NegativeRisk    jBool   `json:"negativeRisk"`
	Title           string  `json:"title"`
	Slug            string  `json:"slug"`
	EventSlug       string  `json:"eventSlug"`
	Outcome         string  `json:"outcome"`
	OutcomeIndex    jInt    `json:"outcomeIndex"`
	OppositeOutcome string  `json:"oppositeOutcome"`
	OppositeAsset   jString `json:"oppositeAsset"`
	EndDate         jTime   `json:"endDate"`
	Timestamp       jTime   `json:"timestamp"`
}

type rawActivity struct {
	ProxyWallet     string  `json:"proxyWallet"`
	Timestamp       jTime   `json:"timestamp"`
	ConditionID     string  `json:"conditionId"`
	Type            string  `json:"type"`
	Size            jMicros `json:"size"`
	USDCSize        jMicros `json:"usdcSize"`
	Price           jMicros `json:"price"`
	Asset           jString `json:"asset"`
	Side            string  `json:"side"`
	Outcome         string  `json:"outcome"`
	OutcomeIndex    jInt    `json:"outcomeIndex"`
	Title           string  `json:"title"`
	Slug            string  `json:"slug"`
	EventSlug       string  `json:"eventSlug"`
	TransactionHash string  `json:"transactionHash"`
}

// issues collects problems without allocating for a clean item.
type issues []string

func (is *issues) add(field, what string) { *is = append(*is, field+": "+what) }

func (is *issues) micros(field string, m jMicros) vig.Micros {
	if m.bad {
		is.add(field, "not a decimal")
	}
	return m.v
}

func (is *issues) price(field string, m jMicros) vig.Micros {
	switch {
	case m.bad:
		is.add(field, "not a decimal")
	case m.v < 0 || m.v > 1_000_000:
		is.add(field, "out of [0,1]")
	}
	return m.v
}

func (is *issues) boolean(field string, b jBool) bool {
	if b.bad {
		is.add(field, "not a boolean")
	}
	return b.v
}

func (is *issues) date(field string, t jTime) time.Time {
	if t.bad {
		is.add(field, "not a date")
	}
	return t.v
}

// outcomeIndex maps absent, negative and the venue's 999 ("none") to -1.
func (is *issues) outcomeIndex(x jInt) int {
	if x.bad {
		is.add("outcomeIndex", "not an integer")
	}
	if !x.set || x.v < 0 || x.v >= 999 {
		return -1
	}
	return int(x.v)
}

func malformed(what, id, format string, args ...any) error {
	if id != "" {
		what += " " + strconv.Quote(bound(id))
	}
	return fmt.Errorf("data: %s: %w: %s", what, polymarket.ErrMalformed, fmt.Sprintf(format, args...))
}

// maxTokenIDDigits: a uint256 has at most 78 decimal digits.
const maxTokenIDDigits = 78

func validToken(s string) bool { return allDigits(s) && len(s) <= maxTokenIDDigits }

// validCondition: 0x and 32 bytes of hex.
func validCondition(s string) bool { return len(s) == 66 && s[:2] == "0x" && isHex(s[2:]) }

func (r *rawPosition) position() (Position, error) {
	if r.Asset.bad || !r.Asset.set || !validToken(r.Asset.v) {
		return Position{}, malformed("position", r.Asset.v, "asset: missing or not a decimal token id")
	}
	if !validCondition(r.ConditionID) {
		return Position{}, malformed("position", r.Asset.v, "conditionId: missing or not 0x and 64 hex digits")
	}
	var is issues
	p := Position{
		ProxyWallet:     r.ProxyWallet,
		Asset:           r.Asset.v,
		ConditionID:     r.ConditionID,
		Size:            is.micros("size", r.Size),
		AvgPrice:        is.price("avgPrice", r.AvgPrice),
		CurPrice:        is.price("curPrice", r.CurPrice),
		InitialValue:    is.micros("initialValue", r.InitialValue),
		CurrentValue:    is.micros("currentValue", r.CurrentValue),
		CashPnl:         is.micros("cashPnl", r.CashPnl),
		RealizedPnl:     is.micros("realizedPnl", r.RealizedPnl),
		TotalBought:     is.micros("totalBought", r.TotalBought),
		Redeemable:      is.boolean("redeemable", r.Redeemable),
		Mergeable:       is.boolean("mergeable", r.Mergeable),
		NegativeRisk:    is.boolean("negativeRisk", r.NegativeRisk),
		Title:           r.Title,
		Slug:            r.Slug,
		EventSlug:       r.EventSlug,
		Outcome:         r.Outcome,
		OutcomeIndex:    is.outcomeIndex(r.OutcomeIndex),
		OppositeOutcome: r.OppositeOutcome,
		EndDate:         is.date("endDate", r.EndDate),
		Timestamp:       is.date("timestamp", r.Timestamp),
	}
	if p.Size < 0 {
		is.add("size", "negative")
	}
	if r.OppositeAsset.bad || r.OppositeAsset.set && !validToken(r.OppositeAsset.v) {
		is.add("oppositeAsset", "not a decimal token id")
	} else {
		p.OppositeAsset = r.OppositeAsset.v
	}
	p.Issues = is
	return p, nil
}

// activity validates r: type and timestamp are required; a trade needs its
// token id and condition id; any token id present must be decimal.
func (r *rawActivity) activity() (Activity, error) {
	if r.Type == "" {
		return Activity{}, malformed("activity", r.TransactionHash, "type: missing")
	}
	if r.Timestamp.bad || !r.Timestamp.set {
		return Activity{}, malformed("activity", r.TransactionHash, "timestamp: missing or not a time")
	}
	if r.Asset.bad || r.Asset.set && !validToken(r.Asset.v) {
		return Activity{}, malformed("activity", r.TransactionHash, "asset: not a decimal token id")
	}
	if strings.EqualFold(r.Type, "TRADE") && (!r.Asset.set || !validCondition(r.ConditionID)) {
		return Activity{}, malformed("activity", r.TransactionHash, "a trade needs asset and conditionId")
	}
	var is issues
	a := Activity{
		ProxyWallet:     r.ProxyWallet,
		Timestamp:       r.Timestamp.v,
		Type:            r.Type,
		ConditionID:     r.ConditionID,
		Asset:           r.Asset.v,
		Side:            r.Side,
		Size:            is.micros("size", r.Size),
		USDCSize:        is.micros("usdcSize", r.USDCSize),
		Price:           is.price("price", r.Price),
		Outcome:         r.Outcome,
		OutcomeIndex:    is.outcomeIndex(r.OutcomeIndex),
		Title:           r.Title,
		Slug:            r.Slug,
		EventSlug:       r.EventSlug,
		TransactionHash: r.TransactionHash,
	}
	a.Issues = is
	return a, nil
}

// decodeList decodes a JSON array into raws, tolerating entries and fields
// of the wrong type (encoding/json leaves them zero and goes on).
func decodeList[R any](b []byte, raws *[]R) error {
	if jsonKind(b) != '[' {
		return fmt.Errorf("data: list: %w: not a JSON array", polymarket.ErrMalformed)
	}
	if err := json.Unmarshal(b, raws); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("data: list: %w: %s", polymarket.ErrMalformed, bound(err.Error()))
		}
	}
	return nil
}

func decodePositions(b []byte) ([]Position, int, []error, error) {
	var raws []rawPosition
	if err := decodeList(b, &raws); err != nil {
		return nil, 0, nil, err
	}
	out := make([]Position, 0, len(raws))
	var skipped []error
	for i := range raws {
		p, err := raws[i].position()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		out = append(out, p)
	}
	return out, len(raws), skipped, nil
}

func decodeActivity(b []byte) ([]Activity, int, []error, error) {
	var raws []rawActivity
	if err := decodeList(b, &raws); err != nil {
		return nil, 0, nil, err
	}
	out := make([]Activity, 0, len(raws))
	var skipped []error
	for i := range raws {
		a, err := raws[i].activity()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		out = append(out, a)
	}
	return out, len(raws), skipped, nil
}

// DecodePositions decodes a /positions or /closed-positions answer (a JSON
// array). Positions without a decimal asset token id or a 0x condition id
// are left out (a Client counts them); the error is non-nil (wrapping
// polymarket.ErrMalformed) only when b as a whole is not such a list.
func DecodePositions(b []byte) ([]Position, error) {
	ps, _, _, err := decodePositions(b)
	return ps, err
}

// DecodeActivity decodes an /activity answer (a JSON array). Entries
// without a type or timestamp, trades without a token id or condition id,
// and entries whose token id is not decimal are left out; the error is
// non-nil (wrapping polymarket.ErrMalformed) only when b as a whole is not
// such a list.
func DecodeActivity(b []byte) ([]Activity, error) {
	as, _, _, err := decodeActivity(b)
	return as, err
}
