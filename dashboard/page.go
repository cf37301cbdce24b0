package dashboard

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// The page is server-rendered with html/template, which escapes every value
// (market names and error texts are third-party text: the ancestor's
// innerHTML tables were an XSS hole). It refreshes itself every 5 s without
// JavaScript; the full UI arrives with a later issue.
var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"ago": func(t time.Time, now time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return now.Sub(t).Round(time.Second).String() + " ago"
	},
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"secs": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return (time.Duration(*p * float64(time.Second))).Round(100 * time.Millisecond).String()
	},
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>Vig — {{.Bot.Status}}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#0f1419;color:#e6e6e6}
header{padding:12px 20px;background:#161b22;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
h1{font-size:20px;margin:0} h2{font-size:16px;margin:20px 0 8px}
main{padding:0 20px 20px}
.badge{padding:3px 10px;border-radius:12px;font-weight:600;text-transform:uppercase;font-size:13px}
.running{background:#1f6f43}.starting{background:#6b5b12}.offline,.error{background:#8b1e1e}.stopped,.unknown{background:#444}
.paused,.halted,.backoff,.restarting{background:#8a5a00}.failed{background:#8b1e1e}
.banner{background:#5c3b00;padding:8px 20px}
table{border-collapse:collapse;width:100%;max-width:1100px} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #2a313a;vertical-align:top}
th{color:#9aa5b1;font-weight:500} .muted{color:#9aa5b1} .err{color:#ff9b9b;word-break:break-word}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0} dt{color:#9aa5b1}
</style>
</head>
<body>
<header>
<h1>Vig</h1>
<span id="bot-status" class="badge {{.Bot.Status}}">bot {{.Bot.Status}}</span>
<span id="intent" class="badge {{.Bot.Intent.State}}">intent {{.Bot.Intent.State}}</span>
<span class="muted">{{if .PaperMode}}paper mode{{else}}LIVE mode{{end}} · {{.Database}} · dashboard {{.Version}}</span>
</header>
{{if .Bot.SnapshotStale}}<div class="banner" id="stale">Database unavailable: showing data from {{ago .Snap.TakenAt .Now}}. {{.Bot.SnapshotError}}</div>{{end}}
<main>
<h2>Bot</h2>
<dl>
<dt>Status</dt><dd>{{.Bot.Status}}</dd>
<dt>Activity</dt><dd id="activity">{{.Bot.Activity}}</dd>
<dt>Heartbeat age</dt><dd id="heartbeat-age">{{secs .Bot.HeartbeatAgeSec}}</dd>
<dt>Instance</dt><dd>{{.Bot.Instance}} {{.Bot.Version}}</dd>
<dt>Restarts</dt><dd>{{.Bot.Restarts}}</dd>
{{if .Bot.ErrorMessage}}<dt>Last error</dt><dd class="err">{{.Bot.ErrorMessage}}</dd>{{end}}
<dt>Operator intent</dt><dd>{{.Bot.Intent.State}}{{if .Bot.Intent.Reason}}: {{.Bot.Intent.Reason}}{{end}} <span class="muted">(by {{.Bot.Intent.SetBy}}{{if not .Bot.Intent.SetAt.IsZero}}, {{utc .Bot.Intent.SetAt}}{{end}})</span></dd>
</dl>
<h2>Subservices</h2>
<table id="services">
<tr><th>Service</th><th>State</th><th>Restarts</th><th>Since</th><th>Last error</th></tr>
{{range .Bot.Services}}<tr><td>{{.Service}}</td><td><span class="badge {{.State}}">{{.State}}</span></td><td>{{.Restarts}}</td><td>{{ago .Since $.Now}}</td><td class="err">{{.LastError}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">no subservice has reported yet</td></tr>{{end}}
</table>
<h2>Supervision events</h2>
<table id="events">
<tr><th>When</th><th>Tree</th><th>Area</th><th>Service</th><th>Event</th><th>Message</th></tr>
{{range .Events}}<tr><td>{{utc .At}}</td><td>{{.Tree}}</td><td>{{.Supervisor}}</td><td>{{.Service}}</td><td>{{.Kind}}</td><td class="err">{{.Message}}</td></tr>
{{else}}<tr><td colspan="6" class="muted">none</td></tr>{{end}}
</table>
</main>
</body>
</html>
`))

func handlePage(log *slog.Logger, snaps *Snapshots, clk clock.Clock, opts Options) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := clk.Now()
		s := snaps.Load()
		evs := s.Events
		if len(evs) > 20 {
			evs = evs[:20]
		}
		data := map[string]any{
			"Bot": computeBotView(s, now, opts.BotStaleAfter), "Snap": s, "Now": now, "Events": evs,
			"PaperMode": opts.PaperMode, "Database": opts.Database, "Version": vig.Version,
		}
		var buf bytes.Buffer
		if err := pageTmpl.Execute(&buf, data); err != nil {
			log.Error("render page", "err", err.Error())
			jsonError(w, http.StatusInternalServerError, "internal error")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	}
}
