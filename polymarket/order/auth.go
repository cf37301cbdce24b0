package order

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ClobAuthMessage is the fixed message of the L1 ClobAuth struct.
const ClobAuthMessage = "This message attests that I control the given wallet"

// ClobAuthType is the EIP-712 type of L1 auth; timestamp is signed as a
// string and nonce as a uint256 (py-clob-client signing/eip712.py).
const ClobAuthType = "ClobAuth(address address,string timestamp,uint256 nonce,string message)"

// ClobAuthDomainName and ClobAuthDomainVersion name the L1 auth domain,
// which has no verifyingContract (unchanged in V2).
const (
	ClobAuthDomainName    = "ClobAuthDomain"
	ClobAuthDomainVersion = "1"
)

// Header names of L1 and L2 auth. The clients send them in upper case;
// L1Headers and L2Headers store them verbatim (net/http would otherwise
// canonicalise them to "Poly_address"), so read them with HeaderValue.
const (
	HeaderAddress    = "POLY_ADDRESS"
	HeaderSignature  = "POLY_SIGNATURE"
	HeaderTimestamp  = "POLY_TIMESTAMP"
	HeaderNonce      = "POLY_NONCE"
	HeaderAPIKey     = "POLY_API_KEY"
	HeaderPassphrase = "POLY_PASSPHRASE"
)

// ErrAuth: auth headers are missing, malformed, stale or do not verify.
var ErrAuth = errors.New("invalid auth headers")

var clobAuthTypeHash = crypto.Keccak256Hash([]byte(ClobAuthType))
var clobAuthMessageHash = crypto.Keccak256Hash([]byte(ClobAuthMessage))

// ClobAuthHash returns the EIP-712 digest an L1 signature signs. A nil nonce
// is 0, the clients' default.
func ClobAuthHash(address common.Address, chainID int64, timestamp string, nonce *big.Int) [32]byte {
	var e encoder
	e.word(clobAuthTypeHash)
	e.address(address)
	e.word(crypto.Keccak256Hash([]byte(timestamp)))
	e.uint256(nonce)
	e.word(clobAuthMessageHash)
	return Digest(DomainSeparator(ClobAuthDomainName, ClobAuthDomainVersion, chainID, nil), e.hash())
}

// SignClobAuth signs the L1 ClobAuth message for the key's own address and
// returns the 0x-prefixed hex signature sent as POLY_SIGNATURE.
func SignClobAuth(key *ecdsa.PrivateKey, chainID int64, timestamp string, nonce *big.Int) (string, error) {
	if key == nil {
		return "", errors.New("order: nil private key")
	}
	if nonce != nil && (nonce.Sign() < 0 || nonce.BitLen() > 256) {
		return "", fmt.Errorf("%w: nonce is not a uint256", ErrAuth)
	}
	sig, err := SignDigest(key, ClobAuthHash(crypto.PubkeyToAddress(key.PublicKey), chainID, timestamp, nonce))
	if err != nil {
		return "", err
	}
	return "0x" + hex.EncodeToString(sig), nil
}

// L1Headers returns the headers of POST /auth/api-key and GET
// /auth/derive-api-key: the checksummed address, the ClobAuth signature,
// the Unix-seconds timestamp and the nonce (nil = 0).
func L1Headers(key *ecdsa.PrivateKey, chainID int64, ts time.Time, nonce *big.Int) (http.Header, error) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig, err := SignClobAuth(key, chainID, stamp, nonce)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h[HeaderAddress] = []string{crypto.PubkeyToAddress(key.PublicKey).Hex()}
	h[HeaderSignature] = []string{sig}
	h[HeaderTimestamp] = []string{stamp}
	h[HeaderNonce] = []string{bigString(nonce)}
	return h, nil
}

// VerifyL1 checks L1 headers for chainID as the venue does and returns the
// authenticated address. It does not bound the timestamp's age: the
// signature covers it, and the caller decides how old is too old.
func VerifyL1(h http.Header, chainID int64) (common.Address, error) {
	addr, err := parseAddress("POLY_ADDRESS", HeaderValue(h, HeaderAddress))
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	sig, err := parseHex("POLY_SIGNATURE", HeaderValue(h, HeaderSignature))
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	stamp := HeaderValue(h, HeaderTimestamp)
	if stamp == "" {
		return common.Address{}, fmt.Errorf("%w: missing %s", ErrAuth, HeaderTimestamp)
	}
	nonce, err := parseUint256("POLY_NONCE", HeaderValue(h, HeaderNonce))
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	got, err := RecoverSigner(ClobAuthHash(addr, chainID, stamp, nonce), sig)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	if got != addr {
		return common.Address{}, fmt.Errorf("%w: signature is not from %s", ErrAuth, addr.Hex())
	}
	return addr, nil
}

// HeaderValue returns the first value of header name whatever its case:
// verbatim (as L1Headers stores it), canonical (as net/http's server stores
// it) or any other spelling.
func HeaderValue(h http.Header, name string) string {
	if v, ok := h[name]; ok && len(v) > 0 {
		return v[0]
	}
	if v := h.Get(name); v != "" {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Creds are the L2 API credentials returned by /auth/api-key. Every printed
// or encoded form (fmt verbs, JSON, text, slog) redacts Secret and
// Passphrase so they cannot reach a log or an error by accident; read the
// fields directly where they are used. JSON decoding of the venue's answer
// works through the field tags. One hole remains, as for config.Secret: fmt
// prints %p of a non-pointer value without calling any method, raw fields
// included; go vet's printf check rejects that call.
type Creds struct {
	APIKey     string `json:"apiKey"`
	Secret     string `json:"secret"`
	Passphrase string `json:"passphrase"`
}

const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String shows the API key (an identifier, also sent as the order owner)
// and redacts the rest.
func (c Creds) String() string {
	return fmt.Sprintf("{APIKey:%s Secret:%s Passphrase:%s}", c.APIKey, redact(c.Secret), redact(c.Passphrase))
}

// GoString keeps %#v from printing the secrets.
func (c Creds) GoString() string {
	return fmt.Sprintf("order.Creds{APIKey:%q, Secret:%q, Passphrase:%q}", c.APIKey, redact(c.Secret), redact(c.Passphrase))
}

// Format makes every fmt verb print the redacted form.
func (c Creds) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// MarshalJSON writes the redacted form.
func (c Creds) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		APIKey     string `json:"apiKey"`
		Secret     string `json:"secret"`
		Passphrase string `json:"passphrase"`
	}{c.APIKey, redact(c.Secret), redact(c.Passphrase)})
}

// MarshalText writes the redacted form (for encoders other than JSON).
func (c Creds) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// LogValue makes slog print the redacted form.
func (c Creds) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_key", c.APIKey),
		slog.String("secret", redact(c.Secret)),
		slog.String("passphrase", redact(c.Passphrase)),
	)
}

// decodeSecret decodes the API secret. The venue issues base64url; the
// Python client decodes with urlsafe_b64decode and the TS client maps
// '-'→'+', '_'→'/' first, so both alphabets and optional padding are
// accepted here. Other characters are an error rather than skipped.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.TrimRight(secret, "=")
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	key, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: API secret is not base64", ErrAuth)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: empty API secret", ErrAuth)
	}
	return key, nil
}

// HMACSignature returns the L2 POLY_SIGNATURE: base64url (with padding) of
// HMAC-SHA256(base64url-decode(secret), timestamp+method+path+body). path
// excludes the query string and body must be the exact bytes sent; an empty
// body adds nothing (py-clob-client signing/hmac.py).
func HMACSignature(secret string, timestamp string, method, path string, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(timestamp))
	m.Write([]byte(method))
	m.Write([]byte(path))
	m.Write(body)
	return base64.URLEncoding.EncodeToString(m.Sum(nil)), nil
}

// L2Headers returns the headers of an authenticated CLOB call. address is
// the wallet the API key belongs to (sent checksummed).
func L2Headers(c Creds, address common.Address, ts time.Time, method, path string, body []byte) (http.Header, error) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig, err := HMACSignature(c.Secret, stamp, method, path, body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h[HeaderAddress] = []string{address.Hex()}
	h[HeaderSignature] = []string{sig}
	h[HeaderTimestamp] = []string{stamp}
	h[HeaderAPIKey] = []string{c.APIKey}
	h[HeaderPassphrase] = []string{c.Passphrase}
	return h, nil
}

// VerifyL2 authenticates an L2 request for the venue simulator: lookup
// finds the key's creds and owner address, the passphrase and the HMAC must
// match (compared in constant time), the POLY_ADDRESS must be the key's
// owner, and with maxSkew > 0 the timestamp must be within maxSkew of now.
func VerifyL2(h http.Header, lookup func(apiKey string) (Creds, common.Address, bool), method, path string, body []byte, now time.Time, maxSkew time.Duration) (Creds, common.Address, error) {
	apiKey := HeaderValue(h, HeaderAPIKey)
	if apiKey == "" {
		return Creds{}, common.Address{}, fmt.Errorf("%w: missing %s", ErrAuth, HeaderAPIKey)
	}
	c, owner, ok := lookup(apiKey)
	if !ok {
		return Creds{}, common.Address{}, fmt.Errorf("%w: unknown api key", ErrAuth)
	}
	if subtle.ConstantTimeCompare([]byte(HeaderValue(h, HeaderPassphrase)), []byte(c.Passphrase)) != 1 {
		return Creds{}, common.Address{}, fmt.Errorf("%w: wrong passphrase", ErrAuth)
	}
	addr, err := parseAddress("POLY_ADDRESS", HeaderValue(h, HeaderAddress))
	if err != nil {
		return Creds{}, common.Address{}, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	if addr != owner {
		return Creds{}, common.Address{}, fmt.Errorf("%w: address %s does not own the api key", ErrAuth, addr.Hex())
	}
	stamp := HeaderValue(h, HeaderTimestamp)
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return Creds{}, common.Address{}, fmt.Errorf("%w: bad %s", ErrAuth, HeaderTimestamp)
	}
	if maxSkew > 0 {
		skew := now.Sub(time.Unix(secs, 0))
		if skew > maxSkew || skew < -maxSkew {
			return Creds{}, common.Address{}, fmt.Errorf("%w: timestamp is %s away from now", ErrAuth, skew.Round(time.Second))
		}
	}
	want, err := HMACSignature(c.Secret, stamp, method, path, body)
	if err != nil {
		return Creds{}, common.Address{}, err
	}
	if subtle.ConstantTimeCompare([]byte(HeaderValue(h, HeaderSignature)), []byte(want)) != 1 {
		return Creds{}, common.Address{}, fmt.Errorf("%w: bad signature", ErrAuth)
	}
	return c, owner, nil
}
