package main

import (
	"sync"
	"time"

	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/status"
)

// cameraHealth tracks the frame source for the status page.
type cameraHealth struct {
	source string

	mu        sync.Mutex
	reopener  *scanner.Reopener
	frames    uint64
	fps       float64
	lastFrame time.Time
	errors    uint64
	lastError string
}

func (c *cameraHealth) frame(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.lastFrame.IsZero() {
		if dt := at.Sub(c.lastFrame).Seconds(); dt > 0 {
			inst := 1 / dt
			if c.fps == 0 {
				c.fps = inst
			} else {
				c.fps = 0.9*c.fps + 0.1*inst
			}
		}
	}
	c.frames++
	c.lastFrame = at
}

func (c *cameraHealth) fail(err error) {
	c.mu.Lock()
	c.errors++
	c.lastError = err.Error()
	c.mu.Unlock()
}

func (c *cameraHealth) health() status.CameraHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reopener != nil {
		h := c.reopener.Health()
		return status.CameraHealth{Source: c.source, Running: h.State == scanner.StateOpen, FPS: h.FPS,
			LastFrame: h.LastFrame, Errors: h.Errors, LastError: h.LastError}
	}
	return status.CameraHealth{Source: c.source, Running: time.Since(c.lastFrame) < 5*time.Second, FPS: c.fps,
		LastFrame: c.lastFrame, Errors: c.errors, LastError: c.lastError}
}

// openCamera opens a USB camera or a video file through OpenCV, reopening it
// when it goes away.
func openCamera(cfg *Config, ch *cameraHealth) (scanner.Source, error) {
	c := cfg.Camera
	o := scanner.CaptureOptions{Device: c.Device, Width: c.Width, Height: c.Height, FPS: c.FPS, FourCC: "MJPG"}
	if c.Source == "video" {
		o = scanner.CaptureOptions{Device: c.File, Loop: true}
	}
	r := scanner.OpenCamera(o, scanner.ReopenOptions{})
	ch.source = o.Device
	ch.reopener = r
	return r, nil
}
