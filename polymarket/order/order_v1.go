package order

import (
	"crypto/ecdsa"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// OrderV1Type is the EIP-712 type of a legacy V1 order (go-order-utils
// pkg/builder/constants.go). Production has rejected V1 orders since
// 2026-04-28; V1 stays here because its upstream vectors pin down the shared
// EIP-712 code.
const OrderV1Type = "Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,uint8 signatureType)"

var orderV1TypeHash = crypto.Keccak256Hash([]byte(OrderV1Type))

// OrderV1 is a legacy CLOB V1 order; every field is signed.
type OrderV1 struct {
	Salt          *big.Int
	Maker         common.Address
	Signer        common.Address
	Taker         common.Address // zero for a public order
	TokenID       *big.Int
	MakerAmount   *big.Int
	TakerAmount   *big.Int
	Expiration    *big.Int
	Nonce         *big.Int
	FeeRateBps    *big.Int
	Side          Side
	SignatureType SignatureType
}

// StructHash returns hashStruct(Order) for the V1 type; nil numbers hash as zero.
func (o *OrderV1) StructHash() [32]byte {
	var e encoder
	e.word(orderV1TypeHash)
	e.uint256(o.Salt)
	e.address(o.Maker)
	e.address(o.Signer)
	e.address(o.Taker)
	e.uint256(o.TokenID)
	e.uint256(o.MakerAmount)
	e.uint256(o.TakerAmount)
	e.uint256(o.Expiration)
	e.uint256(o.Nonce)
	e.uint256(o.FeeRateBps)
	e.uint64(uint64(o.Side))
	e.uint64(uint64(o.SignatureType))
	return e.hash()
}

// Hash returns the V1 EIP-712 digest (domain version "1").
func (o *OrderV1) Hash(chainID int64, exchange common.Address) [32]byte {
	return Digest(DomainSeparator(ExchangeDomainName, "1", chainID, &exchange), o.StructHash())
}

// Sign signs the V1 digest and returns r‖s‖v with v = 27/28.
func (o *OrderV1) Sign(key *ecdsa.PrivateKey, chainID int64, exchange common.Address) ([]byte, error) {
	return SignDigest(key, o.Hash(chainID, exchange))
}
