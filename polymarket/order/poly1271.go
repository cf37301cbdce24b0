package order

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// POLY_1271 (deposit wallet) signatures follow ERC-7739's nested
// TypedDataSign scheme as Solady implements it: the wallet owner signs
//
//	0x1901 ‖ appDomainSeparator ‖ hashStruct(TypedDataSign(contents, wallet domain))
//
// and the order carries innerSig ‖ appDomainSeparator ‖ contentsHash ‖
// contentsType ‖ uint16BE(len(contentsType)) so the wallet's isValidSignature
// can rebuild the digest (py-clob-client-v2 exchange_order_builder_v2.py
// _build_poly_1271_order_signature).
const (
	// TypedDataSignType is the ERC-7739 wrapper type with the order type appended.
	TypedDataSignType = "TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)" + OrderV2Type
	// DepositWalletDomainName and DepositWalletDomainVersion name the
	// deposit wallet's own EIP-712 domain (its salt is zero).
	DepositWalletDomainName    = "DepositWallet"
	DepositWalletDomainVersion = "1"
)

var (
	typedDataSignTypeHash = crypto.Keccak256Hash([]byte(TypedDataSignType))
	depositWalletNameHash = crypto.Keccak256Hash([]byte(DepositWalletDomainName))
	depositWalletVerHash  = crypto.Keccak256Hash([]byte(DepositWalletDomainVersion))
)

// poly1271EnvelopeLen is 65 (inner signature) + 32 + 32 + the type + 2.
const poly1271EnvelopeLen = 65 + 32 + 32 + len(OrderV2Type) + 2

// poly1271Digest is the digest the deposit wallet's owner signs.
func poly1271Digest(appDomain, contents [32]byte, chainID int64, wallet common.Address) [32]byte {
	var e encoder
	e.word(typedDataSignTypeHash)
	e.word(contents)
	e.word(depositWalletNameHash)
	e.word(depositWalletVerHash)
	e.int64(chainID)
	e.address(wallet)
	e.word([32]byte{}) // salt 0
	return Digest(appDomain, e.hash())
}

func checkPoly1271Order(o *OrderV2, wallet common.Address) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.SignatureType != Poly1271 {
		return fmt.Errorf("%w: signature type is %s, want POLY_1271", ErrInvalidOrder, o.SignatureType)
	}
	// The deposit-wallet flow has maker = signer = the wallet (docs
	// trading/deposit-wallets); the envelope binds the wallet as the
	// verifyingContract of its domain.
	if o.Signer != wallet || o.Maker != wallet {
		return fmt.Errorf("%w: POLY_1271 needs maker = signer = wallet %s", ErrSignerMismatch, wallet.Hex())
	}
	return nil
}

// SignPoly1271 signs a POLY_1271 order for the V2 exchange with the deposit
// wallet owner's key and returns the ERC-7739 envelope. o.Maker and o.Signer
// must both be the wallet.
func SignPoly1271(key *ecdsa.PrivateKey, o *OrderV2, chainID int64, exchange, wallet common.Address) ([]byte, error) {
	return SignPoly1271Version(key, o, chainID, exchange, wallet, 2)
}

// SignPoly1271Version is SignPoly1271 for an explicit exchange version (2 or
// 3), which sets the app domain's version string.
func SignPoly1271Version(key *ecdsa.PrivateKey, o *OrderV2, chainID int64, exchange, wallet common.Address, version int) ([]byte, error) {
	if err := checkV2Version(version); err != nil {
		return nil, err
	}
	if err := checkPoly1271Order(o, wallet); err != nil {
		return nil, err
	}
	app := exchangeDomain(chainID, exchange, version)
	contents := o.StructHash()
	inner, err := SignDigest(key, poly1271Digest(app, contents, chainID, wallet))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, poly1271EnvelopeLen)
	out = append(out, inner...)
	out = append(out, app[:]...)
	out = append(out, contents[:]...)
	out = append(out, OrderV2Type...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(OrderV2Type)))
	return out, nil
}

// VerifyPoly1271 checks a POLY_1271 envelope for the V2 exchange the way the
// deposit wallet would and returns the owner key that signed it. The caller
// must still check that owner controls wallet (the venue asks the wallet
// contract); a valid envelope from a stranger's key is otherwise well formed.
func VerifyPoly1271(o *OrderV2, sig []byte, chainID int64, exchange, wallet common.Address) (common.Address, error) {
	return VerifyPoly1271Version(o, sig, chainID, exchange, wallet, 2)
}

// VerifyPoly1271Version is VerifyPoly1271 for an explicit exchange version.
func VerifyPoly1271Version(o *OrderV2, sig []byte, chainID int64, exchange, wallet common.Address, version int) (common.Address, error) {
	if err := checkV2Version(version); err != nil {
		return common.Address{}, err
	}
	if err := checkPoly1271Order(o, wallet); err != nil {
		return common.Address{}, err
	}
	if len(sig) != poly1271EnvelopeLen {
		return common.Address{}, fmt.Errorf("%w: POLY_1271 envelope is %d bytes, want %d", ErrBadSignature, len(sig), poly1271EnvelopeLen)
	}
	inner, rest := sig[:65], sig[65:]
	app := exchangeDomain(chainID, exchange, version)
	if !bytes.Equal(rest[:32], app[:]) {
		return common.Address{}, fmt.Errorf("%w: envelope is for another exchange domain", ErrBadSignature)
	}
	contents := o.StructHash()
	if !bytes.Equal(rest[32:64], contents[:]) {
		return common.Address{}, fmt.Errorf("%w: envelope is for another order", ErrBadSignature)
	}
	typ, n := rest[64:len(rest)-2], binary.BigEndian.Uint16(rest[len(rest)-2:])
	if int(n) != len(OrderV2Type) || string(typ) != OrderV2Type {
		return common.Address{}, fmt.Errorf("%w: envelope contents type is not the V2 Order", ErrBadSignature)
	}
	owner, err := RecoverSigner(poly1271Digest(app, contents, chainID, wallet), inner)
	if err != nil {
		return common.Address{}, err
	}
	return owner, nil
}
