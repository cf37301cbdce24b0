package order_test

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig/polymarket/order"
)

// Hardhat/Anvil account #0, the key every upstream vector uses
// (platform-facts §2.7).
const (
	key0Hex  = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	key0Addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
)

func key0(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := crypto.HexToECDSA(key0Hex)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func big10(tb testing.TB, s string) *big.Int {
	tb.Helper()
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		tb.Fatalf("bad decimal %q", s)
	}
	return x
}

func hex32(h [32]byte) string { return "0x" + hex.EncodeToString(h[:]) }
func hexB(b []byte) string    { return "0x" + hex.EncodeToString(b) }
func addrPtr(s string) *common.Address {
	a := common.HexToAddress(s)
	return &a
}

func TestKey0Address(t *testing.T) {
	t.Parallel()
	if got, want := crypto.PubkeyToAddress(key0(t).PublicKey).Hex(), key0Addr; got != want {
		t.Errorf("address = %s, want %s", got, want)
	}
}

// TestTypeHashes checks the typehashes of platform-facts §2.5 (verified there
// against go-order-utils and polynode's V2_ORDER_TYPEHASH).
func TestTypeHashes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, typ, want string }{
		{"domain", order.DomainType, "0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"},
		{"order V1", order.OrderV1Type, "0xa852566c4e14d00869b6db0220888a9090a13eccdaea03713ff0a3d27bf9767c"},
		{"order V2", order.OrderV2Type, "0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589"},
		{"ClobAuth", order.ClobAuthType, "0x52578c5c725a28a84fedc8c22aa47947822942f35b4dc350db028e45320e035c"},
	}
	for _, tt := range tests {
		if got := hex32(crypto.Keccak256Hash([]byte(tt.typ))); got != tt.want {
			t.Errorf("%s typehash = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestDomainSeparators: go-order-utils pkg/eip712/eip712_test.go (name
// "Polymarket CTF Exchange", version "1", with contract 0x0 and without a
// contract), the two mainnet V1 separators derived in platform-facts §2.7,
// and the four V2 separators of the V2 EOA table.
func TestDomainSeparators(t *testing.T) {
	t.Parallel()
	zero := &common.Address{}
	tests := []struct {
		name     string
		version  string
		chain    int64
		contract *common.Address
		want     string
	}{
		{"go-order-utils/80002/0x0", "1", 80002, zero, "0x029ca49b31e01a0230787b3673a6977ee0dbb02f78e68d2ee41d330893e17594"},
		{"go-order-utils/137/0x0", "1", 137, zero, "0x0ba60c2a4504ef46ef2d139f27cd131dbc8b9643d0565a54bb14de0e31cd5600"},
		{"go-order-utils/80002/no-contract", "1", 80002, nil, "0xf231a704e0942ea4f4f4a68a19fa01e198ddae4595d821697230159c60e562b0"},
		{"go-order-utils/137/no-contract", "1", 137, nil, "0xaee1d7dd93bb10f6c6a59417017905bc5dbec7ddbd71475cd19d8a95845e632d"},
		{"derived/V1/137/CTF", "1", 137, addrPtr("0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E"), "0x1a573e3617c78403b5b4b892827992f027b03d4eaf570048b8ee8cdd84d151be"},
		{"derived/V1/137/neg-risk", "1", 137, addrPtr("0xC5d563A36AE78145C45a50134d48A1215220f80a"), "0x82cb6aa85babb812f4b521a12b10f0cbc68d2b44be7bc02c047004f544adb49f"},
		{"V2/80002/CTF", "2", 80002, addrPtr("0xE111180000d2663C0091e4f400237545B87B996B"), "0xa440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148"},
		{"V2/80002/neg-risk", "2", 80002, addrPtr("0xe2222d279d744050d28e00520010520000310F59"), "0x1468e39841f0a0e05d3762b235cb7acecabf8cd7b6d3a672965a5d415bf9378e"},
		{"V2/137/CTF", "2", 137, addrPtr("0xE111180000d2663C0091e4f400237545B87B996B"), "0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2"},
		{"V2/137/neg-risk", "2", 137, addrPtr("0xe2222d279d744050d28e00520010520000310F59"), "0x9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := hex32(order.DomainSeparator(order.ExchangeDomainName, tt.version, tt.chain, tt.contract))
			if got != tt.want {
				t.Errorf("DomainSeparator = %s, want %s", got, tt.want)
			}
		})
	}
}

// v1Order is the order of go-order-utils
// pkg/builder/exchange_order_builder_impl_test.go, python-order-utils
// tests/test_order_builder.py and clob-client-v2
// tests/order-utils/exchangeOrderBuilderV1.test.ts.
func v1Order(t *testing.T) *order.OrderV1 {
	return &order.OrderV1{
		Salt:          big10(t, "479249096354"),
		Maker:         common.HexToAddress(key0Addr),
		Signer:        common.HexToAddress(key0Addr),
		TokenID:       big10(t, "1234"),
		MakerAmount:   big10(t, "100000000"),
		TakerAmount:   big10(t, "50000000"),
		Expiration:    big.NewInt(0),
		Nonce:         big.NewInt(0),
		FeeRateBps:    big.NewInt(100),
		Side:          order.Buy,
		SignatureType: order.EOA,
	}
}

// TestV1Vectors: the two Amoy V1 vectors (platform-facts §2.7).
func TestV1Vectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contract, digest, sig string
	}{
		{"amoy-ctf", "0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40",
			"0x02ca1d1aa31103804173ad1acd70066cb6c1258a4be6dada055111f9a7ea4e55",
			"0x302cd9abd0b5fcaa202a344437ec0b6660da984e24ae9ad915a592a90facf5a51bb8a873cd8d270f070217fea1986531d5eec66f1162a81f66e026db653bf7ce1c"},
		{"amoy-neg-risk", "0xC5d563A36AE78145C45a50134d48A1215220f80a",
			"0xf15790d3edc4b5aed427b0b543a9206fcf4b1a13dfed016d33bfb313076263b8",
			"0x1b3646ef347e5bd144c65bd3357ba19c12c12abaeedae733cf8579bc51a2752c0454c3bc6b236957e393637982c769b8dc0706c0f5c399983d933850afd1cbcd1c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := v1Order(t)
			ex := common.HexToAddress(tt.contract)
			digest := o.Hash(order.ChainAmoy, ex)
			if got := hex32(digest); got != tt.digest {
				t.Errorf("digest = %s, want %s", got, tt.digest)
			}
			sig, err := o.Sign(key0(t), order.ChainAmoy, ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := hexB(sig); got != tt.sig {
				t.Errorf("signature = %s, want %s", got, tt.sig)
			}
			signer, err := order.RecoverSigner(digest, sig)
			if err != nil || signer.Hex() != key0Addr {
				t.Errorf("RecoverSigner = %s, %v; want %s", signer.Hex(), err, key0Addr)
			}
		})
	}
}

// TestV1OrderHashTS: clob-client tests/order-utils/exchange.order.builder.test.ts.
func TestV1OrderHashTS(t *testing.T) {
	t.Parallel()
	o := &order.OrderV1{
		Salt:          big.NewInt(1),
		Maker:         common.HexToAddress("0x1111111111111111111111111111111111111111"),
		Signer:        common.HexToAddress("0x1111111111111111111111111111111111111111"),
		TokenID:       big.NewInt(101),
		MakerAmount:   big.NewInt(1_000_000),
		TakerAmount:   big.NewInt(2_000_000),
		Expiration:    big.NewInt(0),
		Nonce:         big.NewInt(2),
		FeeRateBps:    big.NewInt(0),
		Side:          order.Buy,
		SignatureType: order.EOA,
	}
	got := hex32(o.Hash(order.ChainPolygon, common.HexToAddress("0x0000000000000000000000000000000000000001")))
	if want := "0xeb162c6cc7aa28ad096a7c40fb9556d41fa1730d71103ba7103589ae1f18d942"; got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
}

// v2Order is the fixed V2 order of platform-facts §2.7 (py-clob-client-v2
// tests/order_utils/test_exchange_order_builder_v2.py): maker and signer
// vary per test.
func v2Order(t testing.TB, maker, signer common.Address, typ order.SignatureType) *order.OrderV2 {
	return &order.OrderV2{
		Salt:          big10(t, "479249096354"),
		Maker:         maker,
		Signer:        signer,
		TokenID:       big10(t, "1234"),
		MakerAmount:   big10(t, "100000000"),
		TakerAmount:   big10(t, "50000000"),
		Side:          order.Buy,
		SignatureType: typ,
		Timestamp:     big10(t, "1710000000000"),
		Expiration:    big.NewInt(0),
	}
}

// TestV2EOAVectors: the four V2 EOA rows of platform-facts §2.7 (derived
// there and cross-checked with go-ethereum apitypes).
func TestV2EOAVectors(t *testing.T) {
	t.Parallel()
	const structHash = "0xf6bf4212bfca4d6679afc2c54a54d814a91a6c7905de5ed193fe44f329c239f0"
	tests := []struct {
		chain              int64
		negRisk            bool
		domain, digest, sg string
	}{
		{80002, false, "0xa440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148",
			"0x962c97b18bea292cc94b9479272aa74fb59a905e84a621a40eb339131e9fb6ba",
			"0x518472f1b081f6bd713d638bb11d1bf0720ed577e93c52eb00ec9f5f325f7d510c65cbfdfe9130de2602185f4a500863d777d8b838cb28abc75ecc1b5330315d1c"},
		{80002, true, "0x1468e39841f0a0e05d3762b235cb7acecabf8cd7b6d3a672965a5d415bf9378e",
			"0xde77d067d3067ed5b48bb9b27b963fa4f377ee1ae8725791f133e70dae6ce183",
			"0x661efce33ffabbc517ef77ef58ec5fe7ebc38f372dc3213430c3033faa5870a33b0d0e4c3f9626291925573b7b708cc6eb646b06ae0a10e728d90e14edf461d41b"},
		{137, false, "0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2",
			"0x10124949f84e9f7438c88d02bfd546ceb27ed6eb1fdb0175137af535b6e2513d",
			"0x42c7b4857d51e344045fcfde17b37cf1290d784471ffe618c22aa56ea5ddcf0009015b87ffb299813f5597e86d4ad56f40d634558d915edb719e6fc71dbc0d891c"},
		{137, true, "0x9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81a",
			"0x9c2976657c4b229cc8e467a32ce9e3281ef40a70aee31cdc4619ebf51e4a7274",
			"0x79d82a92bd020329c6b9afad40b742c8cfaebdd992219b57e4282b6cfd53a66f2c97471d3297fa001f3eac2ead5f709c6e266893f19cef37633511420542a63b1b"},
	}
	for _, tt := range tests {
		ex, err := order.ExchangeFor(tt.chain, 2, tt.negRisk)
		if err != nil {
			t.Fatal(err)
		}
		me := common.HexToAddress(key0Addr)
		o := v2Order(t, me, me, order.EOA)
		if got := hex32(o.StructHash()); got != structHash {
			t.Errorf("%d/%t struct hash = %s, want %s", tt.chain, tt.negRisk, got, structHash)
		}
		if got := hex32(order.DomainSeparator(order.ExchangeDomainName, "2", tt.chain, &ex)); got != tt.domain {
			t.Errorf("%d/%t domain = %s, want %s", tt.chain, tt.negRisk, got, tt.domain)
		}
		if got := hex32(o.Hash(tt.chain, ex, 2)); got != tt.digest {
			t.Errorf("%d/%t digest = %s, want %s", tt.chain, tt.negRisk, got, tt.digest)
		}
		sig, err := order.SignV2(key0(t), o, tt.chain, ex, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := hexB(sig); got != tt.sg {
			t.Errorf("%d/%t signature = %s, want %s", tt.chain, tt.negRisk, got, tt.sg)
		}
		if err := order.VerifyV2(o, sig, tt.chain, ex, 2); err != nil {
			t.Errorf("%d/%t VerifyV2: %v", tt.chain, tt.negRisk, err)
		}
	}
}

// expectedPoly1271 is EXPECTED_POLY_1271_SIGNATURE of py-clob-client-v2
// tests/order_utils/test_exchange_order_builder_v2.py (commit b0a97fac…).
const expectedPoly1271 = "0xa3a093c83b6c20c83355c16ce94c92e6e9fcbdeb840618cc74f6c57a42ad145b" +
	"2b98db73d2c73cbf1f2b6af288566ae81960ddbc3a13921027358a8bff3be6ff1c" +
	"a440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148" +
	"d23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd83804" +
	"4f726465722875696e743235362073616c742c61646472657373206d616b65722c" +
	"61646472657373207369676e65722c75696e7432353620746f6b656e49642c75" +
	"696e74323536206d616b6572416d6f756e742c75696e743235362074616b6572" +
	"416d6f756e742c75696e743820736964652c75696e7438207369676e61747572" +
	"65547970652c75696e743235362074696d657374616d702c6279746573333220" +
	"6d657461646174612c62797465733332206275696c6465722900ba"

// TestV2Poly1271Upstream: the POLY_1271 vector of py-clob-client-v2
// (platform-facts §2.7): deposit wallet 0x1111…1111 as maker and signer,
// Amoy, exchange_v2, key #0 as the wallet owner.
func TestV2Poly1271Upstream(t *testing.T) {
	t.Parallel()
	wallet := common.HexToAddress("0x1111111111111111111111111111111111111111")
	ex := common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	o := v2Order(t, wallet, wallet, order.Poly1271)

	if got, want := len(order.OrderV2Type), 186; got != want || want != 0xba {
		t.Errorf("len(OrderV2Type) = %d, want 186 = 0xba", got)
	}
	if got, want := hex32(o.StructHash()), "0xd23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd83804"; got != want {
		t.Errorf("struct hash = %s, want %s", got, want)
	}
	// signed.order_hash in test_build_signed_order_poly_1271_matches_expected_signature.
	if got, want := hex32(o.Hash(order.ChainAmoy, ex, 2)), "0x2afca94626db91b2d556c351584a4cd93e13da32e377dc48c7983e43afa5ab47"; got != want {
		t.Errorf("order hash = %s, want %s", got, want)
	}
	sig, err := order.SignPoly1271(key0(t), o, order.ChainAmoy, ex, wallet)
	if err != nil {
		t.Fatal(err)
	}
	if got := hexB(sig); got != expectedPoly1271 {
		t.Errorf("envelope =\n%s\nwant\n%s", got, expectedPoly1271)
	}
	// The envelope's parts as platform-facts lists them.
	wantType := "0x" + hex.EncodeToString([]byte(order.OrderV2Type)) + "00ba"
	if got := hexB(sig[65+64:]); got != wantType {
		t.Errorf("type part = %s, want %s", got, wantType)
	}
	owner, err := order.VerifyPoly1271(o, sig, order.ChainAmoy, ex, wallet)
	if err != nil || owner.Hex() != key0Addr {
		t.Errorf("VerifyPoly1271 = %s, %v; want %s", owner.Hex(), err, key0Addr)
	}
	// VerifyV2 refuses type 3: the owner check belongs to the caller.
	if err := order.VerifyV2(o, sig, order.ChainAmoy, ex, 2); !errors.Is(err, order.ErrInvalidOrder) {
		t.Errorf("VerifyV2(POLY_1271) err = %v, want ErrInvalidOrder", err)
	}
}

func TestPoly1271Rejects(t *testing.T) {
	t.Parallel()
	wallet := common.HexToAddress("0x1111111111111111111111111111111111111111")
	ex := common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	o := v2Order(t, wallet, wallet, order.Poly1271)
	sig, err := order.SignPoly1271(key0(t), o, order.ChainAmoy, ex, wallet)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(i int) []byte {
		b := append([]byte(nil), sig...)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name   string
		o      *order.OrderV2
		sig    []byte
		chain  int64
		ex     common.Address
		wallet common.Address
		want   error
	}{
		{"inner signature", o, mutate(10), order.ChainAmoy, ex, wallet, nil}, // recovers to someone else
		{"app domain", o, mutate(70), order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"contents hash", o, mutate(100), order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"type string", o, mutate(200), order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"length field", o, mutate(len(sig) - 1), order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"truncated", o, sig[:len(sig)-1], order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"other chain", o, sig, order.ChainPolygon, ex, wallet, order.ErrBadSignature},
		{"other exchange", o, sig, order.ChainAmoy, common.HexToAddress("0xe2222d279d744050d28e00520010520000310F59"), wallet, order.ErrBadSignature},
		{"other wallet", o, sig, order.ChainAmoy, ex, common.HexToAddress(key0Addr), order.ErrSignerMismatch},
		{"other amount", func() *order.OrderV2 { c := *o; c.MakerAmount = big.NewInt(1); return &c }(), sig, order.ChainAmoy, ex, wallet, order.ErrBadSignature},
		{"type EOA", func() *order.OrderV2 { c := *o; c.SignatureType = order.EOA; return &c }(), sig, order.ChainAmoy, ex, wallet, order.ErrInvalidOrder},
	}
	for _, tt := range tests {
		owner, err := order.VerifyPoly1271(tt.o, tt.sig, tt.chain, tt.ex, tt.wallet)
		if tt.want == nil {
			if err == nil && owner.Hex() == key0Addr {
				t.Errorf("%s: still verifies as %s", tt.name, owner.Hex())
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// Version 3 uses domain version "3": a V2 envelope does not verify there.
	if _, err := order.VerifyPoly1271Version(o, sig, order.ChainAmoy, ex, wallet, 3); !errors.Is(err, order.ErrBadSignature) {
		t.Errorf("V2 envelope under version 3: err = %v, want ErrBadSignature", err)
	}
	sig3, err := order.SignPoly1271Version(key0(t), o, order.ChainAmoy, ex, wallet, 3)
	if err != nil {
		t.Fatal(err)
	}
	if owner, err := order.VerifyPoly1271Version(o, sig3, order.ChainAmoy, ex, wallet, 3); err != nil || owner.Hex() != key0Addr {
		t.Errorf("version 3 round trip = %s, %v", owner.Hex(), err)
	}
}

// TestVerifyV2Rejects: changing any one signed field, the chain, the
// exchange or the domain version makes a valid signature fail.
func TestVerifyV2Rejects(t *testing.T) {
	t.Parallel()
	// A Safe order, so that maker and signer can each change alone.
	me := common.HexToAddress(key0Addr)
	safe := common.HexToAddress("0x3333333333333333333333333333333333333333")
	ex := common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	base := v2Order(t, safe, me, order.PolyGnosisSafe)
	sig, err := order.SignV2(key0(t), base, order.ChainPolygon, ex, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := order.VerifyV2(base, sig, order.ChainPolygon, ex, 2); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	other := common.HexToAddress("0x2222222222222222222222222222222222222222")
	fields := []struct {
		name string
		edit func(o *order.OrderV2)
	}{
		{"salt", func(o *order.OrderV2) { o.Salt = big.NewInt(479249096355) }},
		{"maker", func(o *order.OrderV2) { o.Maker = other }},
		{"signer", func(o *order.OrderV2) { o.Signer = other }},
		{"tokenId", func(o *order.OrderV2) { o.TokenID = big.NewInt(1235) }},
		{"makerAmount", func(o *order.OrderV2) { o.MakerAmount = big.NewInt(100000001) }},
		{"takerAmount", func(o *order.OrderV2) { o.TakerAmount = big.NewInt(50000001) }},
		{"side", func(o *order.OrderV2) { o.Side = order.Sell }},
		{"signatureType", func(o *order.OrderV2) { o.SignatureType = order.PolyProxy }},
		{"timestamp", func(o *order.OrderV2) { o.Timestamp = big.NewInt(1710000000001) }},
		{"metadata", func(o *order.OrderV2) { o.Metadata[31] = 1 }},
		{"builder", func(o *order.OrderV2) { o.Builder[0] = 1 }},
	}
	for _, f := range fields {
		o := *base
		f.edit(&o)
		if err := order.VerifyV2(&o, sig, order.ChainPolygon, ex, 2); !errors.Is(err, order.ErrSignerMismatch) {
			t.Errorf("changed %s: err = %v, want ErrSignerMismatch", f.name, err)
		}
	}
	// Expiration is not signed in V2: changing it keeps the signature valid.
	o := *base
	o.Expiration = big.NewInt(1_900_000_000)
	if err := order.VerifyV2(&o, sig, order.ChainPolygon, ex, 2); err != nil {
		t.Errorf("changed expiration: %v (V2 does not sign it)", err)
	}
	if err := order.VerifyV2(base, sig, order.ChainAmoy, ex, 2); !errors.Is(err, order.ErrSignerMismatch) {
		t.Errorf("other chain: err = %v", err)
	}
	negRisk, _ := order.ExchangeFor(order.ChainPolygon, 2, true)
	if err := order.VerifyV2(base, sig, order.ChainPolygon, negRisk, 2); !errors.Is(err, order.ErrSignerMismatch) {
		t.Errorf("other exchange: err = %v", err)
	}
	if err := order.VerifyV2(base, sig, order.ChainPolygon, ex, 3); !errors.Is(err, order.ErrSignerMismatch) {
		t.Errorf("version 3 domain: err = %v", err)
	}
	if err := order.VerifyV2(base, sig, order.ChainPolygon, ex, 1); !errors.Is(err, order.ErrVersion) {
		t.Errorf("version 1: err = %v, want ErrVersion", err)
	}

	// A signature over the domain with version "1" (a V1-style domain over
	// the V2 struct) must not pass V2 verification.
	v1Digest := order.Digest(order.DomainSeparator(order.ExchangeDomainName, "1", order.ChainPolygon, &ex), base.StructHash())
	if got, want := v1Digest, base.Hash(order.ChainPolygon, ex, 1); got != want {
		t.Fatalf("Hash(version 1) = %x, want %x", got, want)
	}
	sig1, err := order.SignDigest(key0(t), v1Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := order.VerifyV2(base, sig1, order.ChainPolygon, ex, 2); !errors.Is(err, order.ErrSignerMismatch) {
		t.Errorf("domain version 1 signature: err = %v, want ErrSignerMismatch", err)
	}

	// Signature encodings.
	v01 := append([]byte(nil), sig...)
	v01[64] -= 27
	if err := order.VerifyV2(base, v01, order.ChainPolygon, ex, 2); err != nil {
		t.Errorf("v in {0,1}: %v", err)
	}
	for name, bad := range map[string][]byte{
		"empty":   nil,
		"64":      sig[:64],
		"66":      append(append([]byte(nil), sig...), 0),
		"v=29":    append(append([]byte(nil), sig[:64]...), 29),
		"v=2":     append(append([]byte(nil), sig[:64]...), 2),
		"high s":  highS(sig),
		"zero r":  append(make([]byte, 32), sig[32:]...),
		"zero rs": append(make([]byte, 64), 27),
	} {
		if err := order.VerifyV2(base, bad, order.ChainPolygon, ex, 2); !errors.Is(err, order.ErrBadSignature) {
			t.Errorf("%s signature: err = %v, want ErrBadSignature", name, err)
		}
	}
}

// highS returns the malleable twin (r, n-s, v^1) of a signature, which
// recovers to the same key but which the exchanges refuse.
func highS(sig []byte) []byte {
	n, _ := new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	s := new(big.Int).SetBytes(sig[32:64])
	out := append([]byte(nil), sig...)
	new(big.Int).Sub(n, s).FillBytes(out[32:64])
	out[64] = 27 + (1 - (sig[64] - 27))
	return out
}

func TestSignV2Rejects(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	other := common.HexToAddress("0x2222222222222222222222222222222222222222")
	ex := common.HexToAddress("0xE111180000d2663C0091e4f400237545B87B996B")
	huge := new(big.Int).Lsh(big.NewInt(1), 256)
	tests := []struct {
		name    string
		edit    func(o *order.OrderV2)
		version int
		want    error
	}{
		{"ok", func(o *order.OrderV2) {}, 2, nil},
		{"ok proxy", func(o *order.OrderV2) { o.Maker = other; o.SignatureType = order.PolyProxy }, 2, nil},
		{"ok v3", func(o *order.OrderV2) {}, 3, nil},
		{"version 1", func(o *order.OrderV2) {}, 1, order.ErrVersion},
		{"not my order", func(o *order.OrderV2) { o.Signer = other; o.Maker = other }, 2, order.ErrSignerMismatch},
		{"EOA maker != signer", func(o *order.OrderV2) { o.Maker = other }, 2, order.ErrSignerMismatch},
		{"poly1271 via SignV2", func(o *order.OrderV2) { o.SignatureType = order.Poly1271 }, 2, order.ErrInvalidOrder},
		{"nil salt", func(o *order.OrderV2) { o.Salt = nil }, 2, order.ErrInvalidOrder},
		{"salt > uint64", func(o *order.OrderV2) { o.Salt = new(big.Int).Lsh(big.NewInt(1), 64) }, 2, order.ErrInvalidOrder},
		{"nil amount", func(o *order.OrderV2) { o.MakerAmount = nil }, 2, order.ErrInvalidOrder},
		{"negative amount", func(o *order.OrderV2) { o.TakerAmount = big.NewInt(-1) }, 2, order.ErrInvalidOrder},
		{"tokenId 2^256", func(o *order.OrderV2) { o.TokenID = huge }, 2, order.ErrInvalidOrder},
		{"bad side", func(o *order.OrderV2) { o.Side = 2 }, 2, order.ErrInvalidOrder},
		{"bad type", func(o *order.OrderV2) { o.SignatureType = 4 }, 2, order.ErrInvalidOrder},
	}
	for _, tt := range tests {
		o := v2Order(t, me, me, order.EOA)
		tt.edit(o)
		_, err := order.SignV2(key0(t), o, order.ChainPolygon, ex, tt.version)
		if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// Hashing never panics on invalid orders.
	bad := &order.OrderV2{TokenID: huge, MakerAmount: big.NewInt(-5)}
	_ = bad.Hash(order.ChainPolygon, ex, 2)
}

// TestExchangeFor checks every known exchange, and that each address
// constant is typed right: its EIP-55 spelling must equal the one quoted in
// platform-facts.
func TestExchangeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		chain   int64
		version int
		negRisk bool
		want    string // "" = error
	}{
		{137, 2, false, "0xE111180000d2663C0091e4f400237545B87B996B"},
		{137, 2, true, "0xe2222d279d744050d28e00520010520000310F59"},
		{80002, 2, false, "0xE111180000d2663C0091e4f400237545B87B996B"},
		{80002, 2, true, "0xe2222d279d744050d28e00520010520000310F59"},
		{137, 1, false, "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E"},
		{137, 1, true, "0xC5d563A36AE78145C45a50134d48A1215220f80a"},
		{80002, 1, false, "0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40"},
		{80002, 1, true, "0xC5d563A36AE78145C45a50134d48A1215220f80a"},
		{137, 3, false, "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa"},
		{137, 3, true, ""},
		{80002, 3, false, ""},
		{1, 2, false, ""},
		{137, 4, false, ""},
		{137, 0, false, ""},
	}
	for _, tt := range tests {
		got, err := order.ExchangeFor(tt.chain, tt.version, tt.negRisk)
		if tt.want == "" {
			if !errors.Is(err, order.ErrUnknownExchange) {
				t.Errorf("ExchangeFor(%d, %d, %t) = %s, %v; want ErrUnknownExchange", tt.chain, tt.version, tt.negRisk, got.Hex(), err)
			}
			continue
		}
		if err != nil || got.Hex() != tt.want {
			t.Errorf("ExchangeFor(%d, %d, %t) = %s, %v; want %s", tt.chain, tt.version, tt.negRisk, got.Hex(), err, tt.want)
		}
		ex, err := order.NewExchange(tt.chain, tt.version, tt.negRisk)
		if err != nil || ex != (order.Exchange{Address: got, NegRisk: tt.negRisk, Version: tt.version}) {
			t.Errorf("NewExchange(%d, %d, %t) = %+v, %v", tt.chain, tt.version, tt.negRisk, ex, err)
		}
	}
}

func TestSideAndTypeStrings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    string
		want order.Side
	}{{"BUY", order.Buy}, {"SELL", order.Sell}} {
		got, err := order.ParseSide(tt.s)
		if err != nil || got != tt.want || got.String() != tt.s {
			t.Errorf("ParseSide(%q) = %v, %v", tt.s, got, err)
		}
	}
	for _, s := range []string{"buy", "Sell", "", "0", "BID"} {
		if _, err := order.ParseSide(s); err == nil {
			t.Errorf("ParseSide(%q) accepted", s)
		}
	}
	if got := order.Side(7).String(); !strings.Contains(got, "7") {
		t.Errorf("Side(7).String() = %q", got)
	}
	for typ, want := range map[order.SignatureType]string{order.EOA: "EOA", order.PolyProxy: "POLY_PROXY", order.PolyGnosisSafe: "POLY_GNOSIS_SAFE", order.Poly1271: "POLY_1271"} {
		if typ.String() != want || !typ.Valid() {
			t.Errorf("%d: %q valid=%t", typ, typ.String(), typ.Valid())
		}
	}
	if order.SignatureType(4).Valid() {
		t.Error("SignatureType(4) is valid")
	}
}

// TestHashMatchesDomainSeparator: Hash memoises domain separators; past the
// cache bound (and for every version) it must still equal the plain formula.
func TestHashMatchesDomainSeparator(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	o := v2Order(t, me, me, order.EOA)
	for i := range 100 {
		ex := common.BigToAddress(big.NewInt(int64(i)))
		for _, version := range []int{1, 2, 3} {
			for range 2 { // second call hits the cache
				want := order.Digest(order.DomainSeparator(order.ExchangeDomainName, big.NewInt(int64(version)).String(), order.ChainPolygon, &ex), o.StructHash())
				if got := o.Hash(order.ChainPolygon, ex, version); got != want {
					t.Fatalf("exchange %s version %d: Hash = %x, want %x", ex.Hex(), version, got, want)
				}
			}
		}
	}
}
