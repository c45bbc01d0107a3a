package scanner

import (
	"errors"
	"fmt"
	"image"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	multidetector "github.com/makiuchi-d/gozxing/multi/qrcode/detector"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	qrdetector "github.com/makiuchi-d/gozxing/qrcode/detector"
)

// ErrNoCode is returned when a picture holds no code that could be decoded.
var ErrNoCode = errors.New("scanner: no code found")

// ErrBadFrame is returned for a frame whose size and buffer do not agree.
var ErrBadFrame = errors.New("scanner: bad frame geometry")

// ErrDecoderFault is returned when the decoding library panicked on a frame
// (a bug in it, not in the frame): the frame is given up, the process and
// the Decoder go on.
var ErrDecoderFault = errors.New("scanner: decoder fault")

// Options tune a Decoder. The zero value reads QR and Aztec codes and runs the
// whole cascade on every call, which suits single pictures.
type Options struct {
	// QROnly turns the Aztec reader off.
	QROnly bool
	// Streaming suits a camera: each call runs the cheap passes (the plane as
	// it is, then inverted), the contrast stretch if the frame is dull, and
	// at most one other fallback, the fallbacks taking turns from call to
	// call. Empty frames stay cheap; a code held in front of the camera is
	// tried with every fallback within a few frames.
	Streaming bool
	// FallbackEvery, with Streaming, runs one of the rotating fallbacks on
	// one frame in this many. With zxing-cpp, zero means 4, and half as many
	// while a pass locates a code it cannot decode: seven fallbacks, each
	// tried within 14–28 frames (one second at 15–30 frames a second of a
	// code held up). Pure Go (PureGo or -tags nocv), zero means 2, and every
	// frame while the cheap passes see finder patterns. 1: every frame.
	FallbackEvery int
	// PureGo leaves zxing-cpp out of the cascade (a -tags nocv build has
	// only the pure-Go engine anyway).
	PureGo bool
}

// Decoder finds the QR and Aztec codes in gray pictures. It reuses buffers
// between calls: one Decoder per goroutine.
type Decoder struct {
	opts   Options
	zx     *zxReader // zxing-cpp, the first engine; nil without it
	zxAll  *zxReader // zxing-cpp trying harder (Streaming: a fallback)
	zxGlob *zxReader // zxing-cpp with its global binarizer (pictures)
	eq     *claher   // OpenCV's CLAHE; nil without it
	qr     *qrdecoder.Decoder
	az     *aztec.AztecReader
	plane  []byte    // contiguous copy of a strided input, or a converted image
	work   []byte    // a prepared plane (stretch, median)
	big    []byte    // the 2× upscaled plane
	pad    []byte    // the plane inside a margin
	bin    binarizer // for the plane as it is and prepared planes
	binB   binarizer // for the upscaled plane
	hints  map[gozxing.DecodeHintType]any
	seen   int  // finder-pattern candidates seen by the QR detector this pass
	next   int  // Streaming: the fallback to run on the next empty frame
	empty  int  // Streaming: empty frames so far
	hint   bool // Streaming: the last frame's passes saw a code they could not read
	texts  []string
	doubt  []string // texts read that fail their format's checks
}

// NewDecoder returns a Decoder with the given options.
func NewDecoder(opts Options) *Decoder {
	d := &Decoder{opts: opts, qr: qrdecoder.NewDecoder(), az: aztec.NewAztecReader()}
	if !opts.PureGo {
		d.zx, d.zxAll, d.zxGlob = newZXReader(zxFirst(opts)), newZXReader(zxHarder(opts)), newZXReader(zxGlobal(opts))
		d.eq = newClaher()
	}
	d.hints = map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: gozxing.ResultPointCallback(func(gozxing.ResultPoint) { d.seen++ }),
	}
	return d
}

// DecodeImage decodes every code in img. It converts img to gray once.
func (d *Decoder) DecodeImage(img image.Image) ([]string, error) {
	var w, h int
	d.plane, w, h = toGray(img, d.plane)
	return d.decode(d.plane, w, h)
}

// DecodeGray decodes every code in an 8-bit gray plane of w×h pixels whose
// rows start stride bytes apart. It returns the texts found, in the order
// found and without duplicates, or ErrNoCode. pix is only read.
func (d *Decoder) DecodeGray(pix []byte, w, h, stride int) ([]string, error) {
	if w <= 0 || h <= 0 || stride < w || len(pix) < (h-1)*stride+w {
		return nil, fmt.Errorf("%w: %d×%d stride %d in %d bytes", ErrBadFrame, w, h, stride, len(pix))
	}
	if stride != w {
		d.plane = grow(d.plane, w*h)
		for y := 0; y < h; y++ {
			copy(d.plane[y*w:(y+1)*w], pix[y*stride:y*stride+w])
		}
		pix = d.plane
	}
	return d.decode(pix[:w*h], w, h)
}

// decode runs the cascade on a contiguous plane. A panic inside gozxing
// becomes ErrDecoderFault: a kiosk must not die of one odd frame.
func (d *Decoder) decode(pix []byte, w, h int) (texts []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			texts, err = nil, fmt.Errorf("%w: %v", ErrDecoderFault, r)
		}
	}()
	d.texts, d.doubt = d.texts[:0], d.doubt[:0]
	d.cascade(pix, w, h)
	switch {
	case len(d.texts) > 0:
		return slices.Clone(d.texts), nil
	case len(d.doubt) > 0:
		// Read, but failing its format's checks, by every engine that
		// read anything: the verifier says why it is refused.
		return slices.Clone(d.doubt), nil
	}
	return nil, ErrNoCode
}

// readBoth reads m, then m inverted if nothing was found. m is left as it
// was. It reports whether a code was seen but not read.
func (d *Decoder) readBoth(m *gozxing.BitMatrix) bool {
	hint := d.read(m)
	if len(d.texts) > 0 {
		return hint
	}
	m.FlipAll()
	hint = d.read(m) || hint
	m.FlipAll()
	return hint
}

// read runs the QR and Aztec readers over one binarized picture, adding what
// they find to d.texts. It reports whether a code was located but could not be
// decoded.
func (d *Decoder) read(m *gozxing.BitMatrix) bool {
	d.seen = 0
	dets, err := multidetector.NewMultiDetector(m).DetectMulti(d.hints)
	if (err != nil || len(dets) == 0) && d.seen >= 3 {
		// The multi-code finder is stricter about which patterns make a
		// code; the single-code one catches what it drops. With fewer than
		// three candidates it would find nothing either.
		if det, err := qrdetector.NewDetector(m).Detect(nil); err == nil {
			dets = append(dets[:0], det)
		}
	}
	// Two finder-pattern candidates already say a code may be there.
	hint := d.seen >= 2
	for _, det := range dets {
		res, err := d.qr.Decode(det.GetBits(), nil)
		if err != nil {
			hint = true
			continue
		}
		d.add(resultText(res.GetText(), res.GetByteSegments()))
	}
	// A frame with both a QR and an Aztec code is not worth the Aztec
	// detector's time on every frame with a QR code.
	if !d.opts.QROnly && len(d.texts) == 0 {
		bm, err := gozxing.NewBinaryBitmap(fixedBinarizer{m})
		if err == nil {
			res, err := d.az.Decode(bm, nil)
			switch {
			case err == nil:
				segs, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_BYTE_SEGMENTS].([][]byte)
				d.add(resultText(res.GetText(), segs))
			case errors.As(err, new(gozxing.FormatException)), errors.As(err, new(gozxing.ChecksumException)):
				hint = true
			}
		}
	}
	return hint
}

// add keeps a text found by any engine, once, if it passes its format's
// checks (plausible); one that fails them is kept aside, returned only if
// no engine reads better.
func (d *Decoder) add(text string) {
	switch {
	case text == "" || slices.Contains(d.texts, text):
	case plausible(text):
		d.texts = append(d.texts, text)
	case !slices.Contains(d.doubt, text):
		d.doubt = append(d.doubt, text)
	}
}

// fixedBinarizer hands the readers an already binarized picture.
type fixedBinarizer struct{ m *gozxing.BitMatrix }

func (b fixedBinarizer) GetLuminanceSource() gozxing.LuminanceSource { return nil }
func (b fixedBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	return b.m.GetRow(y, row), nil
}
func (b fixedBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) { return b.m, nil }
func (b fixedBinarizer) CreateBinarizer(gozxing.LuminanceSource) gozxing.Binarizer {
	return b
}
func (b fixedBinarizer) GetWidth() int  { return b.m.GetWidth() }
func (b fixedBinarizer) GetHeight() int { return b.m.GetHeight() }
