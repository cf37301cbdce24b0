#!/usr/bin/env bash
# Runs vig's benchmarks and prints each as a ratio to its baseline measured
# in the same run (machines are noisy; ratios are what we compare).
#
#   bench/run.sh            # default: 5 rounds of 2 s each
#   ROUNDS=10 BENCHTIME=3s bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-2s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# dashboard HTTP: requests/second vs a bare net/http constant-JSON handler (loopback, 4×GOMAXPROCS clients)"
go test -run '^$' -bench 'BenchmarkHTTP' -benchtime "$BENCHTIME" -count "$ROUNDS" ./dashboard/ | tee "$out" >&2
# Median req/s per sub-benchmark, then the ratio to the baseline.
awk '
/^BenchmarkHTTP\// {
	split($1, p, "/"); name = p[2]; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) if ($(i+1) == "req/s") v[name, ++n[name]] = $i
}
function median(name,   k, j, t, a, c) {
	c = n[name]; for (k = 1; k <= c; k++) a[k] = v[name, k]
	for (k = 1; k <= c; k++) for (j = k + 1; j <= c; j++) if (a[j] < a[k]) { t = a[k]; a[k] = a[j]; a[j] = t }
	return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
	base = median("baseline")
	printf "\n| endpoint | median req/s | ratio to baseline | target |\n|---|---:|---:|---:|\n"
	printf "| baseline (constant JSON) | %.0f | 1.00 | — |\n", base
	split("health bot-status", names, " ")
	for (i = 1; i <= 2; i++) {
		m = median(names[i]); r = m / base
		printf "| /api/%s | %.0f | %.2f | ≥ 0.50%s |\n", names[i], m, r, (r >= 0.5 ? "" : " **MISSED**")
	}
}' "$out"

# median of a metric column for one benchmark name in a go test -bench output
median() { # file bench-regex unit
	awk -v re="$2" -v unit="$3" '
	$1 ~ re { for (i = 2; i <= NF; i++) if ($(i+1) == unit) v[++n] = $i }
	END {
		for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { t = v[k]; v[k] = v[j]; v[j] = t }
		if (n == 0) { print "NaN"; exit }
		print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}' "$1"
}

echo
echo "# order build + sign vs go-ethereum crypto.Sign of a 32-byte digest (single goroutine)"
go test -run '^$' -bench 'BenchmarkBuildAndSign$|BenchmarkCryptoSignFloor$' -benchmem -cpu 1 -benchtime "$BENCHTIME" -count "$ROUNDS" ./polymarket/order/ | tee "$out" >&2
sign=$(median "$out" '^BenchmarkBuildAndSign' ns/op)
floor=$(median "$out" '^BenchmarkCryptoSignFloor' ns/op)
awk -v s="$sign" -v f="$floor" 'BEGIN {
	printf "\n| benchmark | median ns/op | orders/s (1 core) | ratio to crypto.Sign |\n|---|---:|---:|---:|\n"
	printf "| crypto.Sign (floor) | %.0f | %.0f | 1.00 |\n", f, 1e9 / f
	printf "| LimitAmounts + OrderV2 + SignV2 | %.0f | %.0f | %.2f |\n", s, 1e9 / s, s / f
}'

echo
echo "# Gamma: decoding a 500-market page vs plain encoding/json into a minimal struct; full scan of vig sim with 10,000 markets"
go test -run '^$' -bench 'BenchmarkDecodeMarkets$|BenchmarkDecodeMinimal$' -benchmem -benchtime "$BENCHTIME" -count "$ROUNDS" ./polymarket/gamma/ | tee "$out" >&2
ours=$(median "$out" '^BenchmarkDecodeMarkets' ns/op)
minimal=$(median "$out" '^BenchmarkDecodeMinimal' ns/op)
go test -run '^$' -bench 'BenchmarkFullScan$' -benchtime 3x -count "$ROUNDS" ./polymarket/gamma/ | tee "$out" >&2
scan=$(median "$out" '^BenchmarkFullScan' s/scan)
mps=$(median "$out" '^BenchmarkFullScan' markets/s)
bpm=$(median "$out" '^BenchmarkFullScan' 'B/market(client+sim)')
awk -v o="$ours" -v m="$minimal" -v s="$scan" -v r="$mps" -v b="$bpm" 'BEGIN {
	printf "\n| measure | value | target |\n|---|---:|---:|\n"
	printf "| decode 500 markets, ours / minimal encoding/json | %.2f× (%.1f ms vs %.1f ms) | ≤ 3×%s |\n", o / m, o / 1e6, m / 1e6, (o / m <= 3 ? "" : " **MISSED**")
	printf "| full scan of 10,000 markets | %.3f s (%.0f markets/s) | < 1 s%s |\n", s, r, (s < 1 ? "" : " **MISSED**")
	printf "| bytes allocated per market in the scan (client + in-process sim) | %.0f B | — |\n", b
}'
