package order

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// Chain IDs the venue runs on.
const (
	ChainPolygon int64 = 137   // Polygon mainnet
	ChainAmoy    int64 = 80002 // Polygon Amoy testnet
)

// ExchangeDomainName is the EIP-712 domain name of every CTF exchange
// version; the domain version string is the exchange version ("1", "2", "3").
const ExchangeDomainName = "Polymarket CTF Exchange"

// ErrUnknownExchange: no exchange is known for that chain, version and
// neg-risk flag.
var ErrUnknownExchange = errors.New("unknown exchange")

// Exchange is one CTF exchange contract: the verifyingContract of the orders
// signed for it.
type Exchange struct {
	Address common.Address
	NegRisk bool // the neg-risk exchange (multi-outcome markets)
	Version int  // 1 (legacy), 2 (production since 2026-04-28) or 3
}

// Exchange addresses (platform-facts §2.0, §2.5, §2.7; clob-client-v2
// src/config.ts). V2 uses the same addresses on Polygon and Amoy.
var (
	exchangeV1Polygon        = common.HexToAddress("0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E")
	exchangeV1AmoyCTF        = common.HexToAddress("0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40")
	exchangeV1NegRisk        = common.HexToAddress("0xC5d563A36AE78145C45a50134d48A1215220f80a")
	exchangeV2CTF            = common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	exchangeV2NegRisk        = common.HexToAddress("0xe2222d279d744050d28e00520010520000310F59")
	exchangeV3PolygonAddress = common.HexToAddress("0xe3333700cA9d93003F00f0F71f8515005F6c00Aa")
)

// ExchangeFor returns the exchange contract that orders for chainID, exchange
// version and neg-risk flag must be signed against. Unknown combinations
// (V3 neg-risk, V3 on Amoy, other chains) are an error rather than a guess:
// a wrong verifyingContract only shows up as a rejected order.
func ExchangeFor(chainID int64, version int, negRisk bool) (common.Address, error) {
	switch {
	case version == 2 && (chainID == ChainPolygon || chainID == ChainAmoy):
		if negRisk {
			return exchangeV2NegRisk, nil
		}
		return exchangeV2CTF, nil
	case version == 1 && chainID == ChainPolygon:
		if negRisk {
			return exchangeV1NegRisk, nil
		}
		return exchangeV1Polygon, nil
	case version == 1 && chainID == ChainAmoy:
		if negRisk {
			return exchangeV1NegRisk, nil
		}
		return exchangeV1AmoyCTF, nil
	case version == 3 && chainID == ChainPolygon && !negRisk:
		return exchangeV3PolygonAddress, nil
	}
	return common.Address{}, fmt.Errorf("%w: chain %d, version %d, neg-risk %t", ErrUnknownExchange, chainID, version, negRisk)
}

// NewExchange is ExchangeFor returning the whole Exchange value.
func NewExchange(chainID int64, version int, negRisk bool) (Exchange, error) {
	a, err := ExchangeFor(chainID, version, negRisk)
	if err != nil {
		return Exchange{}, err
	}
	return Exchange{Address: a, NegRisk: negRisk, Version: version}, nil
}
