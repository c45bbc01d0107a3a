// Package status serves the checkpoint's local admin web page: health at a
// glance, the gate and LED state, counters and the last decisions live, plus
// /status.json and /metrics for monitoring.
//
// # Routes
//
//	GET  /              the page (public, read-only)
//	GET  /partial/tiles the status tiles as an HTML fragment, for the page's refresh (public)
//	GET  /events        decisions as server-sent events, text/event-stream (public)
//	GET  /status.json   Snapshot and HealthInfo as one JSON document (public)
//	GET  /metrics       Prometheus metrics (public)
//	GET  /assets/...    embedded CSS and JavaScript
//	POST /login         log in with the admin password (rate limited)
//	POST /logout        end the session
//	POST /gate/open     open the gate once (login)
//	POST /sync          sync with the hub now (login)
//	GET  /export.csv    the pass log as CSV (login)
//
// The read-only views are public on the local network by default: they carry
// no names or birth dates (a [checkpoint.Event] has none) and a kiosk's
// operator must see its state without a password. Set
// [Config.PrivateViews] to put them behind the login too; /status.json and
// /metrics stay public for monitoring either way.
//
// # Security
//
// The admin password is stored as a bcrypt hash ([HashPassword]); without
// one, login is disabled and the page says so. A session is a random 32-byte
// id in an HttpOnly, SameSite=Strict cookie (Secure under TLS or when
// [Config.SecureCookies] is set) that expires. Every POST carries a CSRF
// token, compared in constant time: the session's token once logged in, a
// double-submit cookie for the login form itself; a missing or forged token
// is refused with 403 before anything runs. Login attempts are limited per
// client address and globally, answering 429 with Retry-After. Every
// response carries a Content-Security-Policy without inline scripts,
// X-Frame-Options DENY and Cache-Control no-store (except the assets).
//
// # Languages
//
// All strings of the page live in an embedded message catalogue
// (assets/messages.json), in English and Vietnamese. The language comes from
// ?lang=vi|en (remembered in a cookie), then the cookie, then the site's
// language ([Config.Language], chotd's status.language), then Accept-Language.
//
// # Caveats
//
// Sessions and rate-limit windows live in memory: a restart logs everyone
// out. The client address is the TCP peer; a reverse proxy in front would
// make every client one address for the per-address limit.
package status
