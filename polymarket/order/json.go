package order

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// OrderType is the time-in-force of POST /order.
type OrderType string

// Order types the CLOB accepts.
const (
	GTC OrderType = "GTC" // good till cancelled
	GTD OrderType = "GTD" // good till OrderV2.Expiration (Unix seconds, with a one-minute venue margin)
	FOK OrderType = "FOK" // fill entirely at once or cancel
	FAK OrderType = "FAK" // fill what can be filled at once, cancel the rest
)

// Valid reports whether t is one of GTC, GTD, FOK, FAK.
func (t OrderType) Valid() bool {
	switch t {
	case GTC, GTD, FOK, FAK:
		return true
	}
	return false
}

// PostOnlyAllowed reports whether postOnly may be set for t: only resting
// orders (GTC, GTD) can be post-only (platform-facts §2.3).
func PostOnlyAllowed(t OrderType) bool { return t == GTC || t == GTD }

// OrderJSON is the "order" object of POST /order for V2, field for field as
// py-clob-client-v2 order_to_json_v2 writes it: salt and signatureType are
// JSON numbers, every other number is a decimal string.
type OrderJSON struct {
	Salt          uint64 `json:"salt"`
	Maker         string `json:"maker"`
	Signer        string `json:"signer"`
	TokenID       string `json:"tokenId"`
	MakerAmount   string `json:"makerAmount"`
	TakerAmount   string `json:"takerAmount"`
	Side          string `json:"side"` // "BUY" or "SELL"
	Expiration    string `json:"expiration"`
	SignatureType int    `json:"signatureType"`
	Timestamp     string `json:"timestamp"` // Unix milliseconds
	Metadata      string `json:"metadata"`  // 0x + 64 hex
	Builder       string `json:"builder"`   // 0x + 64 hex
	Signature     string `json:"signature"` // 0x + hex
}

// PostOrder is the body of POST /order (and one element of POST /orders).
type PostOrder struct {
	Order     OrderJSON `json:"order"`
	Owner     string    `json:"owner"` // the API key (uuid) of the poster
	OrderType string    `json:"orderType"`
	DeferExec bool      `json:"deferExec"`
	PostOnly  *bool     `json:"postOnly,omitempty"`
}

// NewPostOrder builds a POST /order body, refusing an unknown order type and
// postOnly on a type that cannot rest on the book.
func NewPostOrder(o *OrderV2, sig []byte, owner string, t OrderType, postOnly bool) (PostOrder, error) {
	if !t.Valid() {
		return PostOrder{}, fmt.Errorf("%w: order type %q", ErrInvalidOrder, t)
	}
	if postOnly && !PostOnlyAllowed(t) {
		return PostOrder{}, fmt.Errorf("%w: postOnly is only allowed with GTC or GTD, not %s", ErrInvalidOrder, t)
	}
	if err := o.Validate(); err != nil {
		return PostOrder{}, err
	}
	p := PostOrder{Order: ToJSON(o, sig), Owner: owner, OrderType: string(t)}
	if PostOnlyAllowed(t) {
		p.PostOnly = &postOnly
	}
	return p, nil
}

// ToJSON renders a signed order for the wire. Call it on a Validated order:
// a salt above 2^64-1 would not survive, and a nil Expiration is sent as "0".
func ToJSON(o *OrderV2, sig []byte) OrderJSON {
	return OrderJSON{
		Salt:          bigUint64(o.Salt),
		Maker:         o.Maker.Hex(),
		Signer:        o.Signer.Hex(),
		TokenID:       bigString(o.TokenID),
		MakerAmount:   bigString(o.MakerAmount),
		TakerAmount:   bigString(o.TakerAmount),
		Side:          o.Side.String(),
		Expiration:    bigString(o.Expiration),
		SignatureType: int(o.SignatureType),
		Timestamp:     bigString(o.Timestamp),
		Metadata:      "0x" + hex.EncodeToString(o.Metadata[:]),
		Builder:       "0x" + hex.EncodeToString(o.Builder[:]),
		Signature:     "0x" + hex.EncodeToString(sig),
	}
}

func bigString(x *big.Int) string {
	if x == nil {
		return "0"
	}
	return x.String()
}

func bigUint64(x *big.Int) uint64 {
	if x == nil || !x.IsUint64() {
		return 0
	}
	return x.Uint64()
}

// FromJSON parses a wire order strictly, as the venue simulator must: bad
// hex, non-decimal or out-of-range numbers, an unknown side or signature
// type are errors. It never panics. The order is not verified here.
func FromJSON(j OrderJSON) (*OrderV2, []byte, error) {
	var o OrderV2
	var err error
	o.Salt = new(big.Int).SetUint64(j.Salt)
	if o.Maker, err = parseAddress("maker", j.Maker); err != nil {
		return nil, nil, err
	}
	if o.Signer, err = parseAddress("signer", j.Signer); err != nil {
		return nil, nil, err
	}
	for _, f := range []struct {
		name string
		s    string
		dst  **big.Int
	}{
		{"tokenId", j.TokenID, &o.TokenID},
		{"makerAmount", j.MakerAmount, &o.MakerAmount},
		{"takerAmount", j.TakerAmount, &o.TakerAmount},
		{"expiration", j.Expiration, &o.Expiration},
		{"timestamp", j.Timestamp, &o.Timestamp},
	} {
		if *f.dst, err = parseUint256(f.name, f.s); err != nil {
			return nil, nil, err
		}
	}
	if o.Side, err = ParseSide(j.Side); err != nil {
		return nil, nil, err
	}
	if j.SignatureType < 0 || j.SignatureType > int(Poly1271) {
		return nil, nil, fmt.Errorf("%w: signatureType %d", ErrInvalidOrder, j.SignatureType)
	}
	o.SignatureType = SignatureType(j.SignatureType)
	if o.Metadata, err = parseBytes32("metadata", j.Metadata); err != nil {
		return nil, nil, err
	}
	if o.Builder, err = parseBytes32("builder", j.Builder); err != nil {
		return nil, nil, err
	}
	sig, err := parseHex("signature", j.Signature)
	if err != nil {
		return nil, nil, err
	}
	if len(sig) == 0 {
		return nil, nil, fmt.Errorf("%w: signature is empty", ErrInvalidOrder)
	}
	return &o, sig, nil
}

// parseHex decodes "0x"-prefixed hex of even length (either case).
func parseHex(name, s string) ([]byte, error) {
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		h, ok = strings.CutPrefix(s, "0X")
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s must start with 0x", ErrInvalidOrder, name)
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hex", ErrInvalidOrder, name)
	}
	return b, nil
}

// parseAddress accepts 0x + 40 hex digits in any case. Mixed case is not
// checked against EIP-55: the venue compares addresses, not spellings.
func parseAddress(name, s string) (common.Address, error) {
	b, err := parseHex(name, s)
	if err != nil {
		return common.Address{}, err
	}
	if len(b) != common.AddressLength {
		return common.Address{}, fmt.Errorf("%w: %s is %d bytes, want 20", ErrInvalidOrder, name, len(b))
	}
	return common.BytesToAddress(b), nil
}

func parseBytes32(name, s string) ([32]byte, error) {
	var out [32]byte
	b, err := parseHex(name, s)
	if err != nil {
		return out, err
	}
	if len(b) != 32 {
		return out, fmt.Errorf("%w: %s is %d bytes, want 32", ErrInvalidOrder, name, len(b))
	}
	copy(out[:], b)
	return out, nil
}

// parseUint256 accepts only ASCII decimal digits (no sign, space, "0x" or
// exponent) and values below 2^256.
func parseUint256(name, s string) (*big.Int, error) {
	if s == "" || len(s) > 78 { // 2^256-1 has 78 digits
		return nil, fmt.Errorf("%w: %s %q is not a uint256", ErrInvalidOrder, name, truncate(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, fmt.Errorf("%w: %s %q is not a decimal number", ErrInvalidOrder, name, truncate(s))
		}
	}
	x, ok := new(big.Int).SetString(s, 10)
	if !ok || x.BitLen() > 256 {
		return nil, fmt.Errorf("%w: %s %q is not a uint256", ErrInvalidOrder, name, truncate(s))
	}
	return x, nil
}

// truncate bounds attacker-supplied text quoted in an error.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// maxJSONSafe is 2^53, the first integer a JavaScript number cannot tell
// from its neighbour.
var maxJSONSafe = new(big.Int).Lsh(big.NewInt(1), 53)

// NewSalt returns a uniformly random salt in [1, 2^53) from crypto/rand, so
// it is exact as a JSON number in every client and distinct per order (two
// identical orders with equal salts would hash the same).
func NewSalt() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Sub(maxJSONSafe, big.NewInt(1)))
	if err != nil {
		// crypto/rand does not fail on supported platforms (Go ≥1.24 crashes instead).
		panic("order: crypto/rand: " + err.Error())
	}
	return n.Add(n, big.NewInt(1))
}
