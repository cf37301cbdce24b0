package order_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig/polymarket/order"
)

// BenchmarkBuildAndSign is the per-order cost on the hot path: amounts,
// building the V2 order and signing it.
func BenchmarkBuildAndSign(b *testing.B) {
	key := key0(b)
	me := crypto.PubkeyToAddress(key.PublicKey)
	ex, _ := order.ExchangeFor(order.ChainPolygon, 2, false)
	tokenID := big10(b, "87848146419241057657677458104196204655830537958664996373577118668208015365957")
	ts := big10(b, "1767225600000")
	for b.Loop() {
		maker, taker, err := order.LimitAmounts(order.Buy, 560_000, 21_040_000, order.Tick0_01)
		if err != nil {
			b.Fatal(err)
		}
		o := &order.OrderV2{
			Salt: order.NewSalt(), Maker: me, Signer: me, TokenID: tokenID,
			MakerAmount: maker, TakerAmount: taker, Side: order.Buy, SignatureType: order.EOA, Timestamp: ts,
		}
		if _, err := order.SignV2(key, o, order.ChainPolygon, ex, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCryptoSignFloor is the floor BenchmarkBuildAndSign is measured
// against: one go-ethereum secp256k1 signature of a 32-byte digest.
func BenchmarkCryptoSignFloor(b *testing.B) {
	key := key0(b)
	digest := common.HexToHash("0x10124949f84e9f7438c88d02bfd546ceb27ed6eb1fdb0175137af535b6e2513d")
	for b.Loop() {
		if _, err := crypto.Sign(digest[:], key); err != nil {
			b.Fatal(err)
		}
	}
}
