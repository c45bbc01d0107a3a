package console

import (
	"bufio"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/refresh"
)

// Reason translates a decision reason, or shows it as is.
func (p *page) Reason(r string) string {
	if messages.Has("reason." + r) {
		return p.T("reason." + r)
	}
	return r
}

// passesData is the passes page.
type passesData struct {
	Chart      chart
	Hours      int
	HourChoice []int
	Site       string
	Sites      []string
	// Table is totals per site and reason.
	Table     []siteRow
	ExportURL string
}

type siteRow struct {
	Site    string
	Reasons map[string]uint64
	Total   int64
}

// window reads ?hours= (24, 48 or 168; default 48) and returns the range.
func (c *Console) window(r *http.Request) (since, until time.Time, hours int) {
	hours, _ = strconv.Atoi(r.URL.Query().Get("hours"))
	if !slices.Contains([]int{24, 48, 168}, hours) {
		hours = 48
	}
	until = c.cfg.Now().Truncate(time.Hour).Add(time.Hour)
	return until.Add(-time.Duration(hours) * time.Hour), until, hours
}

// handlePasses is GET /console/passes?hours=&site=: passes per hour by
// reason as a chart, totals per site.
func (c *Console) handlePasses(w http.ResponseWriter, r *http.Request, p *page) {
	since, until, hours := c.window(r)
	stats, err := c.cfg.Storage.Stats(r.Context(), since, until)
	if err != nil {
		c.fail(w, r, "stats", err)
		return
	}
	site := r.URL.Query().Get("site")
	d := passesData{Hours: hours, HourChoice: []int{24, 48, 168}, Site: site}
	sites := map[string]*siteRow{}
	var shown []hub.Stat
	for _, s := range stats {
		row := sites[s.Site]
		if row == nil {
			row = &siteRow{Site: s.Site, Reasons: map[string]uint64{}}
			sites[s.Site] = row
		}
		row.Reasons[s.Reason] += uint64(s.N)
		row.Total += s.N
		if site == "" || s.Site == site {
			shown = append(shown, s)
		}
	}
	for name, row := range sites {
		d.Sites = append(d.Sites, name)
		d.Table = append(d.Table, *row)
	}
	slices.Sort(d.Sites)
	slices.SortFunc(d.Table, func(a, b siteRow) int {
		if a.Site < b.Site {
			return -1
		}
		return 1
	})
	d.Chart = buildChart(shown, since, until, p.Reason)
	d.ExportURL = Prefix + "export.csv?hours=" + strconv.Itoa(hours)
	if site != "" {
		d.ExportURL += "&site=" + site
	}
	p.Nav, p.Data = "passes", d
	c.render(w, http.StatusOK, "passes", p)
}

var csvHeader = []string{"device", "site", "epoch", "seq", "at", "received_at", "clock", "decision", "reason", "rule",
	"format", "type", "issuer", "kid", "latency_us", "gate", "mode"}

// handleExport is GET /console/export.csv?hours=&site=: the passes of the
// window as CSV (no subject hash: the console export is for reports).
func (c *Console) handleExport(w http.ResponseWriter, r *http.Request, p *page) {
	since, until, _ := c.window(r)
	site := r.URL.Query().Get("site")
	ds, err := c.cfg.Storage.Devices(r.Context())
	if err != nil {
		c.fail(w, r, "export", err)
		return
	}
	siteOf := map[string]string{}
	for _, d := range ds {
		siteOf[d.ID] = d.Site
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="chot-passes.csv"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.Write(csvHeader)
	err = c.cfg.Storage.Export(r.Context(), hub.Query{Since: since, Until: until}, func(row hub.Row) error {
		if site != "" && siteOf[row.Device] != site {
			return nil
		}
		var ps record.Pass
		if err := json.Unmarshal(row.Body, &ps); err != nil {
			return err
		}
		return cw.Write([]string{row.Device, siteOf[row.Device], ps.Epoch, strconv.FormatUint(ps.Seq, 10),
			time.UnixMilli(ps.At).UTC().Format(time.RFC3339Nano), row.Received.Format(time.RFC3339Nano), ps.Clock,
			ps.Decision, ps.Reason, ps.Rule, ps.Format, ps.Type, ps.Issuer, ps.Kid, strconv.FormatInt(ps.LatencyUS, 10), ps.Gate, ps.Mode})
	})
	if err != nil {
		c.log.Error("console: export", "err", err) // headers are gone: a truncated file
	}
	cw.Flush()
	bw.Flush()
}

// bundlesData is the bundles page.
type bundlesData struct {
	Enabled   bool
	Published uint64
	// Versions maps each bundle version devices report to their ids.
	Versions []versionRow
	Result   string // the publish result
	// Changes is the last trust refresh's (keys added and removed per
	// country); Pending when that bundle waits for offline signing.
	Changes *refresh.Changes
	Pending bool
}

type versionRow struct {
	Version uint64
	Devices []string
	Current bool
}

// handleBundles is GET /console/bundles.
func (c *Console) handleBundles(w http.ResponseWriter, r *http.Request, p *page) {
	c.renderBundles(w, r, p, http.StatusOK, "")
}

func (c *Console) renderBundles(w http.ResponseWriter, r *http.Request, p *page, status int, result string) {
	d := bundlesData{Enabled: c.cfg.Bundles != nil, Result: result}
	if c.cfg.Bundles != nil {
		v, err := c.cfg.Bundles.Version()
		if err != nil {
			c.fail(w, r, "bundles", err)
			return
		}
		d.Published = v
		if d.Changes, d.Pending, err = refresh.LastChanges(c.cfg.Bundles.Dir); err != nil {
			c.log.Warn("console: last trust refresh", "err", err)
		}
	}
	ds, err := c.cfg.Storage.Devices(r.Context())
	if err != nil {
		c.fail(w, r, "bundles", err)
		return
	}
	by := map[uint64][]string{}
	for _, dev := range ds {
		if !dev.Revoked.IsZero() {
			continue
		}
		var v uint64
		if dev.Health != nil {
			v = dev.Health.Bundle
		}
		by[v] = append(by[v], dev.ID)
	}
	for v, ids := range by {
		d.Versions = append(d.Versions, versionRow{Version: v, Devices: ids, Current: v == d.Published && v != 0})
	}
	slices.SortFunc(d.Versions, func(a, b versionRow) int {
		if a.Version > b.Version {
			return -1
		}
		return 1
	})
	p.Nav, p.Data = "bundles", d
	c.render(w, status, "bundles", p)
}

// handlePublish is POST /console/bundles (multipart, field "bundle").
func (c *Console) handlePublish(w http.ResponseWriter, r *http.Request, p *page) {
	if c.cfg.Bundles == nil {
		c.refuse(w, r, http.StatusNotFound, "err.no_bundles")
		return
	}
	f, _, err := r.FormFile("bundle")
	if err != nil {
		c.renderBundles(w, r, p, http.StatusBadRequest, p.T("bundles.no_file"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || len(data) == 0 {
		c.renderBundles(w, r, p, http.StatusBadRequest, p.T("bundles.no_file"))
		return
	}
	v, err := c.cfg.Bundles.Publish(data)
	if err != nil {
		c.log.Warn("console: bundle refused", "user", p.User, "err", err)
		c.renderBundles(w, r, p, http.StatusUnprocessableEntity, p.T("bundles.refused")+": "+err.Error())
		return
	}
	c.log.Info("console: bundle published", "version", v, "user", p.User)
	c.renderBundles(w, r, p, http.StatusOK, p.T("bundles.published")+" "+strconv.FormatUint(v, 10))
}

// tokensData is the tokens page.
type tokensData struct {
	Tokens []hub.Token
	New    string // a token just made, shown once
	For    string
}

// handleTokens is GET /console/tokens.
func (c *Console) handleTokens(w http.ResponseWriter, r *http.Request, p *page) {
	c.renderTokens(w, r, p, "", "")
}

func (c *Console) renderTokens(w http.ResponseWriter, r *http.Request, p *page, tok, forDev string) {
	ts, err := c.cfg.Storage.Tokens(r.Context())
	if err != nil {
		c.fail(w, r, "tokens", err)
		return
	}
	p.Nav, p.Data = "tokens", tokensData{Tokens: ts, New: tok, For: forDev}
	c.render(w, http.StatusOK, "tokens", p)
}

// handleTokenCreate is POST /console/tokens: a one-time enrollment token.
func (c *Console) handleTokenCreate(w http.ResponseWriter, r *http.Request, p *page) {
	tok, hash, err := hub.NewToken()
	if err != nil {
		c.fail(w, r, "token", err)
		return
	}
	if err := c.cfg.Storage.AddToken(r.Context(), hash, c.cfg.Now().Add(c.cfg.TokenTTL)); err != nil {
		c.fail(w, r, "token", err)
		return
	}
	c.log.Info("console: enrollment token made", "user", p.User)
	c.renderTokens(w, r, p, tok, "")
}

// handleTokenDelete is POST /console/tokens/{hash}/delete.
func (c *Console) handleTokenDelete(w http.ResponseWriter, r *http.Request, p *page) {
	h, err := hex.DecodeString(r.PathValue("hash"))
	if err != nil || len(h) != 32 {
		c.refuse(w, r, http.StatusBadRequest, "err.bad_request")
		return
	}
	if err := c.cfg.Storage.DeleteToken(r.Context(), h); err != nil && !errors.Is(err, hub.ErrBadToken) {
		c.fail(w, r, "token delete", err)
		return
	}
	http.Redirect(w, r, Prefix+"tokens?msg=token_deleted", http.StatusSeeOther)
}
