//go:build nocv

package scanner

// HaveZXingCPP reports whether this build links zxing-cpp (it does unless
// built with -tags nocv).
const HaveZXingCPP = false

// zxReader stands in for zxing-cpp in a pure-Go build: it reads nothing, and
// the cascade goes on to gozxing.
type zxReader struct{}

func newZXReader(zxConfig) *zxReader { return nil }

func (*zxReader) read([]byte, int, int, int, func(string)) (n, located int) { return 0, 0 }

// ZXingCPP is zxing-cpp alone; in a pure-Go build it reads nothing.
type ZXingCPP struct{}

// NewZXingCPP returns the stand-in.
func NewZXingCPP() *ZXingCPP { return &ZXingCPP{} }

// DecodeGray reads nothing without zxing-cpp.
func (*ZXingCPP) DecodeGray([]byte, int, int, int) []string { return nil }
