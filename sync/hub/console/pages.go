package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/wire"
)

// pageSize is how many devices one fleet page lists.
const pageSize = 250

// fleetData is the fleet page.
type fleetData struct {
	Devices                             []hub.FleetDevice
	Total, Critical, Warning, OK, Revok int
	Shown                               int
	Sites, States, Problems             []string
	Q, Site, State, Problem             string
	PageN, Pages                        int
	PrevURL, NextURL                    string
}

// allProblems lists the problem codes, in the order the filter shows them.
var allProblems = []string{hub.ProblemOffline, hub.ProblemTrustExpired, hub.ProblemNoTrust, hub.ProblemGateFault,
	hub.ProblemCameraFault, hub.ProblemTrustStale, hub.ProblemClockUntrusted, hub.ProblemBacklogGrowing,
	hub.ProblemLowDisk, hub.ProblemNeverSeen}

// fleet judges every device at now, needing action first.
func (c *Console) fleet(r *http.Request) ([]hub.FleetDevice, error) {
	ds, err := c.cfg.Storage.Devices(r.Context())
	if err != nil {
		return nil, err
	}
	now := c.cfg.Now()
	out := make([]hub.FleetDevice, len(ds))
	for i, d := range ds {
		out[i] = hub.Judge(d, now, c.cfg.Rules)
	}
	hub.SortFleet(out)
	return out, nil
}

// handleFleet is GET /console/?q=&site=&state=&problem=&page=.
func (c *Console) handleFleet(w http.ResponseWriter, r *http.Request, p *page) {
	all, err := c.fleet(r)
	if err != nil {
		c.fail(w, r, "fleet", err)
		return
	}
	v := r.URL.Query()
	d := fleetData{Q: strings.TrimSpace(v.Get("q")), Site: v.Get("site"), State: v.Get("state"), Problem: v.Get("problem"),
		States: []string{hub.StateCritical, hub.StateWarning, hub.StateOK, hub.StateRevoked}, Problems: allProblems}
	sites := map[string]bool{}
	var shown []hub.FleetDevice
	for _, f := range all {
		d.Total++
		switch f.State {
		case hub.StateCritical:
			d.Critical++
		case hub.StateWarning:
			d.Warning++
		case hub.StateOK:
			d.OK++
		case hub.StateRevoked:
			d.Revok++
		}
		if f.Site != "" {
			sites[f.Site] = true
		}
		if (d.Q != "" && !strings.Contains(strings.ToLower(f.ID+" "+f.Site), strings.ToLower(d.Q))) ||
			(d.Site != "" && f.Site != d.Site) || (d.State != "" && f.State != d.State) ||
			(d.Problem != "" && !slices.Contains(f.Problems, d.Problem)) {
			continue
		}
		shown = append(shown, f)
	}
	for s := range sites {
		d.Sites = append(d.Sites, s)
	}
	slices.Sort(d.Sites)
	d.Shown = len(shown)
	d.Pages = max(1, (len(shown)+pageSize-1)/pageSize)
	d.PageN, _ = strconv.Atoi(v.Get("page"))
	d.PageN = min(max(d.PageN, 1), d.Pages)
	lo := (d.PageN - 1) * pageSize
	d.Devices = shown[lo:min(lo+pageSize, len(shown))]
	pageURL := func(n int) string {
		q := url.Values{}
		for k, vs := range v {
			q[k] = vs
		}
		q.Set("page", strconv.Itoa(n))
		return Prefix + "?" + q.Encode()
	}
	if d.PageN > 1 {
		d.PrevURL = pageURL(d.PageN - 1)
	}
	if d.PageN < d.Pages {
		d.NextURL = pageURL(d.PageN + 1)
	}
	p.Nav, p.Data = "fleet", d
	c.render(w, http.StatusOK, "fleet", p)
}

// deviceData is one device's page.
type deviceData struct {
	Device  hub.FleetDevice
	PubKey  string
	History []hub.HealthRow
	Recent  []record.Pass
	Token   string // a re-enrollment token just made, shown once
}

// handleDevice is GET /console/device/{id}.
func (c *Console) handleDevice(w http.ResponseWriter, r *http.Request, p *page) {
	c.renderDevice(w, r, p, "")
}

func (c *Console) renderDevice(w http.ResponseWriter, r *http.Request, p *page, token string) {
	id := r.PathValue("id")
	dev, err := c.cfg.Storage.Device(r.Context(), id)
	if errors.Is(err, hub.ErrUnknownDevice) {
		c.refuse(w, r, http.StatusNotFound, "err.no_device")
		return
	}
	if err != nil {
		c.fail(w, r, "device", err)
		return
	}
	d := deviceData{Device: hub.Judge(dev, c.cfg.Now(), c.cfg.Rules), PubKey: wire.EncodePublicKey(dev.PubKey), Token: token}
	if d.History, err = c.cfg.Storage.HealthHistory(r.Context(), id, 50); err != nil {
		c.fail(w, r, "health history", err)
		return
	}
	err = c.cfg.Storage.Export(r.Context(), hub.Query{Device: id, Limit: 50, Newest: true}, func(row hub.Row) error {
		var ps record.Pass
		if err := json.Unmarshal(row.Body, &ps); err != nil {
			return err
		}
		ps.Subject = "" // a keyed hash, but the page has no use for it
		d.Recent = append(d.Recent, ps)
		return nil
	})
	if err != nil {
		c.fail(w, r, "recent passes", err)
		return
	}
	p.Nav, p.Data = "fleet", d
	c.render(w, http.StatusOK, "device", p)
}

// handleRevoke is POST /console/device/{id}/revoke.
func (c *Console) handleRevoke(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	err := c.cfg.Storage.RevokeDevice(r.Context(), id, c.cfg.Now())
	if errors.Is(err, hub.ErrUnknownDevice) {
		c.refuse(w, r, http.StatusNotFound, "err.no_device")
		return
	}
	if err != nil {
		c.fail(w, r, "revoke", err)
		return
	}
	c.log.Info("console: device revoked", "device", id, "user", p.User)
	http.Redirect(w, r, Prefix+"device/"+url.PathEscape(id)+"?msg=revoked", http.StatusSeeOther)
}

// handleReenroll is POST /console/device/{id}/reenroll: a token that binds
// the id to a new key (a replacement box, a device that lost its key).
func (c *Console) handleReenroll(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := c.cfg.Storage.Device(r.Context(), id); err != nil {
		c.refuse(w, r, http.StatusNotFound, "err.no_device")
		return
	}
	tok, hash, err := hub.NewToken()
	if err == nil {
		err = c.cfg.Storage.AddTokenFor(r.Context(), hash, c.cfg.Now().Add(c.cfg.TokenTTL), id)
	}
	if err != nil {
		c.fail(w, r, "re-enroll token", err)
		return
	}
	c.log.Info("console: re-enrollment token made", "device", id, "user", p.User)
	c.renderDevice(w, r, p, tok)
}
