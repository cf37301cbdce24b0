package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/clob"
	"github.com/vig-bot/vig/polymarket/geoblock"
	"github.com/vig-bot/vig/polymarket/order"
	"github.com/vig-bot/vig/store"
)

// check is one row of vig doctor's table.
type check struct {
	name, result, detail string
}

// runDoctor checks, in order, what the bot needs to trade and prints a
// pass/fail table. It exits 1 if any check fails (2 for a configuration
// error). It never prints a secret: credentials are only ever used.
func runDoctor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var timeout *time.Duration
	getenv, _, code, ok := commandEnv("doctor", "Check configuration, database, geoblock, CLOB reachability (direct and through the proxy),\n"+
		"the API key, the order version and, in live mode, balances and allowances. Prints a table; exits 1 on any failure.",
		args, getenv, stderr, func(fs *flag.FlagSet) {
			timeout = fs.Duration("timeout", 10*time.Second, "per-check timeout")
		})
	if !ok {
		return code
	}
	var rows []check
	add := func(name, result, format string, a ...any) {
		rows = append(rows, check{name, result, fmt.Sprintf(format, a...)})
	}
	print := func() {
		tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.name, r.result, r.detail)
		}
		tw.Flush()
	}

	cfg, err := config.LoadBot(getenv)
	if err != nil {
		add("config", "FAIL", "%s", strings.ReplaceAll(err.Error(), "\n", " "))
		print()
		return vig.ExitUsage
	}
	mode := "paper mode"
	if !cfg.PaperMode {
		mode = "LIVE mode"
	}
	add("config", "pass", "%s, chain %d, %s", mode, cfg.ChainID, cfg.DatabaseLabel())
	failed := false
	fail := func(name, format string, a ...any) { failed = true; add(name, "FAIL", format, a...) }
	cctx := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, *timeout) }

	// Database.
	{
		c, cancel := cctx()
		st, err := store.Open(c, cfg.Common, newLogger(io.Discard, cfg.Common, "doctor"))
		if err != nil {
			fail("database", "%v", err)
		} else {
			start := time.Now()
			applied, known, err := st.SchemaVersion(c)
			switch {
			case err != nil:
				fail("database", "not reachable: %v", err)
			case applied > known:
				fail("database", "schema %d is newer than this build (%d): run the matching vig", applied, known)
			case applied < known:
				fail("database", "schema %d of %d: start the bot or run `vig migrate`", applied, known)
			default:
				add("database", "pass", "schema %d of %d (%s)", applied, known, time.Since(start).Round(time.Millisecond))
			}
			st.Close()
		}
		cancel()
	}

	// The route CLOB traffic takes: through the residential proxy if set.
	direct := &http.Client{}
	route, routeName := direct, "direct"
	if cfg.ResidentialProxyURL.IsSet() {
		pu, _ := url.Parse(cfg.ResidentialProxyURL.Reveal()) // validated by config
		route = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
		routeName = "via proxy"
	}

	// Geoblock, asked the way orders would go.
	{
		c, cancel := cctx()
		st, err := geoblock.Check(c, cfg.GeoblockURL, route, *timeout)
		switch {
		case errors.Is(err, polymarket.ErrGeoblocked):
			fail("geoblock", "BLOCKED %s (country %s, region %s): orders from here will be rejected; host the bot in an allowed region", routeName, st.Country, st.Region)
		case err != nil:
			fail("geoblock", "%s: %v", routeName, err)
		default:
			add("geoblock", "pass", "not blocked %s (country %s)", routeName, st.Country)
		}
		cancel()
	}

	// CLOB reachability, direct and through the proxy.
	clobCheck := func(name string, hc *http.Client) *clob.Client {
		cl := clob.New(clob.Config{BaseURL: cfg.ClobURL, HTTP: hc, Timeout: *timeout, ChainID: cfg.ChainID})
		c, cancel := cctx()
		defer cancel()
		start := time.Now()
		t, err := cl.ServerTime(c)
		if err != nil {
			fail(name, "%v", err)
			return nil
		}
		skew := time.Since(t).Round(time.Second)
		detail := fmt.Sprintf("answered in %.1f ms", float64(time.Since(start).Microseconds())/1000)
		if skew > 30*time.Second || skew < -30*time.Second {
			fail(name, "%s, but its clock differs from ours by %s: fix the system clock (auth timestamps are checked)", detail, skew)
			return cl
		}
		add(name, "pass", "%s", detail)
		return cl
	}
	clobCheck("clob direct", direct)
	if cfg.ResidentialProxyURL.IsSet() {
		clobCheck("clob via proxy", route)
	} else {
		add("clob via proxy", "skip", "RESIDENTIAL_PROXY_URL not set")
	}

	// Order version.
	{
		cl := clob.New(clob.Config{BaseURL: cfg.ClobURL, HTTP: route, Timeout: *timeout, ChainID: cfg.ChainID})
		c, cancel := cctx()
		v, err := cl.Version(c)
		switch {
		case err != nil:
			fail("order version", "%v", err)
		case v != 2:
			fail("order version", "the exchange wants version %d orders; this build signs version 2 (upgrade vig)", v)
		default:
			add("order version", "pass", "exchange version 2 (EIP-712 domain version \"2\")")
		}
		cancel()
	}

	// API key (L1 derive + an L2 call) and, in live mode, balances.
	var authed *clob.Client
	if !cfg.PrivateKey.IsSet() {
		add("api key", "skip", "no POLYGON_PRIVATE_KEY (paper mode)")
	} else {
		key, err := crypto.HexToECDSA(strings.TrimPrefix(cfg.PrivateKey.Reveal(), "0x"))
		if err != nil {
			fail("api key", "POLYGON_PRIVATE_KEY is not a valid secp256k1 key")
		} else {
			ccfg := clob.Config{BaseURL: cfg.ClobURL, HTTP: route, Timeout: *timeout, ChainID: cfg.ChainID, Key: key,
				SignatureType: order.SignatureType(cfg.SignatureType)}
			if cfg.FunderAddress != "" {
				ccfg.Funder = common.HexToAddress(cfg.FunderAddress)
			}
			if cfg.APIKey.IsSet() {
				ccfg.Creds = &order.Creds{APIKey: cfg.APIKey.Reveal(), Secret: cfg.APISecret.Reveal(), Passphrase: cfg.APIPassphrase.Reveal()}
			}
			cl := clob.New(ccfg)
			c, cancel := cctx()
			how := "configured"
			if ccfg.Creds == nil {
				how = "derived"
				_, err = cl.CreateOrDeriveAPIKey(c)
			}
			if err == nil {
				_, err = cl.OpenOrders(c, clob.OrderFilter{})
			}
			if err != nil {
				fail("api key", "%s credentials do not work: %v", how, err)
			} else {
				authed = cl
				add("api key", "pass", "%s credentials work (signer %s)", how, cl.Address().Hex())
			}
			cancel()
		}
	}
	add("rpc chain id", "skip", "arrives with the rpc subservice")
	switch {
	case cfg.PaperMode:
		add("balances", "skip", "paper mode")
	case authed == nil:
		fail("balances", "needs a working API key")
	default:
		c, cancel := cctx()
		b, err := authed.BalanceAllowance(c, clob.Collateral, "")
		cancel()
		switch {
		case err != nil:
			fail("balances", "%v", err)
		case b.Balance <= 0:
			fail("balances", "pUSD balance is 0 for %s: deposit or wrap USDC first", authed.Maker().Hex())
		case b.Allowance <= 0:
			fail("balances", "pUSD %s but no allowance for the exchange: approve it (orders fail with \"not enough balance / allowance\")", b.Balance)
		default:
			add("balances", "pass", "pUSD %s, allowance set", b.Balance)
		}
	}
	print()
	if failed {
		return vig.ExitFailure
	}
	return vig.ExitOK
}
