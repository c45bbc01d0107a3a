// Package console is the hub's web console for operators, on /console/: the
// fleet (every device with its site, last report, health and the problems
// that need action first, filterable), one device (health history, recent
// decisions, enrollment and key, revoke, re-enrollment token), passes per
// hour by site and reason as a server-rendered SVG chart with a CSV export,
// trust bundles (the version each device runs, publishing) and enrollment
// tokens. English and Vietnamese.
//
// Pages are html/template with embedded assets and no script at all (the
// Content-Security-Policy allows none). Logins are users from the config
// with bcrypt hashes and two roles: operator (acts) and viewer (reads);
// logins are rate-limited per client. The session is a cookie signed with
// HMAC-SHA256 under Config.SessionKey and holds the user, role and expiry:
// any hub instance with the same key accepts it, so the console keeps no
// state of its own. Every POST needs the session's CSRF token (an HMAC of
// the session's nonce) and the operator role. Nothing here shows a name or
// a birth date: pass records carry none, and the subject hash is left out
// too.
//
// # Caveats
//
// A session cookie cannot be revoked before it expires (logging out deletes
// it from the browser only); keep SessionTTL short. The login rate limit is
// per process, so N instances allow N times the attempts.
package console
