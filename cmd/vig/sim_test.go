package main

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// startSim runs `vig sim` and returns the settings it printed.
func startSim(t *testing.T, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(vigBin, append([]string{"sim", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("vig sim stderr:\n%s", stderr)
		}
	})
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for len(env) < 5 && time.Now().Before(deadline) && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	go io.Copy(io.Discard, out)
	for _, k := range []string{"POLYMARKET_GAMMA_URL", "POLYMARKET_CLOB_URL", "POLYMARKET_DATA_URL", "POLYMARKET_GEOBLOCK_URL"} {
		if !strings.HasPrefix(env[k], "http://127.0.0.1:") {
			t.Fatalf("vig sim did not print %s: %v", k, env)
		}
	}
	return env
}

func TestSimServesTheVenueAPIs(t *testing.T) {
	env := startSim(t, "--seed", "7")
	for _, path := range []string{env["POLYMARKET_GAMMA_URL"] + "/markets?limit=2", env["POLYMARKET_CLOB_URL"] + "/version", env["POLYMARKET_GEOBLOCK_URL"]} {
		code, body, err := httpGet(path)
		if err != nil || code != 200 {
			t.Errorf("GET %s = %d %v %s", path, code, err, body)
		}
	}
}

func newKeyHex(t *testing.T) (string, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return "0x" + hex.EncodeToString(crypto.FromECDSA(k)), k
}

func doctorEnv(t *testing.T, sim map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "vig.db")
	if code, _, stderr := runInProcess(t, map[string]string{"VIG_DB_PATH": db}, "migrate", "-env-file", filepath.Join(dir, "none")); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	env := map[string]string{"VIG_DB_PATH": db}
	for k, v := range sim {
		env[k] = v
	}
	return env
}

// vig doctor against the simulator passes every check in live mode, and
// prints no secret.
func TestDoctorAgainstSim(t *testing.T) {
	env := doctorEnv(t, startSim(t))
	keyHex, _ := newKeyHex(t)
	env["PAPER_MODE"] = "false"
	env["POLYGON_PRIVATE_KEY"] = keyHex
	code, stdout, stderr := runInProcess(t, env, "doctor", "-env-file", filepath.Join(t.TempDir(), "none"))
	if code != 0 {
		t.Fatalf("doctor = %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"config", "database", "geoblock", "clob direct", "order version", "api key", "balances"} {
		line := ""
		for _, l := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(l, want+" ") {
				line = l
			}
		}
		if !strings.Contains(line, "pass") {
			t.Errorf("check %q did not pass: %q\n%s", want, line, stdout)
		}
	}
	if strings.Contains(stdout+stderr, strings.TrimPrefix(keyHex, "0x")[:16]) {
		t.Error("doctor printed the private key")
	}
}

// Against a geoblocking simulator the doctor fails with a clear line.
func TestDoctorGeoblocked(t *testing.T) {
	env := doctorEnv(t, startSim(t, "--geoblocked"))
	code, stdout, _ := runInProcess(t, env, "doctor", "-env-file", filepath.Join(t.TempDir(), "none"))
	if code != 1 {
		t.Fatalf("doctor = %d, want 1\n%s", code, stdout)
	}
	if !strings.Contains(stdout, "geoblock") || !strings.Contains(stdout, "BLOCKED") {
		t.Errorf("no clear geoblock line:\n%s", stdout)
	}
}

// Paper mode without a key: the key-dependent checks are skipped, not failed.
func TestDoctorPaperMode(t *testing.T) {
	env := doctorEnv(t, startSim(t))
	code, stdout, _ := runInProcess(t, env, "doctor", "-env-file", filepath.Join(t.TempDir(), "none"))
	if code != 0 || !strings.Contains(stdout, "skip") {
		t.Fatalf("doctor = %d\n%s", code, stdout)
	}
}

// A plain HTTP forward proxy on loopback, like the residential proxy: the
// doctor must reach the CLOB and the geoblock check through it, and never
// print its password.
func TestDoctorThroughProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() || r.Header.Get("Proxy-Authorization") == "" {
			http.Error(w, "not a proxy request", http.StatusProxyAuthRequired)
			return
		}
		proxied.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	env := doctorEnv(t, startSim(t))
	const pw = "proxy-pw-CANARY"
	env["RESIDENTIAL_PROXY_URL"] = strings.Replace(proxy.URL, "http://", "http://user:"+pw+"@", 1)
	code, stdout, stderr := runInProcess(t, env, "doctor", "-env-file", filepath.Join(t.TempDir(), "none"))
	if code != 0 {
		t.Fatalf("doctor = %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "not blocked via proxy") || !regexp.MustCompile(`(?m)^clob via proxy\s+pass`).MatchString(stdout) {
		t.Errorf("proxy route not checked:\n%s", stdout)
	}
	if proxied.Load() < 2 {
		t.Errorf("proxy saw %d requests, want the geoblock and CLOB checks", proxied.Load())
	}
	if strings.Contains(stdout+stderr, pw) {
		t.Error("doctor printed the proxy password")
	}
}
