package scanner

// zxSettings is zxing-cpp's setting for a decoder's mode.
func zxSettings(o Options) zxConfig {
	c := zxConfig{aztec: !o.QROnly, microQR: true, harder: true, rotate: true, invert: true, down: true}
	return c
}
