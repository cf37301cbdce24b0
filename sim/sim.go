package sim

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultChainID        = 137
	DefaultInitialBalance = vig.Micros(10_000_000_000) // 10,000 pUSD
	DefaultOpenMarkets    = 200
	DefaultCloseEvery     = 3 * time.Minute
	DefaultKeepResolved   = 24 * time.Hour
)

// Config configures a Sim. The zero value is valid: every field has a
// default, documented on the field.
type Config struct {
	// Seed drives every random choice. The same Seed and the same sequence
	// of clock readings and requests give identical state and answers.
	Seed int64
	// Clock is the time source (default clock.Real{}). Pass a *clock.Fake to
	// drive the world by hand; POST /admin/advance then works too.
	Clock clock.Clock
	// Speed is simulated seconds per clock second (default 1): sim time is
	// Start + Speed × (clock time elapsed since New). Demos use e.g. 60.
	Speed float64
	// Start is the sim time at New (default Clock.Now()).
	Start time.Time
	// ChainID is the chain the venue pretends to run on (default 137). Phase
	// 2 uses it for the EIP-712 domains it verifies.
	ChainID int64
	// InitialBalance is the pUSD every account receives on first sight
	// (default 10,000 pUSD).
	InitialBalance vig.Micros
	// OpenMarkets is how many markets the world keeps open (default 200).
	// A neg-risk event opens several markets at once, so the count can
	// exceed it by up to five.
	OpenMarkets int
	// CloseEvery is the sim-time spacing of successive events' end dates
	// (default 3m): one event closes every CloseEvery.
	CloseEvery time.Duration
	// KeepResolved is how long (sim time) a resolved market stays queryable
	// before it, its orders and its trades are dropped to bound memory
	// (default 24h). Positions in it stay, but can no longer be redeemed.
	KeepResolved time.Duration
	// Faults are the faults active from the start (default none).
	Faults Faults
	// Logger receives a few lifecycle lines (default: discarded).
	Logger *slog.Logger
}

// Sim is an offline, in-memory, deterministic Polymarket: a seeded stream of
// markets, a matching engine with a liquidity-providing house account, the
// public Gamma and CLOB HTTP endpoints, and injectable faults. All methods
// are safe for concurrent use.
type Sim struct {
	cfg        Config
	clk        clock.Clock
	clockStart time.Time
	log        *slog.Logger
	handler    http.Handler

	mu    sync.Mutex // guards everything below
	now   time.Time  // sim time the world has been advanced to
	world *rand.Rand // market generation only, so the world ignores requests
	ids   *rand.Rand // order, trade, transaction and heartbeat ids
	sched timerHeap
	seq   uint64 // timer tie-break

	events      []*event // by seq, open and closed until dropped
	markets     []*market
	eventByID   map[string]*event
	marketByID  map[string]*market
	marketByCID map[string]*market
	tokenByID   map[string]*token
	slugs       map[string]bool
	openCount   int
	nextEnd     time.Time
	eventSeq    int64
	marketSeq   int64
	tokenSeq    int64
	eventBase   int64
	marketBase  int64

	accounts    map[string]*account
	orders      map[string]*order   // user orders by id
	ownerOrders map[string][]*order // by API key, creation order
	ownerTrades map[string][]*trade // by API key, match order
	liveTokens  map[*token]int      // tokens with resting user orders
	heartbeats  map[string]*heartbeat
	orderSeq    int64
	tradeSeq    int64
	tradeCount  int

	fmu      sync.Mutex // guards faults and faultRNG
	faults   Faults
	faultRNG *rand.Rand
}

// New returns a Sim with its initial markets generated at Start.
func New(cfg Config) *Sim {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Speed <= 0 {
		cfg.Speed = 1
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = DefaultChainID
	}
	if cfg.InitialBalance == 0 {
		cfg.InitialBalance = DefaultInitialBalance
	}
	if cfg.OpenMarkets <= 0 {
		cfg.OpenMarkets = DefaultOpenMarkets
	}
	if cfg.CloseEvery <= 0 {
		cfg.CloseEvery = DefaultCloseEvery
	}
	if cfg.KeepResolved <= 0 {
		cfg.KeepResolved = DefaultKeepResolved
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	clockNow := cfg.Clock.Now()
	if cfg.Start.IsZero() {
		cfg.Start = clockNow
	}
	cfg.Start = cfg.Start.UTC()
	seed := uint64(cfg.Seed)
	s := &Sim{
		cfg:         cfg,
		clk:         cfg.Clock,
		clockStart:  clockNow,
		log:         cfg.Logger,
		now:         cfg.Start,
		world:       rand.New(rand.NewPCG(seed, 0x776f726c64)), // "world"
		ids:         rand.New(rand.NewPCG(seed, 0x696473)),     // "ids"
		faultRNG:    rand.New(rand.NewPCG(seed, 0x6661756c74)), // "fault"
		eventByID:   map[string]*event{},
		marketByID:  map[string]*market{},
		marketByCID: map[string]*market{},
		tokenByID:   map[string]*token{},
		slugs:       map[string]bool{},
		accounts:    map[string]*account{},
		orders:      map[string]*order{},
		ownerOrders: map[string][]*order{},
		ownerTrades: map[string][]*trade{},
		liveTokens:  map[*token]int{},
		heartbeats:  map[string]*heartbeat{},
		faults:      cfg.Faults.normalized(),
	}
	s.eventBase = 20_000 + s.world.Int64N(10_000)
	s.marketBase = 500_000 + s.world.Int64N(100_000)
	first := s.cfg.Start.Truncate(cfg.CloseEvery).Add(cfg.CloseEvery)
	s.nextEnd = first
	s.topUp(s.cfg.Start, true)
	s.handler = s.newHandler()
	s.log.Info("simulator ready", "seed", cfg.Seed, "open_markets", s.openCount, "start", s.cfg.Start.Format(time.RFC3339))
	return s
}

// Now returns the current sim time: Start + Speed × clock time elapsed.
func (s *Sim) Now() time.Time {
	elapsed := s.clk.Now().Sub(s.clockStart)
	return s.cfg.Start.Add(time.Duration(float64(elapsed) * s.cfg.Speed))
}

// Step advances the world to Now(): markets past their end date close and
// resolve (or enter a dispute), disputed ones resolve once their dispute
// ends, new markets open, expired GTD orders and owners whose heartbeat
// lapsed are canceled, and the house's liquidity is refreshed around tokens
// with resting user orders. Every request and every engine method calls it
// first, and Run calls it every ~200 ms, so with a fake clock the world is
// fully deterministic without goroutines.
func (s *Sim) Step() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
}

// Run serves Handler on ln until ctx ends, then shuts down gracefully. It
// calls Step every ~200 ms of real time.
func (s *Sim) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := srv.Shutdown(sctx)
			cancel()
			if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
				err = serr
			}
			s.log.Info("simulator stopped")
			return err
		case err := <-errc:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		case <-tick.C:
			s.Step()
		}
	}
}

// Handler returns the whole API: /gamma/…, /clob/…, /data/…, /geoblock and
// /admin/…. Faults apply to every path except /admin.
func (s *Sim) Handler() http.Handler { return s.handler }

// advance brings the world to Now(). The caller holds s.mu.
func (s *Sim) advance() time.Time {
	now := s.Now()
	if now.Before(s.now) {
		now = s.now // the clock went backwards: sim time never does
	}
	for len(s.sched) > 0 && !s.sched[0].at.After(now) {
		t := s.sched.pop()
		s.fire(t)
	}
	s.now = now
	if len(s.liveTokens) > 0 {
		toks := make([]*token, 0, len(s.liveTokens))
		for t := range s.liveTokens {
			toks = append(toks, t)
		}
		sortTokens(toks)
		for _, t := range toks {
			s.touch(t)
		}
	}
	return now
}
