package data_test

import (
	"errors"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/data"
)

func decimalDigits(s string) bool {
	if s == "" || len(s) > 78 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func FuzzDecodePositions(f *testing.F) {
	f.Add(fixture(f, "positions.json"))
	f.Add(fixture(f, "closed_positions.json"))
	f.Add([]byte(positionsPage(0, 3)))
	f.Add([]byte(`[{"asset":1,"conditionId":"0x0b4cc3b739e1dfe5d73274740e7308b6fb389c5af040c3a174923d928d134bee","size":"1e-7","curPrice":2}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := data.DecodePositions(b)
		if err != nil {
			if !errors.Is(err, polymarket.ErrMalformed) || ps != nil {
				t.Fatalf("error %v (with %d positions) does not wrap ErrMalformed", err, len(ps))
			}
			return
		}
		for _, p := range ps {
			if !decimalDigits(p.Asset) {
				t.Fatalf("asset %q is not a decimal token id", p.Asset)
			}
			if len(p.ConditionID) != 66 || p.ConditionID[:2] != "0x" {
				t.Fatalf("conditionId %q", p.ConditionID)
			}
			if p.OppositeAsset != "" && !decimalDigits(p.OppositeAsset) {
				t.Fatalf("oppositeAsset %q", p.OppositeAsset)
			}
			inRange := p.AvgPrice >= 0 && p.AvgPrice <= 1_000_000 && p.CurPrice >= 0 && p.CurPrice <= 1_000_000
			if (!inRange || p.Size < 0) && len(p.Issues) == 0 {
				t.Fatalf("out-of-range position not flagged: %+v", p)
			}
			if p.OutcomeIndex < -1 || p.OutcomeIndex >= 999 {
				t.Fatalf("OutcomeIndex %d", p.OutcomeIndex)
			}
			if p.EndDate.Location() != time.UTC || p.Timestamp.Location() != time.UTC {
				t.Fatal("time not in UTC")
			}
		}
	})
}

func FuzzDecodeActivity(f *testing.F) {
	f.Add(fixture(f, "activity.json"))
	f.Add([]byte(`[{"type":"TRADE","timestamp":"1764288000","asset":"12","conditionId":"0x747dc809fb79e1b05be09c42d6179459a58de2ef3e40f02484a4e1260f741f75","price":"0.5","outcomeIndex":"999"}]`))
	f.Add([]byte(`[{"type":"DEPOSIT","timestamp":1764288000000,"usdcSize":100}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := data.DecodeActivity(b)
		if err != nil {
			if !errors.Is(err, polymarket.ErrMalformed) || as != nil {
				t.Fatalf("error %v (with %d entries) does not wrap ErrMalformed", err, len(as))
			}
			return
		}
		for _, a := range as {
			if a.Type == "" || a.Timestamp.IsZero() || a.Timestamp.Location() != time.UTC {
				t.Fatalf("entry without type or timestamp: %+v", a)
			}
			if a.Asset != "" && !decimalDigits(a.Asset) {
				t.Fatalf("asset %q is not a decimal token id", a.Asset)
			}
			if (a.Price < 0 || a.Price > 1_000_000) && len(a.Issues) == 0 {
				t.Fatalf("price %d not flagged", a.Price)
			}
			if a.OutcomeIndex < -1 || a.OutcomeIndex >= 999 {
				t.Fatalf("OutcomeIndex %d", a.OutcomeIndex)
			}
		}
	})
}
