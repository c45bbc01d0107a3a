//go:build !nocv

package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"gocv.io/x/gocv"
)

// This file and contrast.go are the package's only users of gocv (OpenCV); build with
// -tags nocv for a pure-Go scanner without camera and video sources.

// CaptureOptions describe a camera or a video file. Zero values leave the
// driver's defaults.
type CaptureOptions struct {
	// Device is a camera index ("0"), a device path ("/dev/video0") or a
	// video file.
	Device        string
	Width, Height int
	FPS           float64
	// FourCC asks the camera for a pixel format: "MJPG" (more frames
	// a second over USB 2) or "YUYV".
	FourCC string
	// Loop replays a video file from the start at its end instead of
	// returning io.EOF.
	Loop bool
	// Now stamps the frames; nil means time.Now.
	Now func() time.Time
}

// ErrNoFrame is returned when the device gives no frame (unplugged, or a
// file that cannot be read).
var ErrNoFrame = errors.New("scanner: no frame from the device")

// CaptureSource reads frames from a camera or a video file through OpenCV.
type CaptureSource struct {
	opts  CaptureOptions
	vc    *gocv.VideoCapture
	mat   gocv.Mat
	gray  gocv.Mat
	pix   []byte
	seq   uint64
	file  bool
	reads int // frames read since the last rewind
}

var _ Source = (*CaptureSource)(nil)

// OpenCapture opens a camera or a video file.
func OpenCapture(o CaptureOptions) (*CaptureSource, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	var dev any = o.Device
	i, err := strconv.Atoi(o.Device)
	if err == nil {
		dev = i
	}
	camera := err == nil || isDevicePath(o.Device)
	var vc *gocv.VideoCapture
	if camera { // V4L2 straight away: no probing of other back ends
		vc, err = gocv.OpenVideoCaptureWithAPI(dev, gocv.VideoCaptureV4L2)
	} else {
		vc, err = gocv.OpenVideoCapture(dev)
	}
	if err != nil {
		return nil, fmt.Errorf("scanner: open %q: %w", o.Device, err)
	}
	if !vc.IsOpened() {
		vc.Close()
		return nil, fmt.Errorf("scanner: open %q: %w", o.Device, ErrNoFrame)
	}
	if o.FourCC != "" {
		vc.Set(gocv.VideoCaptureFOURCC, vc.ToCodec(o.FourCC))
	}
	if o.Width > 0 && o.Height > 0 {
		vc.Set(gocv.VideoCaptureFrameWidth, float64(o.Width))
		vc.Set(gocv.VideoCaptureFrameHeight, float64(o.Height))
	}
	if o.FPS > 0 {
		vc.Set(gocv.VideoCaptureFPS, o.FPS)
	}
	// The newest frame, not one queued a few frames ago.
	vc.Set(gocv.VideoCaptureBufferSize, 1)
	return &CaptureSource{opts: o, vc: vc, mat: gocv.NewMat(), gray: gocv.NewMat(), file: !camera}, nil
}

func isDevicePath(s string) bool { return len(s) > 5 && s[:5] == "/dev/" }

// Next reads the next frame. A video file at its end returns io.EOF (or
// starts over with Loop); a camera that gives no frame returns ErrNoFrame.
func (s *CaptureSource) Next(ctx context.Context) (Frame, error) {
	if s.vc == nil {
		return Frame{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Frame{}, err
	}
	if !s.vc.Read(&s.mat) || s.mat.Empty() {
		if !s.file {
			return Frame{}, ErrNoFrame
		}
		if !s.opts.Loop || s.reads == 0 {
			return Frame{}, io.EOF
		}
		s.vc.Set(gocv.VideoCapturePosFrames, 0)
		s.reads = 0
		if !s.vc.Read(&s.mat) || s.mat.Empty() {
			return Frame{}, io.EOF
		}
	}
	s.reads++
	src := s.mat
	switch s.mat.Channels() {
	case 1:
	case 3:
		gocv.CvtColor(s.mat, &s.gray, gocv.ColorBGRToGray)
		src = s.gray
	case 4:
		gocv.CvtColor(s.mat, &s.gray, gocv.ColorBGRAToGray)
		src = s.gray
	default:
		return Frame{}, fmt.Errorf("scanner: %d-channel frame: %w", s.mat.Channels(), ErrNoFrame)
	}
	data, err := src.DataPtrUint8()
	if err != nil {
		return Frame{}, fmt.Errorf("scanner: frame data: %w", err)
	}
	w, h, stride := src.Cols(), src.Rows(), src.Step()
	// Copy out: the Mat's memory is reused by the next Read.
	s.pix = grow(s.pix, (h-1)*stride+w)
	copy(s.pix, data[:(h-1)*stride+w])
	s.seq++
	return Frame{Pix: s.pix, W: w, H: h, Stride: stride, At: s.opts.Now(), Seq: s.seq}, nil
}

// Close releases the device.
func (s *CaptureSource) Close() error {
	if s.vc == nil {
		return nil
	}
	err := s.vc.Close()
	s.mat.Close()
	s.gray.Close()
	s.vc = nil
	return err
}

// OpenCamera returns a camera source that survives unplugging: it reopens
// the device with backoff (see Reopener) and reports its health.
func OpenCamera(o CaptureOptions, ro ReopenOptions) *Reopener {
	if ro.Logger == nil {
		ro.Logger = slog.Default()
	}
	ro.Logger = ro.Logger.With("device", o.Device)
	return NewReopener(func() (Source, error) { return OpenCapture(o) }, ro)
}
