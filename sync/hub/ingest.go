package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// handlePush is POST /v1/passes: check the signature, then the batch, then
// insert idempotently.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	select {
	case s.inflight <- struct{}{}:
		defer func() { <-s.inflight }()
	default:
		s.m.batches.WithLabelValues("error").Inc()
		s.fail(w, http.StatusTooManyRequests, wire.CodeUnavailable, "too many batches in flight")
		return
	}
	start := time.Now()
	status, code, msg := s.push(w, r)
	if status != 0 {
		result := "rejected"
		if status >= 500 || status == http.StatusTooManyRequests {
			result = "error"
		}
		s.m.batches.WithLabelValues(result).Inc()
		s.fail(w, status, code, msg)
		return
	}
	s.m.ingest.Observe(time.Since(start).Seconds())
}

// push handles one batch; a non-zero status is an error to answer.
func (s *Server) push(w http.ResponseWriter, r *http.Request) (status int, code, msg string) {
	id := r.Header.Get(wire.HeaderDevice)
	if !wire.ValidDevice(id) {
		return http.StatusBadRequest, wire.CodeBadRequest, "missing or malformed " + wire.HeaderDevice
	}
	if enc := r.Header.Get("Content-Encoding"); enc != wire.ContentEncoding {
		return http.StatusUnsupportedMediaType, wire.CodeBadRequest, "Content-Encoding must be gzip"
	}
	dev, status, code, msg := s.signer(r, id)
	if status != 0 {
		return status, code, msg
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= wire.MaxBodyBytes {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	body := buf.Bytes()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "body over the limit"
		}
		return http.StatusBadRequest, wire.CodeBadRequest, "reading body: " + err.Error()
	}
	if err := wire.Verify(dev.PubKey, body, r.Header.Get(wire.HeaderSignature)); err != nil {
		s.log.Warn("hub: bad signature", "device", id)
		return http.StatusUnauthorized, wire.CodeBadSignature, err.Error()
	}
	b, err := wire.DecodeBatch(body, s.cfg.MaxDecoded)
	if errors.Is(err, wire.ErrTooLarge) {
		return http.StatusRequestEntityTooLarge, wire.CodeTooLarge, err.Error()
	}
	if err != nil {
		return http.StatusBadRequest, wire.CodeBadRequest, err.Error()
	}
	if b.Device != id {
		s.log.Warn("hub: batch names another device", "device", id, "claimed", b.Device)
		return http.StatusForbidden, wire.CodeForbidden, "batch names another device than its signer"
	}
	if err := b.Validate(s.cfg.MaxBatch); err != nil {
		if errors.Is(err, wire.ErrTooLarge) {
			return http.StatusRequestEntityTooLarge, wire.CodeTooLarge, err.Error()
		}
		return http.StatusBadRequest, wire.CodeBadBatch, err.Error()
	}
	now := s.cfg.Now()
	rows := make([]Row, len(b.Passes))
	for i, p := range b.Passes {
		j, err := json.Marshal(p)
		if err != nil {
			return http.StatusBadRequest, wire.CodeBadBatch, err.Error()
		}
		d := sha256.Sum256(j)
		rows[i] = Row{Device: b.Device, Epoch: b.Epoch, Seq: p.Seq, At: p.At, Received: now, Digest: d[:], Body: j,
			Decision: p.Decision, Reason: p.Reason}
	}
	res, err := s.cfg.Storage.Insert(r.Context(), rows)
	switch {
	case errors.Is(err, ErrGap):
		s.m.batches.WithLabelValues("gap").Inc()
		s.m.rejects.WithLabelValues(wire.CodeGap).Inc()
		writeJSON(w, http.StatusConflict, wire.Conflict{Error: "gap: resume after acked_through", AckedThrough: res.AckedThrough, ServerTime: s.cfg.Now().UTC()})
		return 0, "", ""
	case errors.Is(err, ErrRevoked):
		s.log.Warn("hub: batch of a revoked device", "device", id)
		return http.StatusUnauthorized, wire.CodeRevoked, "device revoked"
	case errors.Is(err, ErrReplay):
		s.log.Warn("hub: replayed seq with different content", "device", id, "epoch", b.Epoch, "first_seq", b.FirstSeq, "err", err)
		return http.StatusUnprocessableEntity, wire.CodeReplay, err.Error()
	case err != nil:
		if r.Context().Err() == nil {
			s.log.Error("hub: insert", "device", id, "err", err)
		}
		return http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable"
	}
	s.m.batches.WithLabelValues("ok").Inc()
	s.m.inserted.Add(float64(res.Inserted))
	s.m.duplicates.Add(float64(res.Duplicates))
	writeJSON(w, http.StatusOK, wire.Ack{AckedThrough: res.AckedThrough, ServerTime: s.cfg.Now().UTC()})
	return 0, "", ""
}

// signer looks up the device that signs r; a non-zero status refuses it.
func (s *Server) signer(r *http.Request, id string) (dev Device, status int, code, msg string) {
	dev, err := s.device(r.Context(), id)
	switch {
	case errors.Is(err, ErrUnknownDevice):
		return dev, http.StatusUnauthorized, wire.CodeUnknownDevice, "device not enrolled"
	case errors.Is(err, ErrRevoked):
		s.log.Warn("hub: revoked device refused", "device", id)
		return dev, http.StatusUnauthorized, wire.CodeRevoked, "device revoked"
	case err != nil:
		s.log.Error("hub: device lookup", "device", id, "err", err)
		return dev, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage unavailable"
	}
	return dev, 0, "", ""
}
