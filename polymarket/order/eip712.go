package order

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// EIP-712 type strings. Their keccak256 is the typehash the contracts use
// (platform-facts §2.5 lists the verified hashes).
const (
	// DomainType is the domain of the exchanges and deposit wallets' app domain.
	DomainType = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
	// DomainTypeNoContract is the ClobAuth domain, which has no contract.
	DomainTypeNoContract = "EIP712Domain(string name,string version,uint256 chainId)"
)

// Signature and verification errors.
var (
	// ErrInvalidOrder: a field is missing, negative, too large or unknown.
	ErrInvalidOrder = errors.New("invalid order")
	// ErrBadSignature: malformed, malleable (high s) or not recoverable.
	ErrBadSignature = errors.New("bad signature")
	// ErrSignerMismatch: the signature is valid but made by someone else
	// (or the order's maker/signer pairing is not allowed for its type).
	ErrSignerMismatch = errors.New("signer mismatch")
	// ErrVersion: an exchange version this package cannot sign for.
	ErrVersion = errors.New("unsupported exchange version")
)

var (
	domainTypeHash           = crypto.Keccak256Hash([]byte(DomainType))
	domainTypeHashNoContract = crypto.Keccak256Hash([]byte(DomainTypeNoContract))
	maxUint256               = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
)

// DomainSeparator returns the EIP-712 domain separator
// keccak256(typeHash ‖ keccak(name) ‖ keccak(version) ‖ chainId [‖ contract]).
// A nil verifyingContract selects the three-field domain that ClobAuth uses.
func DomainSeparator(name, version string, chainID int64, verifyingContract *common.Address) [32]byte {
	var e encoder
	if verifyingContract == nil {
		e.word(domainTypeHashNoContract)
	} else {
		e.word(domainTypeHash)
	}
	e.word(crypto.Keccak256Hash([]byte(name)))
	e.word(crypto.Keccak256Hash([]byte(version)))
	e.int64(chainID)
	if verifyingContract != nil {
		e.address(*verifyingContract)
	}
	return e.hash()
}

// Digest returns the EIP-712 signing digest
// keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash).
func Digest(domainSeparator, structHash [32]byte) [32]byte {
	var b [66]byte
	b[0], b[1] = 0x19, 0x01
	copy(b[2:], domainSeparator[:])
	copy(b[34:], structHash[:])
	return crypto.Keccak256Hash(b[:])
}

// SignDigest signs a 32-byte digest and returns r‖s‖v with v = 27/28, the
// form the exchange contracts and go-order-utils use. go-ethereum signs
// deterministically (RFC 6979) and always with a low s.
func SignDigest(key *ecdsa.PrivateKey, digest [32]byte) ([]byte, error) {
	if key == nil {
		return nil, errors.New("order: nil private key")
	}
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, fmt.Errorf("order: sign: %w", err)
	}
	sig[64] += 27
	return sig, nil
}

// RecoverSigner returns the address that signed digest. It takes the 65-byte
// r‖s‖v form with v = 27/28 or 0/1, and rejects any other length, v, a zero
// r or s, and a high s: the exchanges verify through OpenZeppelin-style
// ECDSA, which refuses malleable signatures, and go-ethereum never makes one.
func RecoverSigner(digest [32]byte, sig []byte) (common.Address, error) {
	if len(sig) != 65 {
		return common.Address{}, fmt.Errorf("%w: length %d, want 65", ErrBadSignature, len(sig))
	}
	v := sig[64]
	if v >= 27 {
		v -= 27
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(v, r, s, true) {
		return common.Address{}, fmt.Errorf("%w: invalid r, s or v", ErrBadSignature)
	}
	var norm [65]byte
	copy(norm[:], sig)
	norm[64] = v
	pub, err := crypto.SigToPub(digest[:], norm[:])
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// encoder builds the ABI encoding of static EIP-712 fields: every value is
// one 32-byte word, which is all the order, domain and ClobAuth structs use.
type encoder struct {
	buf [13 * 32]byte // the largest struct (V1 order) is 13 words
	n   int
}

func (e *encoder) next() []byte {
	w := e.buf[e.n : e.n+32]
	e.n += 32
	return w
}

func (e *encoder) word(w [32]byte) { copy(e.next(), w[:]) }

func (e *encoder) address(a common.Address) {
	w := e.next()
	clear(w[:12])
	copy(w[12:], a[:])
}

// uint256 writes x as a big-endian word. nil is zero; values outside
// [0, 2^256) are reduced modulo 2^256 (two's complement for negatives, as
// go-ethereum's math.U256) so hashing never panics; Validate rejects them
// before anything is signed or verified.
func (e *encoder) uint256(x *big.Int) {
	w := e.next()
	clear(w)
	if x == nil {
		return
	}
	if x.Sign() < 0 || x.BitLen() > 256 {
		x = new(big.Int).And(x, maxUint256)
	}
	x.FillBytes(w)
}

func (e *encoder) uint64(x uint64) {
	w := e.next()
	clear(w[:24])
	binary.BigEndian.PutUint64(w[24:], x)
}

func (e *encoder) int64(x int64) {
	if x >= 0 {
		e.uint64(uint64(x))
		return
	}
	e.uint256(big.NewInt(x))
}

func (e *encoder) hash() [32]byte { return crypto.Keccak256Hash(e.buf[:e.n]) }

// checkUint256 reports whether x is set and fits a uint256.
func checkUint256(name string, x *big.Int) error {
	if x == nil {
		return fmt.Errorf("%w: %s is missing", ErrInvalidOrder, name)
	}
	if x.Sign() < 0 || x.BitLen() > 256 {
		return fmt.Errorf("%w: %s is not a uint256", ErrInvalidOrder, name)
	}
	return nil
}
