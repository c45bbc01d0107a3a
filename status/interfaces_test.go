package status

import "github.com/chot-dev/chot/checkpoint"

// The checkpoint itself is the page's Source.
var _ Source = (*checkpoint.Checkpoint)(nil)

// The fakes satisfy what they stand for.
var (
	_ Source  = (*fakeSource)(nil)
	_ Actions = (*fakeActions)(nil)
	_ PassLog = (*fakeLog)(nil)
	_ Health  = fakeHealth{}
)
