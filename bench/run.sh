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
