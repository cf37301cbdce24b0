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
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
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
	ProxyWallet     string       `json:"proxyWallet"`
	Asset           jsonx.String `json:"asset"`
	ConditionID     string       `json:"conditionId"`
	Size            jsonx.Micros `json:"size"`
	AvgPrice        jsonx.Micros `json:"avgPrice"`
	CurPrice        jsonx.Micros `json:"curPrice"`
	InitialValue    jsonx.Micros `json:"initialValue"`
	CurrentValue    jsonx.Micros `json:"currentValue"`
	CashPnl         jsonx.Micros `json:"cashPnl"`
	RealizedPnl     jsonx.Micros `json:"realizedPnl"`
	TotalBought     jsonx.Micros `json:"totalBought"`
	Redeemable      jsonx.Bool   `json:"redeemable"`
	Mergeable       jsonx.Bool   `json:"mergeable"`
	NegativeRisk    jsonx.Bool   `json:"negativeRisk"`
	Title           string       `json:"title"`
	Slug            string       `json:"slug"`
	EventSlug       string       `json:"eventSlug"`
	Outcome         string       `json:"outcome"`
	OutcomeIndex    jsonx.Int    `json:"outcomeIndex"`
	OppositeOutcome string       `json:"oppositeOutcome"`
	OppositeAsset   jsonx.String `json:"oppositeAsset"`
	EndDate         jsonx.Time   `json:"endDate"`
	Timestamp       jsonx.Time   `json:"timestamp"`
}

type rawActivity struct {
	ProxyWallet     string       `json:"proxyWallet"`
	Timestamp       jsonx.Time   `json:"timestamp"`
	ConditionID     string       `json:"conditionId"`
	Type            string       `json:"type"`
	Size            jsonx.Micros `json:"size"`
	USDCSize        jsonx.Micros `json:"usdcSize"`
	Price           jsonx.Micros `json:"price"`
	Asset           jsonx.String `json:"asset"`
	Side            string       `json:"side"`
	Outcome         string       `json:"outcome"`
	OutcomeIndex    jsonx.Int    `json:"outcomeIndex"`
	Title           string       `json:"title"`
	Slug            string       `json:"slug"`
	EventSlug       string       `json:"eventSlug"`
	TransactionHash string       `json:"transactionHash"`
}

// outcomeIndex maps absent, negative and the venue's 999 ("none") to -1.
func outcomeIndex(is *jsonx.Issues, x jsonx.Int) int {
	if x.Bad {
		is.Add("outcomeIndex", "not an integer")
	}
	if !x.Set || x.V < 0 || x.V >= 999 {
		return -1
	}
	return int(x.V)
}

func malformed(what, id, format string, args ...any) error {
	if id != "" {
		what += " " + strconv.Quote(bound(id))
	}
	return fmt.Errorf("data: %s: %w: %s", what, polymarket.ErrMalformed, fmt.Sprintf(format, args...))
}

// maxTokenIDDigits: a uint256 has at most 78 decimal digits.
const maxTokenIDDigits = 78

func validToken(s string) bool { return jsonx.AllDigits(s) && len(s) <= maxTokenIDDigits }

// validCondition: 0x and 32 bytes of hex.
func validCondition(s string) bool { return len(s) == 66 && s[:2] == "0x" && isHex(s[2:]) }

func (r *rawPosition) position() (Position, error) {
	if r.Asset.Bad || !r.Asset.Set || !validToken(r.Asset.V) {
		return Position{}, malformed("position", r.Asset.V, "asset: missing or not a decimal token id")
	}
	if !validCondition(r.ConditionID) {
		return Position{}, malformed("position", r.Asset.V, "conditionId: missing or not 0x and 64 hex digits")
	}
	var is jsonx.Issues
	p := Position{
		ProxyWallet:     r.ProxyWallet,
		Asset:           r.Asset.V,
		ConditionID:     r.ConditionID,
		Size:            is.Micros("size", r.Size),
		AvgPrice:        is.Price("avgPrice", r.AvgPrice),
		CurPrice:        is.Price("curPrice", r.CurPrice),
		InitialValue:    is.Micros("initialValue", r.InitialValue),
		CurrentValue:    is.Micros("currentValue", r.CurrentValue),
		CashPnl:         is.Micros("cashPnl", r.CashPnl),
		RealizedPnl:     is.Micros("realizedPnl", r.RealizedPnl),
		TotalBought:     is.Micros("totalBought", r.TotalBought),
		Redeemable:      is.Bool("redeemable", r.Redeemable),
		Mergeable:       is.Bool("mergeable", r.Mergeable),
		NegativeRisk:    is.Bool("negativeRisk", r.NegativeRisk),
		Title:           r.Title,
		Slug:            r.Slug,
		EventSlug:       r.EventSlug,
		Outcome:         r.Outcome,
		OutcomeIndex:    outcomeIndex(&is, r.OutcomeIndex),
		OppositeOutcome: r.OppositeOutcome,
		EndDate:         is.Time("endDate", r.EndDate),
		Timestamp:       is.Time("timestamp", r.Timestamp),
	}
	if p.Size < 0 {
		is.Add("size", "negative")
	}
	if r.OppositeAsset.Bad || r.OppositeAsset.Set && !validToken(r.OppositeAsset.V) {
		is.Add("oppositeAsset", "not a decimal token id")
	} else {
		p.OppositeAsset = r.OppositeAsset.V
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
	if r.Timestamp.Bad || !r.Timestamp.Set {
		return Activity{}, malformed("activity", r.TransactionHash, "timestamp: missing or not a time")
	}
	if r.Asset.Bad || r.Asset.Set && !validToken(r.Asset.V) {
		return Activity{}, malformed("activity", r.TransactionHash, "asset: not a decimal token id")
	}
	if strings.EqualFold(r.Type, "TRADE") && (!r.Asset.Set || !validCondition(r.ConditionID)) {
		return Activity{}, malformed("activity", r.TransactionHash, "a trade needs asset and conditionId")
	}
	var is jsonx.Issues
	a := Activity{
		ProxyWallet:     r.ProxyWallet,
		Timestamp:       r.Timestamp.V,
		Type:            r.Type,
		ConditionID:     r.ConditionID,
		Asset:           r.Asset.V,
		Side:            r.Side,
		Size:            is.Micros("size", r.Size),
		USDCSize:        is.Micros("usdcSize", r.USDCSize),
		Price:           is.Price("price", r.Price),
		Outcome:         r.Outcome,
		OutcomeIndex:    outcomeIndex(&is, r.OutcomeIndex),
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
	if jsonx.Kind(b) != '[' {
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

// decodeItems decodes a list answer and builds each entry with build. It
// returns the built items, how many entries the answer held, and why the
// ones build rejected were left out.
func decodeItems[R, T any](b []byte, build func(*R) (T, error)) ([]T, int, []error, error) {
	var raws []R
	if err := decodeList(b, &raws); err != nil {
		return nil, 0, nil, err
	}
	out := make([]T, 0, len(raws))
	var skipped []error
	for i := range raws {
		item, err := build(&raws[i])
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		out = append(out, item)
	}
	return out, len(raws), skipped, nil
}

func decodePositions(b []byte) ([]Position, int, []error, error) {
	return decodeItems(b, (*rawPosition).position)
}

func decodeActivity(b []byte) ([]Activity, int, []error, error) {
	return decodeItems(b, (*rawActivity).activity)
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
