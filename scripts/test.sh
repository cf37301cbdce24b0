#!/usr/bin/env bash
# Runs vig's tests with everything they can use:
#
#   - a throwaway PostgreSQL cluster (initdb on a free loopback port, fsync
#     off), exported as VIG_TEST_DATABASE_URL, so the store conformance suite
#     also runs against PostgreSQL; stopped and deleted on any exit;
#   - promtool, exported as VIG_PROMTOOL, for `promtool check metrics` on
#     both services' /metrics (and, later, the rule tests);
#   - headless Chromium, exported as VIG_CHROMIUM, for the web UI tests.
#
# Missing tools skip their tests with a loud banner. CI sets
# VIG_REQUIRE_POSTGRES=1 / VIG_REQUIRE_PROMTOOL=1 / VIG_REQUIRE_CHROMIUM=1 to
# turn a skip into a failure.
#
# Usage: scripts/test.sh [go test args...]   (default: ./...)
#   scripts/test.sh -run Conformance ./store/...
set -euo pipefail

cd "$(dirname "$0")/.."

banner() {
	{
		echo
		echo "######################################################################"
		while [ $# -gt 0 ]; do
			echo "##  $1"
			shift
		done
		echo "######################################################################"
		echo
	} >&2
}

# find_pg_bindir prints the first directory holding initdb, pg_ctl and
# postgres: the one on PATH, else the newest /usr/lib/postgresql/*/bin
# (Debian installs the server binaries there, off PATH).
find_pg_bindir() {
	local dirs=() d
	if d=$(command -v initdb 2>/dev/null); then
		dirs+=("$(dirname "$d")")
	fi
	while IFS= read -r d; do
		dirs+=("$d")
	done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV)
	for d in ${dirs[@]+"${dirs[@]}"}; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# free_port prints a TCP port that nothing on 127.0.0.1 listens on.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	local p i
	for i in $(seq 1 100); do
		p=$((20000 + RANDOM % 40000))
		# A refused connection means the port is free.
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "test.sh: no free TCP port found" >&2
	return 1
}

PGDIR=""
PGUSER_RUN=() # command prefix to run PostgreSQL tools as a non-root user

cleanup() {
	local rc=$?
	if [ -n "$PGDIR" ]; then
		if [ -f "$PGDIR/data/postmaster.pid" ]; then
			"${PGUSER_RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
		fi
		rm -rf "$PGDIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if PGBIN=$(find_pg_bindir); then
	PGDIR=$(mktemp -d /tmp/vigpg.XXXXXX)
	chmod 755 "$PGDIR"
	PGUSER_RUN=(env)
	if [ "$(id -u)" = 0 ]; then
		# initdb refuses to run as root: use Debian's postgres user, or a
		# system user of our own.
		runas=postgres
		if ! id -u "$runas" >/dev/null 2>&1; then
			runas=vigtest
			id -u "$runas" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$runas"
		fi
		mkdir "$PGDIR/sock"
		chown -R "$runas" "$PGDIR"
		PGUSER_RUN=(runuser -u "$runas" --)
	else
		mkdir "$PGDIR/sock"
	fi
	PGPORT=$(free_port)
	echo "test.sh: starting PostgreSQL from $PGBIN on 127.0.0.1:$PGPORT (data in $PGDIR)" >&2
	if ! "${PGUSER_RUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U vig --auth=trust -E UTF8 --no-locale >"$PGDIR/initdb.log" 2>&1; then
		cat "$PGDIR/initdb.log" >&2
		echo "test.sh: initdb failed" >&2
		exit 1
	fi
	if ! "${PGUSER_RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/data/log" -w \
		-o "-p $PGPORT -k $PGDIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
		start >/dev/null; then
		cat "$PGDIR/data/log" >&2 || true
		echo "test.sh: PostgreSQL did not start" >&2
		exit 1
	fi
	export VIG_TEST_DATABASE_URL="postgres://vig@127.0.0.1:$PGPORT/postgres?sslmode=disable"
else
	if [ "${VIG_REQUIRE_POSTGRES:-}" = 1 ]; then
		banner "VIG_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries (initdb, pg_ctl," \
			"postgres) were found on PATH or in /usr/lib/postgresql/*/bin." \
			"Install them: apt-get install postgresql"
		exit 1
	fi
	banner "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found:" \
		"the PostgreSQL half of the store conformance suite is SKIPPED." \
		"Only the SQLite store is being tested. To test both, install PostgreSQL" \
		"(Debian/Ubuntu: apt-get install postgresql) and run this script again."
fi

if VIG_PROMTOOL=$(command -v promtool 2>/dev/null); then
	export VIG_PROMTOOL
else
	unset VIG_PROMTOOL
	if [ "${VIG_REQUIRE_PROMTOOL:-}" = 1 ]; then
		banner "VIG_REQUIRE_PROMTOOL=1 but promtool is not on PATH." \
			"Install it: apt-get install prometheus"
		exit 1
	fi
	banner "promtool not found: the Prometheus checks (promtool check metrics)" \
		"are SKIPPED. Install it (Debian/Ubuntu: apt-get install prometheus) and run" \
		"this script again."
fi

if VIG_CHROMIUM=$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null); then
	export VIG_CHROMIUM
else
	unset VIG_CHROMIUM
	if [ "${VIG_REQUIRE_CHROMIUM:-}" = 1 ]; then
		banner "VIG_REQUIRE_CHROMIUM=1 but chromium is not on PATH." \
			"Install it: apt-get install chromium"
		exit 1
	fi
	banner "chromium not found: the headless-browser tests of the dashboard page" \
		"are SKIPPED. Install it (Debian: apt-get install chromium) and run this" \
		"script again."
fi

# Not exec: the EXIT trap must still stop PostgreSQL, and it keeps go test's
# exit status.
go test -race -count=1 "${@:-./...}"
