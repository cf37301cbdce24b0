package gamma

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vig-bot/vig/polymarket"
)

// lister pages through one Gamma list, keyset first.
type lister[T any] struct {
	c                        *Client
	keysetPath, offsetPath   string
	query                    url.Values // filters; limit/offset/after_cursor are added per page
	keysetLimit, offsetLimit int
	max                      int // 0: all
	decode                   func([]byte) (page[T], error)
	id                       func(T) string
	keep                     func(T) bool // nil: keep all
}

// collector keeps items in order, without duplicates, up to max.
type collector[T any] struct {
	out  []T
	seen map[string]struct{}
	max  int
	id   func(T) string
	keep func(T) bool
}

// add appends the items not seen before and reports how many there were
// (kept or not).
func (c *collector[T]) add(items []T) (fresh int) {
	for _, it := range items {
		if c.full() {
			return fresh + 1 // enough: the rest does not matter
		}
		k := c.id(it)
		if _, dup := c.seen[k]; dup {
			continue
		}
		c.seen[k] = struct{}{}
		fresh++
		if c.keep != nil && !c.keep(it) {
			continue
		}
		c.out = append(c.out, it)
	}
	return fresh
}

func (c *collector[T]) full() bool { return c.max > 0 && len(c.out) >= c.max }

func (l *lister[T]) collector() *collector[T] {
	return &collector[T]{seen: map[string]struct{}{}, max: l.max, id: l.id, keep: l.keep}
}

func (l *lister[T]) list(ctx context.Context) ([]T, error) {
	out, err := l.keyset(ctx)
	if errors.Is(err, errKeysetMissing) {
		return l.offset(ctx)
	}
	return out, err
}

var errKeysetMissing = errors.New("keyset endpoint missing")

// maxEmptyPages bounds a keyset walk that keeps handing out fresh cursors
// with nothing in the pages.
const maxEmptyPages = 10

// fetch gets and decodes one page.
func (l *lister[T]) fetch(ctx context.Context, path string, q url.Values) (page[T], error) {
	body, err := l.c.Endpoint.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: path, Query: q, Safe: true})
	if err != nil {
		return page[T]{}, err
	}
	p, err := l.decode(body)
	if err != nil {
		return page[T]{}, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: path, Status: http.StatusOK, Message: bound(err.Error())}
	}
	return p, nil
}

// keyset follows next_cursor as after_cursor until the cursor is null,
// empty or "LTE=" (never sending offset, which the endpoint rejects). A 404
// on the first page means the endpoint is missing: errKeysetMissing.
func (l *lister[T]) keyset(ctx context.Context) ([]T, error) {
	acc := l.collector()
	seen := map[string]bool{}
	cursor := ""
	empty := 0 // consecutive pages without items
	for first := true; ; first = false {
		q := cloneValues(l.query)
		q.Set("limit", strconv.Itoa(l.keysetLimit))
		if cursor != "" {
			q.Set("after_cursor", cursor)
		}
		p, err := l.fetch(ctx, l.keysetPath, q)
		if err != nil {
			if first && errors.Is(err, polymarket.ErrNotFound) {
				return nil, errKeysetMissing
			}
			return nil, err
		}
		acc.add(p.items)
		if acc.full() || p.next == "" || p.next == "LTE=" {
			return acc.out, nil
		}
		if p.raw == 0 {
			empty++
		} else {
			empty = 0
		}
		if empty > maxEmptyPages {
			return nil, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: l.keysetPath, Status: http.StatusOK,
				Message: strconv.Itoa(empty) + " empty pages in a row, each with a new next_cursor"}
		}
		if seen[p.next] {
			return nil, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: l.keysetPath, Status: http.StatusOK,
				Message: "next_cursor " + strconv.Quote(bound(p.next)) + " came back twice"}
		}
		seen[p.next] = true
		cursor = p.next
	}
}

// offset pages with limit/offset. The first page is fetched alone; if it is
// short but not empty, one more page at offset len(first) tells "that was
// everything" from "the venue caps limit below ours" (the probe costs one
// request on small lists and keeps a silently capped limit from truncating
// the scan). Then pages are fetched concurrently, at most c.Concurrency at
// a time and at most 2·Concurrency pages ahead of the merged prefix, until
// a short page, MaxOffset, max items or an error; results are merged in
// offset order. A page holding only items already listed means the venue
// ignores offset: ErrMalformed rather than looping to MaxOffset.
func (l *lister[T]) offset(ctx context.Context) ([]T, error) {
	acc := l.collector()
	limit := l.offsetLimit
	first, err := l.offsetPage(ctx, 0, limit)
	if err != nil {
		return nil, err
	}
	acc.add(first.items)
	if acc.full() || first.raw == 0 {
		return acc.out, nil
	}
	base := first.raw
	if first.raw < limit && first.raw < MaxOffset {
		probe, err := l.offsetPage(ctx, first.raw, limit)
		if err != nil {
			return nil, err
		}
		if acc.add(probe.items) == 0 && len(probe.items) > 0 {
			return nil, l.offsetIgnored(first.raw)
		}
		if acc.full() || probe.raw < first.raw {
			return acc.out, nil
		}
		limit = first.raw // the venue's own cap
		base = first.raw + probe.raw
	}
	return l.offsetFrom(ctx, acc, base, limit)
}

// offsetFrom fetches pages at base, base+limit, … concurrently.
func (l *lister[T]) offsetFrom(ctx context.Context, acc *collector[T], base, limit int) ([]T, error) {
	conc := l.c.Concurrency
	if conc <= 0 {
		conc = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		j   int
		p   page[T]
		err error
	}
	results := make(chan result)
	pending := map[int]page[T]{}
	next, merged, inflight, stop := 0, 0, 0, -1 // stop: index of the first short page
	done := false
	var firstErr error
	for {
		// At most conc requests in flight, and none more than 2·conc pages
		// ahead of the merged prefix (a slow page must not let the rest
		// run off towards MaxOffset).
		for !done && firstErr == nil && inflight < conc && next < merged+2*conc && (stop < 0 || next <= stop) {
			off := base + next*limit
			if off >= MaxOffset {
				break
			}
			inflight++
			go func(j, off int) {
				p, err := l.offsetPage(ctx, off, limit)
				results <- result{j, p, err}
			}(next, off)
			next++
		}
		if inflight == 0 {
			break
		}
		r := <-results
		inflight--
		if done || firstErr != nil || stop >= 0 && r.j > stop {
			continue // cancelled or past the end: ignore
		}
		if r.err != nil {
			firstErr = r.err
			cancel()
			continue
		}
		pending[r.j] = r.p
		if r.p.raw < limit && (stop < 0 || r.j < stop) {
			stop = r.j
		}
		for !done {
			p, ok := pending[merged]
			if !ok {
				break
			}
			delete(pending, merged)
			if acc.add(p.items) == 0 && len(p.items) > 0 {
				// Only markets already seen: the venue ignores offset (or
				// shifted a whole page); going on would loop to MaxOffset.
				firstErr = l.offsetIgnored(base + merged*limit)
				cancel()
				break
			}
			if acc.full() || merged == stop {
				done = true
				cancel()
			}
			merged++
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if !done {
		return acc.out, ErrOffsetCap
	}
	return acc.out, nil
}

func (l *lister[T]) offsetIgnored(off int) error {
	return &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: l.offsetPath, Status: http.StatusOK,
		Message: "the page at offset " + strconv.Itoa(off) + " only repeats items already listed (offset ignored?)"}
}

func (l *lister[T]) offsetPage(ctx context.Context, off, limit int) (page[T], error) {
	q := cloneValues(l.query)
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(off))
	return l.fetch(ctx, l.offsetPath, q)
}

func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q)+3)
	for k, v := range q {
		c[k] = v
	}
	return c
}
