package status

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/chot-dev/chot/checkpoint"
)

// Document is the body of /status.json.
type Document struct {
	At       time.Time           `json:"at"`
	Snapshot checkpoint.Snapshot `json:"snapshot"`
	// Health is absent when the daemon reports none.
	Health *HealthInfo `json:"health,omitempty"`
	// Login says whether an admin password is configured.
	Login bool `json:"login"`
}

// document collects the current state.
func (s *Server) document() Document {
	doc := Document{At: s.cfg.Now().UTC(), Snapshot: s.d.Source.Snapshot(), Login: s.cfg.AdminPasswordHash != ""}
	if s.d.Health != nil {
		h := s.d.Health.Health()
		doc.Health = &h
	}
	if doc.Snapshot.Recent == nil {
		doc.Snapshot.Recent = []checkpoint.Event{}
	}
	return doc
}

func (s *Server) handleStatusJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.document()); err != nil {
		s.log.Debug("status.json", "err", err)
	}
}
