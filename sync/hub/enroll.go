package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/chot-dev/chot/sync/wire"
)

// NewToken returns a fresh enrollment token and the hash to store
// (Storage.AddToken). Only the hash is kept.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("hub: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token), nil
}

// TokenHash is the stored form of an enrollment token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte("chot-enroll-token\x00" + token))
	return h[:]
}

// handleEnroll is POST /v1/enroll: a one-time token binds a device id to the
// key that signed the request.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		s.fail(w, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "body over the limit")
		return
	}
	var e wire.Enroll
	if err := json.Unmarshal(body, &e); err != nil {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	if !wire.ValidDevice(e.Device) || r.Header.Get(wire.HeaderDevice) != e.Device {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, "device id malformed or not the header's")
		return
	}
	pub, err := wire.ParsePublicKey(e.PubKey)
	if err != nil {
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	if err := wire.Verify(pub, body, r.Header.Get(wire.HeaderSignature)); err != nil {
		s.fail(w, http.StatusUnauthorized, wire.CodeBadSignature, err.Error())
		return
	}
	now := s.cfg.Now()
	err = s.cfg.Storage.Enroll(r.Context(), TokenHash(e.Token), Device{ID: e.Device, PubKey: pub, Created: now}, now)
	switch {
	case errors.Is(err, ErrBadToken):
		s.fail(w, http.StatusForbidden, wire.CodeBadToken, "token unknown, spent or expired")
		return
	case errors.Is(err, ErrDeviceExists):
		s.fail(w, http.StatusConflict, wire.CodeExists, "device id enrolled with another key")
		return
	case err != nil:
		s.log.Error("hub: enroll", "device", e.Device, "err", err)
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable")
		return
	}
	s.m.enrolled.Inc()
	s.log.Info("hub: device enrolled", "device", e.Device)
	writeJSON(w, http.StatusOK, map[string]string{"device": e.Device})
}
