// Package formats lists every credential format chot reads, in the order
// the verifier tries them: the one place a new format is wired in, for the
// CLI and the daemon alike.
package formats

import (
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/cccd"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/shc"
)

// Handlers returns a handler of each format: HCERT (EU DCC and the WHO's
// DDCC and DVC), SMART Health Cards, Vietnam's CCCD.
func Handlers() []verify.Handler {
	return []verify.Handler{dcc.New(), shc.New(), cccd.New()}
}

// New returns a verifier of every format.
func New() *verify.Verifier { return verify.New(Handlers()...) }
