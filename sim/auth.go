package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	porder "github.com/vig-bot/vig/polymarket/order"
)

// MaxAuthSkew is how far an L1 or L2 POLY_TIMESTAMP may be from the sim's
// clock (Config.Clock, not the sped-up sim time: clients stamp requests
// with their own wall clock).
const MaxAuthSkew = 5 * time.Minute

// Auth messages, copied from the real CLOB's {"error": …} answers.
const (
	MsgUnauthorized     = "Unauthorized/Invalid api key"
	MsgInvalidL1Headers = "Invalid L1 Request headers"
	MsgCannotDerive     = "Could not derive api key!"
)

// maxAuthBody bounds the request bodies the authenticated endpoints read.
const maxAuthBody = 1 << 20

// apiKey is one set of L2 credentials and the wallet it belongs to.
type apiKey struct {
	creds   porder.Creds
	address common.Address
	nonce   string
}

// keyStore holds the API keys issued by POST /auth/api-key. It has its own
// mutex: auth never needs the engine's.
type keyStore struct {
	seed int64

	mu    sync.Mutex
	byKey map[string]*apiKey
	// funders remembers, per API key and signature type 1–3, the maker of
	// the key's last accepted order: the wallet GET /balance-allowance
	// reports for that signature type.
	funders map[string]map[porder.SignatureType]string
}

func newKeyStore(seed int64) *keyStore {
	return &keyStore{seed: seed, byKey: map[string]*apiKey{}, funders: map[string]map[porder.SignatureType]string{}}
}

// derive returns the credentials of (address, nonce): a pure function of
// the sim's seed, the address and the nonce, so creating a key twice and
// deriving it give the same answer, run after run.
func (ks *keyStore) derive(address common.Address, nonce *big.Int) porder.Creds {
	var msg [20 + 32]byte
	copy(msg[:20], address[:])
	nonce.FillBytes(msg[20:])
	part := func(label string) []byte {
		m := hmac.New(sha256.New, []byte("vig-sim/api-key/"+strconv.FormatInt(ks.seed, 10)))
		m.Write([]byte(label))
		m.Write(msg[:])
		return m.Sum(nil)
	}
	raw := part("key")[:16]
	raw[6] = raw[6]&0x0f | 0x40 // RFC 4122 version 4, as the venue's keys look
	raw[8] = raw[8]&0x3f | 0x80
	id := hex.EncodeToString(raw)
	uuid := id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	return porder.Creds{
		APIKey:     uuid,
		Secret:     base64.URLEncoding.EncodeToString(part("secret")),
		Passphrase: hex.EncodeToString(part("passphrase")),
	}
}

// register stores (or re-activates) the key of (address, nonce).
func (ks *keyStore) register(address common.Address, nonce *big.Int) porder.Creds {
	c := ks.derive(address, nonce)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.byKey[c.APIKey] = &apiKey{creds: c, address: address, nonce: nonce.String()}
	return c
}

// existing returns the key of (address, nonce) if it was created and not
// deleted.
func (ks *keyStore) existing(address common.Address, nonce *big.Int) (porder.Creds, bool) {
	c := ks.derive(address, nonce)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k := ks.byKey[c.APIKey]
	return c, k != nil && k.address == address
}

// lookup is porder.VerifyL2's key lookup.
func (ks *keyStore) lookup(key string) (porder.Creds, common.Address, bool) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k := ks.byKey[key]
	if k == nil {
		return porder.Creds{}, common.Address{}, false
	}
	return k.creds, k.address, true
}

// keysOf lists address's API keys, sorted.
func (ks *keyStore) keysOf(address common.Address) []string {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	out := []string{}
	for id, k := range ks.byKey {
		if k.address == address {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (ks *keyStore) remove(key string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	delete(ks.byKey, key)
	delete(ks.funders, key)
}

// noteFunder records maker as key's wallet for signature type t.
func (ks *keyStore) noteFunder(key string, t porder.SignatureType, maker string) {
	if t == porder.EOA {
		return
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	m := ks.funders[key]
	if m == nil {
		m = map[porder.SignatureType]string{}
		ks.funders[key] = m
	}
	m[t] = maker
}

// funder returns the wallet whose balance a key asks for with signature
// type t: its own address for EOA (and before any order of type t), else
// the maker of its last accepted order of type t.
func (ks *keyStore) funder(key string, address common.Address, t porder.SignatureType) string {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if m := ks.funders[key]; m != nil && m[t] != "" {
		return m[t]
	}
	return strings.ToLower(address.Hex())
}

// tradingAPI serves the authenticated CLOB endpoints (auth.go, trading.go).
type tradingAPI struct {
	s    *Sim
	keys *keyStore
}

func newTradingAPI(s *Sim) *tradingAPI {
	return &tradingAPI{s: s, keys: newKeyStore(s.cfg.Seed)}
}

// fresh reports whether a POLY_TIMESTAMP (Unix seconds) is within
// MaxAuthSkew of the sim's clock.
func (t *tradingAPI) fresh(stamp string) bool {
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	d := t.s.clk.Now().Sub(time.Unix(secs, 0))
	return d <= MaxAuthSkew && d >= -MaxAuthSkew
}

// l1 authenticates an L1 request (ClobAuth signature for the sim's chain,
// fresh timestamp) and returns the wallet and the nonce.
func (t *tradingAPI) l1(r *http.Request) (common.Address, *big.Int, bool) {
	addr, err := porder.VerifyL1(r.Header, t.s.ChainID())
	if err != nil || !t.fresh(porder.HeaderValue(r.Header, porder.HeaderTimestamp)) {
		return common.Address{}, nil, false
	}
	nonce, ok := new(big.Int).SetString(porder.HeaderValue(r.Header, porder.HeaderNonce), 10)
	if !ok {
		return common.Address{}, nil, false // VerifyL1 checked it; never happens
	}
	return addr, nonce, true
}

// handleCreateAPIKey answers POST /auth/api-key: the credentials of the
// L1-authenticated wallet and nonce, created if needed (creating twice is
// not an error and returns the same key). The wallet's account is opened
// and funded now.
func (t *tradingAPI) handleCreateAPIKey(w http.ResponseWriter, r *http.Request) {
	addr, nonce, ok := t.l1(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, MsgInvalidL1Headers)
		return
	}
	c := t.keys.register(addr, nonce)
	t.s.Balance(addr.Hex(), "COLLATERAL", "") //nolint:errcheck // opens and funds the account
	writeJSON(w, http.StatusOK, credsJSON(c))
}

// handleDeriveAPIKey answers GET /auth/derive-api-key: the existing key of
// the wallet and nonce, or 400 MsgCannotDerive when none was created.
func (t *tradingAPI) handleDeriveAPIKey(w http.ResponseWriter, r *http.Request) {
	addr, nonce, ok := t.l1(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, MsgInvalidL1Headers)
		return
	}
	c, ok := t.keys.existing(addr, nonce)
	if !ok {
		writeError(w, http.StatusBadRequest, MsgCannotDerive)
		return
	}
	writeJSON(w, http.StatusOK, credsJSON(c))
}

// credsJSON is the wire form of credentials (porder.Creds redacts itself
// when marshalled, by design).
func credsJSON(c porder.Creds) map[string]string {
	return map[string]string{"apiKey": c.APIKey, "secret": c.Secret, "passphrase": c.Passphrase}
}

// l2Auth is an authenticated L2 request.
type l2Auth struct {
	apiKey  string
	address common.Address
	body    []byte
}

// clobPrefix is where the sim mounts clob.polymarket.com. Clients sign the
// path relative to their base URL ("/order" for http://host/clob/order),
// as they sign "/order" on the real host, so the prefix is stripped before
// the HMAC is checked.
const clobPrefix = "/clob"

// l2 wraps a handler with L2 authentication: the body is read (at most
// maxAuthBody), the HMAC is verified over timestamp + method + the path without
// /clob and without the query + body, the timestamp must be within
// MaxAuthSkew of the sim's clock, and POLY_ADDRESS must own the key.
// Anything wrong answers 401 MsgUnauthorized.
func (t *tradingAPI) l2(h func(http.ResponseWriter, *http.Request, l2Auth)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAuthBody+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, MsgInvalidPayload)
			return
		}
		if len(body) > maxAuthBody {
			writeError(w, http.StatusRequestEntityTooLarge, MsgPayloadTooLarge)
			return
		}
		path := strings.TrimPrefix(r.URL.EscapedPath(), clobPrefix)
		c, addr, err := porder.VerifyL2(r.Header, t.keys.lookup, r.Method, path, body, t.s.clk.Now(), MaxAuthSkew)
		if err != nil {
			writeError(w, http.StatusUnauthorized, MsgUnauthorized)
			return
		}
		h(w, r, l2Auth{apiKey: c.APIKey, address: addr, body: body})
	}
}

// handleAPIKeys answers GET /auth/api-keys: {"apiKeys": […]} of the wallet.
func (t *tradingAPI) handleAPIKeys(w http.ResponseWriter, r *http.Request, a l2Auth) {
	writeJSON(w, http.StatusOK, map[string][]string{"apiKeys": t.keys.keysOf(a.address)})
}

// handleDeleteAPIKey answers DELETE /auth/api-key: the key used to sign the
// request is revoked (its orders stay). Creating it again with the same
// nonce brings back the same credentials.
func (t *tradingAPI) handleDeleteAPIKey(w http.ResponseWriter, r *http.Request, a l2Auth) {
	t.keys.remove(a.apiKey)
	writeJSON(w, http.StatusOK, "OK")
}
