// Railway Infrastructure as Code for the vig project.
//
// EXPERIMENTAL. Railway IaC is experimental and its DSL may change. This file
// is evaluated only by the Railway CLI (`railway config plan` / `apply`); a
// deploy never reads it. It replaces railway.toml / railway.bot.toml, which
// Railway stops reading on 2026-12-01. A service cannot be managed by both
// systems: run `railway config plan` only after both services were migrated
// off the .toml files (see .railway/README.md and docs/deploy-railway.md).
//
// NOT expressible here (no DSL key):
//   - restart policy (ON_FAILURE, max 10 retries; also Railway's default):
//     set with `railway environment edit`, see .railway/README.md;
//   - draining / overlap seconds: no DSL key, so they are set below through
//     the documented service variables RAILWAY_DEPLOYMENT_DRAINING_SECONDS and
//     RAILWAY_DEPLOYMENT_OVERLAP_SECONDS.
//
// Secrets never appear in this file. preserve() keeps the value already set in
// Railway; set those values in the Railway UI (seal them).
//
// Before the first plan against an existing project: the database and service
// names below must match the names on the Railway canvas exactly, or the plan
// creates new resources (a new, empty database). Compare with
// `railway config pull` output first.

import { defineRailway, github, postgres, preserve, project, service } from "railway/iac";

export default defineRailway(() => {
  const db = postgres("postgres");

  // One repository, one binary (`go build -o bin/vig ./cmd/vig`), two
  // subcommands. Railpack detects Go from go.mod.
  const source = github("vig-bot/vig", { branch: "main" });
  const build = "go build -o bin/vig ./cmd/vig";

  // Must exceed VIG_SHUTDOWN_TIMEOUT (default 10s); Railway's default is 0.
  const drainingSeconds = "15";

  // Paper trading unless this line is changed in a reviewed commit; both
  // services read it. `railway config apply` resets a value edited in the UI.
  const paperMode = "true";

  const dashboard = service("vig-dashboard", {
    source,
    build,
    start: "./bin/vig dashboard", // listens on $PORT, all interfaces
    healthcheck: "/api/health", // deploy-time gate; 200 for pass and warn
    healthcheckTimeout: 120,
    env: {
      // Same database as the bot. Without DATABASE_URL vig falls back to a
      // local SQLite file, i.e. an empty database on an ephemeral disk.
      DATABASE_URL: db.env.DATABASE_URL,
      PAPER_MODE: paperMode,
      RAILWAY_DEPLOYMENT_DRAINING_SECONDS: drainingSeconds,
      // Never POLYGON_PRIVATE_KEY here: only the bot signs orders.
    },
  });

  const bot = service("vig-bot", {
    source,
    build,
    start: "./bin/vig bot", // no public port; ops listener on :9091
    // No healthcheck: Railway would probe $PORT, which the bot does not serve.
    replicas: 1, // exactly one bot: two bots must never trade at once
    env: {
      DATABASE_URL: db.env.DATABASE_URL,
      PAPER_MODE: paperMode,
      POLYGON_PRIVATE_KEY: preserve(), // secret, bot only
      RESIDENTIAL_PROXY_URL: preserve(), // secret (credentials in the URL)
      VIG_BOT_METRICS_ADDR: ":9091", // ":port" listens dual-stack (IPv4 + IPv6)
      RAILWAY_DEPLOYMENT_DRAINING_SECONDS: drainingSeconds,
      // The old bot must not stay up after the new one is active. Railway
      // still overlaps briefly at switch-over; the bot's Postgres advisory
      // lock (added with the trading work) covers that window.
      RAILWAY_DEPLOYMENT_OVERLAP_SECONDS: "0",
    },
  });

  return project("vig", {
    resources: [db, dashboard, bot],
  });
});
