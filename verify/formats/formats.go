// Package formats lists every credential format chot reads, in the order
// the verifier tries them: the one place a new format is wired in, for the
// CLI and the daemon alike.
package formats

import (
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/cccd"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/divoc"
	"github.com/chot-dev/chot/verify/shc"
	"github.com/chot-dev/chot/verify/vdsnc"
)

// Handlers returns a handler of each format: HCERT (EU DCC and the WHO's
// DDCC and DVC), ICAO VDS-NC, SMART Health Cards, DIVOC, Vietnam's CCCD.
func Handlers() []verify.Handler {
	return []verify.Handler{dcc.New(), vdsnc.New(), shc.New(), divoc.New(), cccd.New()}
}

// New returns a verifier of every format.
func New() *verify.Verifier { return verify.New(Handlers()...) }
