// Package order holds the exact maths and cryptography of a Polymarket CLOB
// order: tick and price validation, the maker/taker amounts (py-clob-client's
// rounding rules, computed with integers instead of floats), EIP-712 hashing
// and signing of V2 orders (and of V1 orders, kept only for the upstream test
// vectors), the POLY_1271 deposit-wallet envelope, the POST /order wire
// format, and the L1 (ClobAuth) and L2 (HMAC) API-auth headers.
//
// Both sides of the wire use it: the CLOB client signs with it, and the venue
// simulator verifies with the same code, so every Sign* has a Verify* or
// Recover* twin that applies the venue's checks.
//
// Money and token amounts are never floats: prices, sizes and ticks are
// vig.Micros (6 decimals) and on-chain amounts are *big.Int base units (pUSD
// and the CTF outcome tokens both have 6 decimals).
//
// Sources are cited as in /work/shared/docs/platform-facts.md §2.3–§2.7.
package order
