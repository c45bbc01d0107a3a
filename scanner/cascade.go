package scanner

// The cascade: which engine runs when (doc.go has the measurements behind
// the order).

// zxFirst is zxing-cpp's setting for the first pass. A camera frame gets the
// fast one: no try-harder, no rotation (QR and Aztec detection does not need
// it), no downscale, but inverted codes; it also reports symbols it located
// but could not decode, a hint that a code is in view. A picture gets the
// library's defaults (try harder, rotate, invert, downscale).
func zxFirst(o Options) zxConfig {
	c := zxConfig{aztec: !o.QROnly, microQR: true}
	if o.Streaming {
		c.invert, c.errors = true, true
		return c
	}
	c.defaults = true
	return c
}

// zxHarder is zxing-cpp trying everything: a streaming decoder's first
// fallback, and a picture's pass on prepared planes.
func zxHarder(o Options) zxConfig {
	return zxConfig{aztec: !o.QROnly, microQR: true, defaults: true}
}

// zxGlobal is zxing-cpp trying everything with its global-histogram
// binarizer: a picture's pass where the local one fails (large flat areas).
func zxGlobal(o Options) zxConfig {
	c := zxHarder(o)
	c.binarizer = 1
	return c
}

// cascade runs the engines in turn until one reads a text that passes its
// format's checks.
func (d *Decoder) cascade(pix []byte, w, h int) {
	switch {
	case d.zx == nil:
		if d.gozxing(pix, w, h); len(d.texts) == 0 && !d.opts.Streaming {
			d.picture(pix, w, h)
		}
	case d.opts.Streaming:
		d.streamZX(pix, w, h)
	default:
		d.pictureZX(pix, w, h)
	}
}

// gozxing is the pure-Go cascade: the cheap passes, then the fallbacks (in
// turn, with Streaming; all of them on a picture).
func (d *Decoder) gozxing(pix []byte, w, h int) {
	m, err := d.bin.binarize(pix, w, h)
	if err != nil {
		return
	}
	hint := d.readBoth(m)
	if len(d.texts) > 0 {
		return
	}
	if d.opts.Streaming {
		d.stream(pix, w, h, hint)
		return
	}
	for _, f := range fallbacks {
		fm := f.run(d, pix, w, h)
		if fm == nil {
			continue
		}
		if d.readBoth(fm); len(d.texts) > 0 {
			return
		}
	}
}

// stream runs the fallbacks a pure-Go streaming decoder can afford on a
// frame the cheap passes could not read: the stretch (which checks for
// itself whether the frame is dull) on every frame, then one of the others
// in turn, on every frame when the cheap passes saw a code (hint) and on one
// frame in FallbackEvery otherwise. A frame never costs more than the cheap
// passes and two fallbacks, even in a scene full of code-like patterns.
func (d *Decoder) stream(pix []byte, w, h int, hint bool) {
	d.empty++
	if fm := fallbacks[0].run(d, pix, w, h); fm != nil {
		d.readBoth(fm)
	}
	if len(d.texts) > 0 || (!hint && d.empty%d.every() != 0) {
		return
	}
	f := fallbacks[1+d.next%(len(fallbacks)-1)]
	d.next++
	if fm := f.run(d, pix, w, h); fm != nil {
		d.readBoth(fm)
	}
}

func (d *Decoder) every() int {
	if d.opts.FallbackEvery <= 0 {
		return 2
	}
	return d.opts.FallbackEvery
}

// streamSteps are a streaming decoder's fallbacks after zxing-cpp's fast
// pass, one a frame in turn: zxing-cpp trying harder, then gozxing (where it
// led: low contrast, noise) on the plane and on each prepared plane. Each
// reports whether it saw a code it could not read.
var streamSteps = []func(d *Decoder, pix []byte, w, h int) bool{
	func(d *Decoder, pix []byte, w, h int) bool {
		_, located := d.zxAll.read(pix, w, h, w, d.add)
		return located > 0
	},
	func(d *Decoder, pix []byte, w, h int) bool {
		m, err := d.bin.binarize(pix, w, h)
		return err == nil && d.readBoth(m)
	},
	func(d *Decoder, pix []byte, w, h int) bool {
		if d.eq == nil {
			return false
		}
		if d.work = d.eq.apply(pix, w, h, d.work); d.work == nil {
			return false
		}
		_, located := d.zxAll.read(d.work, w, h, w, d.add)
		return located > 0
	},
	goStep(0), goStep(1), goStep(2), goStep(3),
}

func goStep(i int) func(d *Decoder, pix []byte, w, h int) bool {
	return func(d *Decoder, pix []byte, w, h int) bool {
		fm := fallbacks[i].run(d, pix, w, h)
		return fm != nil && d.readBoth(fm)
	}
}

// streamZX is the camera cascade: zxing-cpp's fast pass on every frame;
// when it reads nothing, one of streamSteps, in turn: on one frame in
// FallbackEvery (default 4), or one in half as many while a pass sees a code
// it cannot read (code-like clutter in the background keeps that on, so it
// is not every frame). An empty 640×480 frame costs the fast pass (0.5 ms
// here) and a quarter of a step (1–4.6 ms).
func (d *Decoder) streamZX(pix []byte, w, h int) {
	_, located := d.zx.read(pix, w, h, w, d.add)
	if len(d.texts) > 0 {
		d.hint = false
		return
	}
	d.empty++
	every := d.opts.FallbackEvery
	if every <= 0 {
		every = 4
	}
	if located > 0 || d.hint {
		every = max(1, every/2)
	}
	if d.empty%every != 0 {
		return
	}
	step := streamSteps[d.next%len(streamSteps)]
	d.next++
	d.hint = step(d, pix, w, h) || located > 0
}

// pictureZX is the picture cascade with zxing-cpp: zxing-cpp trying
// everything on the plane and on its CLAHE-equalised copy, both (a photo
// with several codes gets those one pass missed); then, when they read
// nothing or several codes (a sheet of codes: more may be there), zxing-cpp
// with its global-histogram binarizer and gozxing; then, when still nothing
// was read, the picture-only steps (quiet zone, upscale).
func (d *Decoder) pictureZX(pix []byte, w, h int) {
	d.zx.read(pix, w, h, w, d.add)
	if d.work = d.eq.apply(pix, w, h, d.work); d.work != nil {
		d.zx.read(d.work, w, h, w, d.add)
	}
	if len(d.texts) == 1 {
		return
	}
	d.zxGlob.read(pix, w, h, w, d.add)
	if max(w, h) <= pureGoMaxSide {
		d.gozxing(pix, w, h)
	}
	if len(d.texts) == 0 {
		d.picture(pix, w, h)
	}
}

// pureGoMaxSide bounds the pictures gozxing gets in picture mode: on larger
// ones it is slow and, measured, reads nothing zxing-cpp did not.
const pureGoMaxSide = 2400

// CLAHE's clip limit and tiles a side (OpenCV's defaults: 40 is its clip
// limit, but 2 is the usual setting for text and codes; measured below).
const (
	claheClip  = 2
	claheTiles = 8
)
