package order_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/vig-bot/vig/polymarket/order"
)

// These tests hash the same structs with go-ethereum's generic EIP-712
// implementation (signer/core/apitypes) and compare with the hand-rolled
// ABI encoding, so a field order or type slip cannot hide behind vectors
// computed by the same code.

var domainFields = []apitypes.Type{
	{Name: "name", Type: "string"},
	{Name: "version", Type: "string"},
	{Name: "chainId", Type: "uint256"},
	{Name: "verifyingContract", Type: "address"},
}

var orderV2Fields = []apitypes.Type{
	{Name: "salt", Type: "uint256"},
	{Name: "maker", Type: "address"},
	{Name: "signer", Type: "address"},
	{Name: "tokenId", Type: "uint256"},
	{Name: "makerAmount", Type: "uint256"},
	{Name: "takerAmount", Type: "uint256"},
	{Name: "side", Type: "uint8"},
	{Name: "signatureType", Type: "uint8"},
	{Name: "timestamp", Type: "uint256"},
	{Name: "metadata", Type: "bytes32"},
	{Name: "builder", Type: "bytes32"},
}

func v2Message(o *order.OrderV2) apitypes.TypedDataMessage {
	return apitypes.TypedDataMessage{
		"salt":          o.Salt.String(),
		"maker":         o.Maker.Hex(),
		"signer":        o.Signer.Hex(),
		"tokenId":       o.TokenID.String(),
		"makerAmount":   o.MakerAmount.String(),
		"takerAmount":   o.TakerAmount.String(),
		"side":          big.NewInt(int64(o.Side)).String(),
		"signatureType": big.NewInt(int64(o.SignatureType)).String(),
		"timestamp":     o.Timestamp.String(),
		"metadata":      o.Metadata[:],
		"builder":       o.Builder[:],
	}
}

func chainID(c int64) *math.HexOrDecimal256 { return (*math.HexOrDecimal256)(big.NewInt(c)) }

func TestApitypesOrderV2(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	tokenID := big10(t, "87848146419241057657677458104196204655830537958664996373577118668208015365957")
	orders := []*order.OrderV2{
		v2Order(t, me, me, order.EOA),
		{ // every field non-trivial
			Salt: big.NewInt(9007199254740991), Maker: common.HexToAddress("0x3333333333333333333333333333333333333333"), Signer: me,
			TokenID: tokenID, MakerAmount: big.NewInt(10575331400), TakerAmount: big.NewInt(18233330000),
			Side: order.Sell, SignatureType: order.PolyGnosisSafe, Timestamp: big.NewInt(1767225600123),
			Metadata: [32]byte{1, 2, 3, 31: 0xff}, Builder: [32]byte{0: 0xaa, 31: 0x01},
		},
	}
	for i, o := range orders {
		for _, c := range []struct {
			chain   int64
			version int
			negRisk bool
		}{{137, 2, false}, {137, 2, true}, {80002, 2, false}, {137, 3, false}} {
			ex, err := order.ExchangeFor(c.chain, c.version, c.negRisk)
			if err != nil {
				t.Fatal(err)
			}
			td := apitypes.TypedData{
				Types:       apitypes.Types{"EIP712Domain": domainFields, "Order": orderV2Fields},
				PrimaryType: "Order",
				Domain: apitypes.TypedDataDomain{
					Name: order.ExchangeDomainName, Version: big.NewInt(int64(c.version)).String(),
					ChainId: chainID(c.chain), VerifyingContract: ex.Hex(),
				},
				Message: v2Message(o),
			}
			sh, err := td.HashStruct("Order", td.Message)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.StructHash(); common.BytesToHash(sh) != got {
				t.Errorf("order %d: StructHash = %x, apitypes %x", i, got, sh)
			}
			digest, _, err := apitypes.TypedDataAndHash(td)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Hash(c.chain, ex, c.version); common.BytesToHash(digest) != got {
				t.Errorf("order %d %+v: Hash = %x, apitypes %x", i, c, got, digest)
			}
		}
	}
}

func TestApitypesClobAuth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		chain int64
		ts    string
		nonce int64
	}{{80002, "10000000", 23}, {137, "1767225600", 0}} {
		td := apitypes.TypedData{
			Types: apitypes.Types{
				"EIP712Domain": domainFields[:3],
				"ClobAuth": {
					{Name: "address", Type: "address"},
					{Name: "timestamp", Type: "string"},
					{Name: "nonce", Type: "uint256"},
					{Name: "message", Type: "string"},
				},
			},
			PrimaryType: "ClobAuth",
			Domain:      apitypes.TypedDataDomain{Name: order.ClobAuthDomainName, Version: order.ClobAuthDomainVersion, ChainId: chainID(c.chain)},
			Message: apitypes.TypedDataMessage{
				"address": key0Addr, "timestamp": c.ts, "nonce": big.NewInt(c.nonce).String(), "message": order.ClobAuthMessage,
			},
		}
		digest, _, err := apitypes.TypedDataAndHash(td)
		if err != nil {
			t.Fatal(err)
		}
		got := order.ClobAuthHash(common.HexToAddress(key0Addr), c.chain, c.ts, big.NewInt(c.nonce))
		if common.BytesToHash(digest) != got {
			t.Errorf("%+v: ClobAuthHash = %x, apitypes %x", c, got, digest)
		}
	}
}

// TestApitypesPoly1271 rebuilds the ERC-7739 TypedDataSign digest as a
// nested EIP-712 struct (apitypes appends the Order type itself) and checks
// that the upstream envelope's inner signature recovers to key #0 over it.
func TestApitypesPoly1271(t *testing.T) {
	t.Parallel()
	wallet := common.HexToAddress("0x1111111111111111111111111111111111111111")
	ex := common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	o := v2Order(t, wallet, wallet, order.Poly1271)
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": domainFields,
			"Order":        orderV2Fields,
			"TypedDataSign": {
				{Name: "contents", Type: "Order"},
				{Name: "name", Type: "string"},
				{Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"},
				{Name: "verifyingContract", Type: "address"},
				{Name: "salt", Type: "bytes32"},
			},
		},
		PrimaryType: "TypedDataSign",
		Domain:      apitypes.TypedDataDomain{Name: order.ExchangeDomainName, Version: "2", ChainId: chainID(order.ChainAmoy), VerifyingContract: ex.Hex()},
		Message: apitypes.TypedDataMessage{
			"contents":          map[string]interface{}(v2Message(o)),
			"name":              order.DepositWalletDomainName,
			"version":           order.DepositWalletDomainVersion,
			"chainId":           "80002",
			"verifyingContract": wallet.Hex(),
			"salt":              make([]byte, 32),
		},
	}
	if got, want := string(td.EncodeType("TypedDataSign")), order.TypedDataSignType; got != want {
		t.Errorf("EncodeType = %s, want %s", got, want)
	}
	digest, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatal(err)
	}
	sig := common.FromHex(expectedPoly1271)
	signer, err := order.RecoverSigner(common.BytesToHash(digest), sig[:65])
	if err != nil || signer.Hex() != key0Addr {
		t.Errorf("inner signature over apitypes digest recovers to %s, %v; want %s", signer.Hex(), err, key0Addr)
	}
}
