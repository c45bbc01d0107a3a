package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/chot-dev/chot/sync/wire"
)

// readSigned reads a small signed device request and checks its signature
// against the device's current key.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request, max int64) (Device, []byte, bool) {
	dev, body, ok := s.readDevice(w, r, max)
	if !ok {
		return dev, body, false
	}
	if err := wire.Verify(dev.PubKey, body, r.Header.Get(wire.HeaderSignature)); err != nil {
		s.log.Warn("hub: bad signature", "device", dev.ID, "path", r.URL.Path)
		s.fail(w, http.StatusUnauthorized, wire.CodeBadSignature, err.Error())
		return Device{}, nil, false
	}
	return dev, body, true
}

// readDevice reads a small device request and looks up its device.
func (s *Server) readDevice(w http.ResponseWriter, r *http.Request, max int64) (Device, []byte, bool) {
	id := r.Header.Get(wire.HeaderDevice)
	if !wire.ValidDevice(id) {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, "missing or malformed "+wire.HeaderDevice)
		return Device{}, nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		s.fail(w, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "body over the limit")
		return Device{}, nil, false
	}
	dev, status, code, msg := s.signer(r, id)
	if status != 0 {
		s.fail(w, status, code, msg)
		return Device{}, nil, false
	}
	return dev, body, true
}

// handleHealthReport is POST /v1/health: a signed report joins the device's
// history and, if newest, becomes its state.
func (s *Server) handleHealthReport(w http.ResponseWriter, r *http.Request) {
	dev, body, ok := s.readSigned(w, r, wire.MaxHealthBytes)
	if !ok {
		return
	}
	h, err := wire.DecodeHealth(body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	if h.Device != dev.ID {
		s.fail(w, http.StatusForbidden, wire.CodeForbidden, "report names another device than its signer")
		return
	}
	now := s.cfg.Now()
	if err := s.cfg.Storage.SaveHealth(r.Context(), now, h, s.cfg.HealthKeep); err != nil {
		s.log.Error("hub: health", "device", dev.ID, "err", err)
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable")
		return
	}
	s.m.health.Inc()
	writeJSON(w, http.StatusOK, wire.Ack{ServerTime: now.UTC()})
}

// handleRotate is POST /v1/rotate: signed by the current key and by the new
// one, it replaces the key.
func (s *Server) handleRotate(w http.ResponseWriter, r *http.Request) {
	dev, body, ok := s.readDevice(w, r, 16<<10)
	if !ok {
		return
	}
	var rot wire.Rotate
	if err := json.Unmarshal(body, &rot); err != nil || rot.Device != dev.ID {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, "rotate: malformed or names another device")
		return
	}
	pub, err := wire.ParsePublicKey(rot.PubKey)
	if err != nil {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	if err := wire.Verify(pub, body, r.Header.Get(wire.HeaderNewSignature)); err != nil {
		s.fail(w, http.StatusUnauthorized, wire.CodeBadSignature, "new key: "+err.Error())
		return
	}
	if pub.Equal(dev.PubKey) { // this rotation is done: its answer was lost
		writeJSON(w, http.StatusOK, map[string]string{"device": dev.ID})
		return
	}
	if err := wire.Verify(dev.PubKey, body, r.Header.Get(wire.HeaderSignature)); err != nil {
		s.log.Warn("hub: rotation not signed by the current key", "device", dev.ID)
		s.fail(w, http.StatusUnauthorized, wire.CodeBadSignature, err.Error())
		return
	}
	err = s.cfg.Storage.RotateKey(r.Context(), dev.ID, dev.PubKey, pub, s.cfg.Now())
	switch {
	case errors.Is(err, ErrStaleKey):
		s.fail(w, http.StatusConflict, wire.CodeStale, "the signing key is no longer the device's")
		return
	case errors.Is(err, ErrRevoked):
		s.fail(w, http.StatusUnauthorized, wire.CodeRevoked, "device revoked")
		return
	case err != nil:
		s.log.Error("hub: rotate", "device", dev.ID, "err", err)
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable")
		return
	}
	s.log.Info("hub: device key rotated", "device", dev.ID)
	writeJSON(w, http.StatusOK, map[string]string{"device": dev.ID})
}

// Fleet returns every device's fleet view at the server's now, devices
// needing action first.
func (s *Server) Fleet(ctx context.Context) ([]FleetDevice, error) {
	ds, err := s.cfg.Storage.Devices(ctx)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	out := make([]FleetDevice, len(ds))
	for i, d := range ds {
		out[i] = Judge(d, now, s.cfg.Rules)
	}
	SortFleet(out)
	return out, nil
}

// handleDevices is GET /v1/devices (operator token): the fleet as JSON.
func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	if !s.operator(r) {
		s.fail(w, http.StatusUnauthorized, wire.CodeBadToken, "operator token required")
		return
	}
	fs, err := s.Fleet(r.Context())
	if err != nil {
		s.log.Error("hub: devices", "err", err)
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": fs, "server_time": s.cfg.Now().UTC()})
}
