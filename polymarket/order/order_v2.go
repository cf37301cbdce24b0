package order

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// OrderV2Type is the EIP-712 type of a V2 (and V3) order (clob-client-v2
// exchangeOrderBuilderV2.ts; py-clob-client-v2 ORDER_TYPE_STRING). It is
// also the "contents type" carried inside a POLY_1271 envelope.
const OrderV2Type = "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)"

var orderV2TypeHash = crypto.Keccak256Hash([]byte(OrderV2Type))

// maxSalt is the largest salt that still travels as a JSON number the
// clients' uint64 field can hold (NewSalt stays below 2^53 for JavaScript).
var maxSalt = new(big.Int).SetUint64(^uint64(0))

// OrderV2 is a CLOB V2 order. All fields but Expiration are signed.
type OrderV2 struct {
	Salt          *big.Int       // random, < 2^64 so it fits the JSON number (NewSalt)
	Maker         common.Address // funds holder: EOA, proxy, Safe or deposit wallet
	Signer        common.Address // key that signs (the deposit wallet itself for POLY_1271)
	TokenID       *big.Int       // CTF position id being bought or sold
	MakerAmount   *big.Int       // base units the maker gives
	TakerAmount   *big.Int       // base units the maker receives
	Side          Side
	SignatureType SignatureType
	Timestamp     *big.Int // creation time in Unix milliseconds
	Metadata      [32]byte
	Builder       [32]byte // builder attribution code (V2 replaces POLY_BUILDER_* headers)
	Expiration    *big.Int // Unix seconds for GTD, 0 otherwise; NOT signed in V2, sent in JSON
}

// Validate checks that every field can be encoded and sent: amounts and ids
// set and within uint256, salt within uint64, a known side and signature
// type. Signing and verification call it first.
func (o *OrderV2) Validate() error {
	if o == nil {
		return fmt.Errorf("%w: nil order", ErrInvalidOrder)
	}
	if err := checkUint256("salt", o.Salt); err != nil {
		return err
	}
	if o.Salt.Cmp(maxSalt) > 0 {
		return fmt.Errorf("%w: salt does not fit a uint64 JSON number", ErrInvalidOrder)
	}
	for _, f := range []struct {
		name string
		v    *big.Int
	}{{"tokenId", o.TokenID}, {"makerAmount", o.MakerAmount}, {"takerAmount", o.TakerAmount}, {"timestamp", o.Timestamp}} {
		if err := checkUint256(f.name, f.v); err != nil {
			return err
		}
	}
	if o.Expiration != nil {
		if err := checkUint256("expiration", o.Expiration); err != nil {
			return err
		}
	}
	if !o.Side.Valid() {
		return fmt.Errorf("%w: side %d", ErrInvalidOrder, o.Side)
	}
	if !o.SignatureType.Valid() {
		return fmt.Errorf("%w: signature type %d", ErrInvalidOrder, o.SignatureType)
	}
	return nil
}

// StructHash returns hashStruct(Order) for the V2 type. It never panics:
// missing numbers hash as zero; call Validate to reject them.
func (o *OrderV2) StructHash() [32]byte {
	var e encoder
	e.word(orderV2TypeHash)
	e.uint256(o.Salt)
	e.address(o.Maker)
	e.address(o.Signer)
	e.uint256(o.TokenID)
	e.uint256(o.MakerAmount)
	e.uint256(o.TakerAmount)
	e.uint64(uint64(o.Side))
	e.uint64(uint64(o.SignatureType))
	e.uint256(o.Timestamp)
	e.word(o.Metadata)
	e.word(o.Builder)
	return e.hash()
}

// Hash returns the EIP-712 digest of the order for an exchange: the domain
// is ("Polymarket CTF Exchange", strconv.Itoa(version), chainID, exchange).
// It is also the order hash the venue reports. version is 2 or 3 for real
// orders; any number is hashed so tests can build wrong-domain signatures.
func (o *OrderV2) Hash(chainID int64, exchange common.Address, version int) [32]byte {
	return Digest(exchangeDomain(chainID, exchange, version), o.StructHash())
}

type domainKey struct {
	chainID  int64
	exchange common.Address
	version  int
}

// domainCache memoises exchange domain separators: three of the five
// keccaks of an order digest are the domain's, and a bot signs against a
// handful of exchanges. It stops growing at maxCachedDomains so a caller
// passing arbitrary contracts cannot grow it without bound.
var (
	domainCache     sync.Map // domainKey → [32]byte
	domainCacheSize atomic.Int32
)

const maxCachedDomains = 64

func exchangeDomain(chainID int64, exchange common.Address, version int) [32]byte {
	k := domainKey{chainID, exchange, version}
	if v, ok := domainCache.Load(k); ok {
		return v.([32]byte)
	}
	d := DomainSeparator(ExchangeDomainName, strconv.Itoa(version), chainID, &exchange)
	if domainCacheSize.Load() < maxCachedDomains {
		if _, loaded := domainCache.LoadOrStore(k, d); !loaded {
			domainCacheSize.Add(1)
		}
	}
	return d
}

func checkV2Version(version int) error {
	if version != 2 && version != 3 {
		return fmt.Errorf("%w: %d (V2-type orders are versions 2 and 3)", ErrVersion, version)
	}
	return nil
}

// SignV2 signs an EOA, proxy or Safe order (types 0–2) and returns r‖s‖v
// with v = 27/28. The key must be o.Signer's, and an EOA order needs
// maker == signer, as the exchange checks; POLY_1271 orders go through
// SignPoly1271 instead because their signature is an envelope.
func SignV2(key *ecdsa.PrivateKey, o *OrderV2, chainID int64, exchange common.Address, version int) ([]byte, error) {
	if err := checkV2Version(version); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if key == nil {
		return nil, fmt.Errorf("order: nil private key")
	}
	if o.SignatureType == Poly1271 {
		return nil, fmt.Errorf("%w: POLY_1271 orders are signed with SignPoly1271", ErrInvalidOrder)
	}
	if a := crypto.PubkeyToAddress(key.PublicKey); a != o.Signer {
		return nil, fmt.Errorf("%w: key is %s, order signer is %s", ErrSignerMismatch, a.Hex(), o.Signer.Hex())
	}
	if o.SignatureType == EOA && o.Maker != o.Signer {
		return nil, fmt.Errorf("%w: EOA order needs maker == signer", ErrSignerMismatch)
	}
	return SignDigest(key, o.Hash(chainID, exchange, version))
}

// VerifyV2 checks the signature of an EOA, proxy or Safe order (types 0–2)
// as the exchange does: the digest must recover to o.Signer, and for EOA the
// maker must be the signer. It does not check that a proxy or Safe maker
// belongs to the signer (that needs the wallet factories). A POLY_1271 order
// returns an error: its owner is only known to the caller, so use
// VerifyPoly1271 and compare the returned owner.
func VerifyV2(o *OrderV2, sig []byte, chainID int64, exchange common.Address, version int) error {
	if err := checkV2Version(version); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if o.SignatureType == Poly1271 {
		return fmt.Errorf("%w: POLY_1271 orders are verified with VerifyPoly1271", ErrInvalidOrder)
	}
	if o.SignatureType == EOA && o.Maker != o.Signer {
		return fmt.Errorf("%w: EOA order needs maker == signer", ErrSignerMismatch)
	}
	got, err := RecoverSigner(o.Hash(chainID, exchange, version), sig)
	if err != nil {
		return err
	}
	if got != o.Signer {
		return fmt.Errorf("%w: signed by %s, order signer is %s", ErrSignerMismatch, got.Hex(), o.Signer.Hex())
	}
	return nil
}
