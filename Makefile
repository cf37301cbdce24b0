# Day-to-day entry points. `make test` is the command the README and CI use.

.PHONY: test build run bench lint

# Runs every test; starts a throwaway PostgreSQL when its binaries are
# installed (see scripts/test.sh).
test:
	bash scripts/test.sh

build:
	go build -o bin/vig ./cmd/vig

# Runs the bot and the dashboard locally (SQLite, no setup).
run:
	go run ./cmd/vig dev

bench:
	bash bench/run.sh

lint:
	go vet ./...
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt needed on:"; echo "$$unformatted"; exit 1; \
	fi
