package order

import (
	"math/big"
	"testing"
)

// TestAmountUnitsCarry drives the amount rule's round_up branch, which real
// orders cannot reach (see TestMarketBuyRounding): 0.999999995 at 4 decimals
// rounds up to 1.00000000 at 8 decimals, which then has no more than 4
// decimals, so it stays 1.0 instead of being cut to 0.9999.
func TestAmountUnitsCarry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		num, den int64
		dp       int
		want     string
	}{
		{1_999_999_999, 2_000_000_000, 4, "1000000"}, // 0.999999995 → 1.0
		{99_999_999, 100_000_000, 4, "999900"},       // 0.99999999 → ceil 8dp = itself → 0.9999
		{1, 3, 4, "333300"},                          // 0.3333…
		{2, 3, 4, "666600"},                          // 0.6666… (no half-up)
		{36, 10, 4, "3600000"},                       // exact
		{1, 1_000_000, 6, "1"},                       // 0.000001 exact at 6 dp
		{1, 3_000_000, 6, "0"},                       // below one base unit
	}
	for _, tt := range tests {
		got := amountUnits(big.NewInt(tt.num), big.NewInt(tt.den), tt.dp)
		if got.String() != tt.want {
			t.Errorf("amountUnits(%d/%d, %d) = %s, want %s", tt.num, tt.den, tt.dp, got, tt.want)
		}
	}
}
