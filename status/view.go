package status

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
)

// Tile states, the colour of a status tile.
const (
	stOK   = "ok"
	stInfo = "info"
	stWarn = "warn"
	stBad  = "bad"
	stIdle = "idle"
)

// tile is one status tile of the page.
type tile struct {
	ID     string
	Title  string
	Value  string
	Unit   string // shown smaller after Value
	State  string
	Lines  []string
	Badges []badge
	Stats  []stat
}

type badge struct{ Text, State string }

type stat struct {
	Label, Value, Class string
}

// tr translates for one language.
type tr struct{ lang string }

func (t tr) T(key string) string { return messages.Text(t.lang, key) }

// TOr translates key, or returns fallback when the catalogue lacks it.
func (t tr) TOr(key, fallback string) string {
	if messages.Has(key) {
		return t.T(key)
	}
	return fallback
}

// dur formats d coarsely: "42 s", "5 min", "3 h", "2 d".
func (t tr) dur(d time.Duration) string {
	d = d.Abs()
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d %s", int(d.Seconds()), t.T("unit.s"))
	case d < time.Hour:
		return fmt.Sprintf("%d %s", int(d.Minutes()), t.T("unit.min"))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d %s", int(d.Hours()), t.T("unit.h"))
	default:
		return fmt.Sprintf("%d %s", int(d.Hours()/24), t.T("unit.d"))
	}
}

// ago says how long ago at was, or "in …" for a time in the future.
func (t tr) ago(at, now time.Time) string {
	if at.After(now) {
		return strings.ReplaceAll(t.T("time.in"), "{n}", t.dur(at.Sub(now)))
	}
	return strings.ReplaceAll(t.T("time.ago"), "{n}", t.dur(now.Sub(at)))
}

// bytes formats n in binary units.
func bytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// tiles builds the status tiles.
func tiles(t tr, sn checkpoint.Snapshot, h *HealthInfo, now time.Time) []tile {
	return []tile{gateTile(t, sn), cameraTile(t, h, now), trustTile(t, sn.Trust, now), clockTile(t, sn.Clock),
		hubTile(t, h, now), diskTile(t, h), countersTile(t, sn.Counters)}
}

func gateTile(t tr, sn checkpoint.Snapshot) tile {
	tl := tile{ID: "gate", Title: t.T("tile.gate"), Value: t.TOr("gate."+sn.Gate, sn.Gate), State: stOK}
	switch sn.Gate {
	case checkpoint.GateOpen:
		tl.State = stInfo
	case checkpoint.GateFault:
		tl.State = stBad
	}
	led := stOK
	switch sn.LED {
	case checkpoint.LEDWarning, checkpoint.LEDReadyOffline:
		led = stWarn
	case checkpoint.LEDFault:
		led = stBad
	case checkpoint.LEDUnconfigured:
		led = stIdle
	}
	tl.Badges = []badge{{t.TOr("led."+sn.LED, sn.LED), led}}
	return tl
}

func cameraTile(t tr, h *HealthInfo, now time.Time) tile {
	tl := tile{ID: "camera", Title: t.T("tile.camera")}
	if h == nil {
		tl.Value, tl.State = t.T("unknown"), stIdle
		return tl
	}
	c := h.Camera
	switch {
	case !c.Running:
		tl.Value, tl.State = t.T("camera.stopped"), stBad
	case c.FPS < 1:
		tl.Value, tl.Unit, tl.State = fmt.Sprintf("%.1f", c.FPS), t.T("camera.fps"), stWarn
	default:
		tl.Value, tl.Unit, tl.State = fmt.Sprintf("%.0f", math.Round(c.FPS)), t.T("camera.fps"), stOK
	}
	if !c.LastFrame.IsZero() {
		tl.Lines = append(tl.Lines, t.T("camera.last_frame")+": "+t.ago(c.LastFrame, now))
	}
	tl.Lines = append(tl.Lines, fmt.Sprintf("%d %s", c.Errors, t.T("camera.errors")))
	if c.Source != "" {
		tl.Lines = append(tl.Lines, c.Source)
	}
	return tl
}

func trustTile(t tr, ts checkpoint.TrustState, now time.Time) tile {
	tl := tile{ID: "trust", Title: t.T("tile.trust")}
	if !ts.Installed {
		tl.Value, tl.State = t.T("trust.none"), stBad
		tl.Badges = []badge{{t.T("trust.expired"), stBad}}
		return tl
	}
	tl.Value = t.T("trust.version") + " " + strconv.FormatUint(ts.Version, 10)
	switch {
	case ts.Expired:
		tl.State, tl.Badges = stBad, []badge{{t.T("trust.expired"), stBad}}
	case ts.Stale:
		tl.State, tl.Badges = stWarn, []badge{{t.T("trust.stale"), stWarn}}
	default:
		tl.State, tl.Badges = stOK, []badge{{t.T("trust.fresh"), stOK}}
	}
	if !ts.IssuedAt.IsZero() {
		tl.Lines = append(tl.Lines, t.T("trust.issued")+": "+t.ago(ts.IssuedAt, now))
	}
	if !ts.ExpiresAt.IsZero() {
		tl.Lines = append(tl.Lines, t.T("trust.expires")+": "+ts.ExpiresAt.UTC().Format("2006-01-02"))
	}
	tl.Lines = append(tl.Lines, fmt.Sprintf("%d %s", ts.Keys, t.T("trust.keys")))
	return tl
}

func clockTile(t tr, c checkpoint.ClockState) tile {
	tl := tile{ID: "clock", Title: t.T("tile.clock"), Value: t.TOr("clock."+c.State, c.State)}
	switch c.State {
	case record.ClockSynced:
		tl.State = stOK
	case record.ClockEstimated:
		tl.State = stWarn
	default:
		tl.State = stBad
	}
	if !c.Now.IsZero() {
		tl.Lines = append(tl.Lines, t.T("clock.now")+": "+c.Now.UTC().Format("2006-01-02 15:04 UTC"))
		// The board's own clock, when it is off: the technician sees a
		// wrong board clock even while the hub's time is used.
		if off := time.Duration(c.WallOffsetMS) * time.Millisecond; off.Abs() >= wallShownFrom {
			side := "clock.ahead"
			if off < 0 {
				side = "clock.behind"
			}
			tl.Lines = append(tl.Lines, t.T("clock.wall")+": "+c.Now.Add(off).UTC().Format("2006-01-02 15:04 UTC")+
				" ("+strings.ReplaceAll(t.T(side), "{n}", t.dur(off))+")")
		}
	}
	return tl
}

// wallShownFrom is how far off the board's own clock must be for the clock
// tile to show it.
const wallShownFrom = time.Minute

func hubTile(t tr, h *HealthInfo, now time.Time) tile {
	tl := tile{ID: "hub", Title: t.T("tile.hub")}
	if h == nil {
		tl.Value, tl.State = t.T("unknown"), stIdle
		return tl
	}
	if h.Online {
		tl.Value, tl.State = t.T("hub.online"), stOK
	} else {
		tl.Value, tl.State = t.T("hub.offline"), stWarn
	}
	tl.Lines = append(tl.Lines, fmt.Sprintf("%s: %d", t.T("hub.backlog"), h.Backlog))
	last := t.T("hub.never")
	if !h.LastSync.IsZero() {
		last = t.ago(h.LastSync, now)
	}
	tl.Lines = append(tl.Lines, t.T("hub.last_sync")+": "+last)
	if h.LastSyncError != "" {
		tl.Lines = append(tl.Lines, t.T("hub.error")+": "+h.LastSyncError)
	}
	return tl
}

func diskTile(t tr, h *HealthInfo) tile {
	tl := tile{ID: "disk", Title: t.T("tile.disk")}
	if h == nil || h.Disk.TotalBytes == 0 {
		tl.Value, tl.State = t.T("unknown"), stIdle
		return tl
	}
	d := h.Disk
	tl.Value, tl.Unit = bytes(d.FreeBytes), t.T("disk.free")
	tl.State = stOK
	if d.FreeBytes < d.TotalBytes/20 || d.FreeBytes < 256<<20 {
		tl.State = stBad
	} else if d.FreeBytes < d.TotalBytes/10 {
		tl.State = stWarn
	}
	tl.Lines = []string{
		fmt.Sprintf("%d%% %s · %s", d.UsedBytes*100/d.TotalBytes, t.T("disk.used"), bytes(d.TotalBytes)),
		t.T("disk.log") + ": " + bytes(uint64(max(h.StoreBytes, 0))),
	}
	return tl
}

func countersTile(t tr, c checkpoint.Counters) tile {
	return tile{ID: "counters", Title: t.T("tile.counters"), State: stIdle, Stats: []stat{
		{t.T("counter.accepted"), strconv.FormatUint(c.Accepted, 10), "accept"},
		{t.T("counter.rejected"), strconv.FormatUint(c.Rejected, 10), "reject"},
		{t.T("counter.manual"), strconv.FormatUint(c.Manual, 10), "manual"},
	}}
}

// feedItem is one decision of the feed, as the template shows it.
type feedItem struct {
	Seq      uint64
	At       string // RFC 3339, the script shows it in local time
	Time     string // UTC HH:MM:SS, before the script runs
	Class    string
	Decision string
	DecLabel string
	Reason   string
	Detail   string
	RuleText string // the refusing rule's description, in the page's language
	Gate     string
	Latency  string
	Clock    string // empty when synced
}

func feedItems(t tr, evs []checkpoint.Event) []feedItem {
	out := make([]feedItem, 0, len(evs))
	for _, e := range evs {
		it := feedItem{
			Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339), Time: e.At.UTC().Format("15:04:05"),
			Class: e.Class, Decision: e.Decision, DecLabel: t.TOr("decision."+e.Decision, e.Decision),
			Reason: t.TOr("reason."+e.Reason, e.Reason),
			Gate:   t.TOr("gatestate."+e.Gate, e.Gate),
		}
		if e.LatencyUS > 0 {
			it.Latency = fmt.Sprintf("%.0f %s", float64(e.LatencyUS)/1000, t.T("feed.latency"))
		}
		issuer := e.Issuer
		if issuer != "" && e.Unverified {
			// What a refused code claims: not an issuer anyone vouched for.
			issuer = t.T("feed.unverified") + ": " + issuer
		}
		it.Detail = strings.Join(nonEmpty(strings.ToUpper(e.Format), e.Type, issuer, e.Rule), " · ")
		if e.Clock != "" && e.Clock != record.ClockSynced {
			it.Clock = t.TOr("clock."+e.Clock, e.Clock)
		}
		out = append(out, it)
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
