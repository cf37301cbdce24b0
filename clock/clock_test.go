package clock_test

import (
	"testing"
	"time"

	"github.com/vig-bot/vig/clock"
)

func TestFake(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	a := f.After(2 * time.Second)
	b := f.After(time.Second)
	if got, want := f.Waiters(), 2; got != want {
		t.Fatalf("waiters = %d, want %d", got, want)
	}
	f.Advance(time.Second)
	select {
	case got := <-b:
		if want := start.Add(time.Second); !got.Equal(want) {
			t.Errorf("b fired at %v, want %v", got, want)
		}
	default:
		t.Fatal("b did not fire after 1s")
	}
	select {
	case <-a:
		t.Fatal("a fired early")
	default:
	}
	f.Advance(time.Second)
	select {
	case <-a:
	default:
		t.Fatal("a did not fire after 2s")
	}
	if got := f.Now(); !got.Equal(start.Add(2 * time.Second)) {
		t.Errorf("now = %v", got)
	}
	if !f.BlockUntil(0, time.Millisecond) {
		t.Error("BlockUntil(0) should succeed at once")
	}
	if f.BlockUntil(1, 20*time.Millisecond) {
		t.Error("BlockUntil(1) with no timers should time out")
	}
}
