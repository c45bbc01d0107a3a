package uplink

import "time"

// Status is what the status page shows of the uplink.
type Status struct {
	// Online is true after a successful exchange with the hub and false
	// after a failed one.
	Online bool `json:"online"`
	// LastSync is when the hub last acknowledged a push.
	LastSync time.Time `json:"last_sync"`
	// LastContact is when the hub last answered anything (a push or a
	// bundle check).
	LastContact time.Time `json:"last_contact"`
	// LastError is the last push failure, "" after a success.
	LastError string `json:"last_error,omitempty"`
	// Backlog is how many passes wait for the hub's acknowledgement.
	Backlog uint64 `json:"backlog"`
	// AckedThrough is the local watermark.
	AckedThrough uint64 `json:"acked_through"`
	// LastBundle is when a bundle was last installed; BundleETag its tag.
	LastBundle time.Time `json:"last_bundle"`
	BundleETag string    `json:"bundle_etag,omitempty"`
	// LastBundleCheck is when the bundle was last asked for; BundleError
	// the last failure.
	LastBundleCheck time.Time `json:"last_bundle_check"`
	BundleError     string    `json:"bundle_error,omitempty"`
	// LastHealth is when the hub last took a health report; HealthError the
	// last failure.
	LastHealth  time.Time `json:"last_health,omitzero"`
	HealthError string    `json:"health_error,omitempty"`
}

// Status returns a snapshot.
func (u *Uplink) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.st
}

func (u *Uplink) setBacklog(acked, last uint64) {
	u.mu.Lock()
	u.st.AckedThrough = acked
	if last > acked {
		u.st.Backlog = last - acked
	} else {
		u.st.Backlog = 0
	}
	u.mu.Unlock()
}

// setOK records a successful exchange (talked) or an empty outbox.
func (u *Uplink) setOK(talked bool) {
	u.mu.Lock()
	if talked {
		now := u.cfg.Now()
		u.st.Online = true
		u.st.LastSync, u.st.LastContact = now, now
		u.st.LastError = ""
	}
	u.mu.Unlock()
}

// setContact records that the hub answered a bundle check.
func (u *Uplink) setContact() {
	u.mu.Lock()
	u.st.Online = true
	u.st.LastContact = u.cfg.Now()
	u.mu.Unlock()
}

func (u *Uplink) setErr(err error) {
	u.mu.Lock()
	u.st.Online = false
	u.st.LastError = err.Error()
	u.mu.Unlock()
}
