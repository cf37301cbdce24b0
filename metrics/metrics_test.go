package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/metrics"
)

func TestRegistryLint(t *testing.T) {
	reg := metrics.NewRegistry(vig.BuildInfo{Version: "v9", Revision: "abc", GoVersion: "go1.26"})
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestHandler(t *testing.T) {
	reg := metrics.NewRegistry(vig.BuildInfo{Version: "v9", Revision: "abc", GoVersion: "go1.26"})
	srv := httptest.NewServer(metrics.Handler(reg, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`vig_build_info{goversion="go1.26",revision="abc",version="v9"} 1`,
		"go_goroutines",
		"process_start_time_seconds",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics output lacks %q", want)
		}
	}
}
