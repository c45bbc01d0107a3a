//go:build nocv

package scanner

// claher needs OpenCV: a pure-Go build has none, and the cascade skips it.
type claher struct{}

func newClaher() *claher { return nil }

func (*claher) apply([]byte, int, int, []byte) []byte { return nil }
