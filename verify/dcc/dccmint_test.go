package dcc

import (
	"testing"

	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

// TestMintPrefix checks that dccmint, which does not import this package,
// writes the prefix this package reads. (That its claims decode as issued
// is TestVerify's business.)
func TestMintPrefix(t *testing.T) {
	if dccmint.Prefix != Prefix {
		t.Errorf("dccmint.Prefix %q, dcc.Prefix %q", dccmint.Prefix, Prefix)
	}
}
