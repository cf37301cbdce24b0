package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/sim"
)

// runSim serves the offline Polymarket simulator and prints the settings
// that point the bot (and vig doctor) at it.
func runSim(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var (
		addr      *string
		seed      *int64
		speed     *float64
		balance   *float64
		chainID   *int64
		markets   *int
		every     *time.Duration
		latency   *time.Duration
		errRate   *float64
		burst     *int
		retryAft  *int
		html403   *bool
		truncate  *bool
		stall     *time.Duration
		geo       *bool
		disabled  *bool
		legacyMid *bool
	)
	_, _, code, ok := commandEnv("sim", "Serve an offline simulator of Polymarket's Gamma, CLOB, Data and geoblock APIs\n"+
		"(same HTTP shapes, under /gamma, /clob, /data and /geoblock of one address). Faults can be set by flags\n"+
		"or at run time with PUT /admin/faults.", args, getenv, stderr, func(fs *flag.FlagSet) {
		addr = fs.String("addr", ":8090", "listen address")
		seed = fs.Int64("seed", 1, "random seed: the same seed and clock give the same markets and answers")
		speed = fs.Float64("speed", 1, "simulated seconds per real second (e.g. 60 for demos)")
		balance = fs.Float64("initial-balance", 10000, "pUSD given to every account on first sight")
		chainID = fs.Int64("chain-id", 137, "chain id of the EIP-712 domains it verifies (137 or 80002)")
		markets = fs.Int("markets", 200, "open markets to keep")
		every = fs.Duration("close-every", 3*time.Minute, "simulated time between market end dates")
		latency = fs.Duration("latency", 0, "fault: added latency per request")
		errRate = fs.Float64("error-rate", 0, "fault: fraction of requests answered 500")
		burst = fs.Int("rate-limit-burst", 0, "fault: answer the next N requests 429")
		retryAft = fs.Int("retry-after", 1, "fault: Retry-After seconds on 429s")
		html403 = fs.Bool("html-403-on-order", false, "fault: POST /clob/order answers a Cloudflare-style HTML 403")
		truncate = fs.Bool("truncate-json", false, "fault: cut JSON answers in half")
		stall = fs.Duration("stall", 0, "fault: hold each answer this long")
		geo = fs.Bool("geoblocked", false, "fault: /geoblock says blocked")
		disabled = fs.Bool("trading-disabled", false, "fault: trading endpoints answer 503 trading disabled")
		legacyMid = fs.Bool("legacy-mid", false, "fault: /midpoint answers {\"mid\": …} like older servers")
	})
	if !ok {
		return code
	}
	if *balance < 0 || *speed <= 0 || *errRate < 0 || *errRate > 1 || *markets < 1 {
		fmt.Fprintln(stderr, "vig sim: -initial-balance must be >= 0, -speed > 0, -error-rate within 0..1 and -markets >= 1")
		return vig.ExitUsage
	}
	initial, err := vig.ParseMicros(strconv.FormatFloat(*balance, 'f', 6, 64))
	if err != nil {
		fmt.Fprintf(stderr, "vig sim: -initial-balance: %v\n", err)
		return vig.ExitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("svc", "sim")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "vig sim: %v\n", err)
		return vig.ExitFailure
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); host == "" || ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	base := "http://" + net.JoinHostPort(host, port)
	s := sim.New(sim.Config{
		Seed: *seed, Speed: *speed, ChainID: *chainID, InitialBalance: initial, OpenMarkets: *markets, CloseEvery: *every, Logger: log,
		Faults: sim.Faults{Latency: *latency, ErrorRate: *errRate, RateLimitBurst: *burst, RetryAfterSeconds: *retryAft,
			HTML403OnOrder: *html403, TruncateJSON: *truncate, Stall: *stall, Geoblocked: *geo, TradingDisabled: *disabled, LegacyMid: *legacyMid},
	})
	fmt.Fprintf(stdout, "POLYMARKET_GAMMA_URL=%s/gamma\nPOLYMARKET_CLOB_URL=%s/clob\nPOLYMARKET_DATA_URL=%s/data\nPOLYMARKET_GEOBLOCK_URL=%s/geoblock\nPOLYMARKET_CHAIN_ID=%d\n",
		base, base, base, base, *chainID)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	ctx, _, stop := signals(ctx, log)
	defer stop()
	if err := s.Run(ctx, ln); err != nil && ctx.Err() == nil {
		log.Error("simulator stopped", "err", err.Error())
		return vig.ExitFailure
	}
	return vig.ExitOK
}
