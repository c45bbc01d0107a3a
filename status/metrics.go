package status

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chot-dev/chot/record"
)

// Collector returns the Prometheus collector of the checkpoint's and the
// daemon's health, read at each scrape. /metrics serves it together with
// Config.Gatherer; a daemon that keeps its own registry may register it
// there instead.
func (s *Server) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Server }

var (
	descDecisions = prometheus.NewDesc("chot_decisions_total", "Decisions since start, by decision.", []string{"decision"}, nil)
	descReasons   = prometheus.NewDesc("chot_decisions_by_reason_total", "Decisions since start, by reason.", []string{"reason"}, nil)
	descGateOpen  = prometheus.NewDesc("chot_gate_open", "1 if the gate is open.", nil, nil)
	descGateFault = prometheus.NewDesc("chot_gate_fault", "1 if the gate is in fault.", nil, nil)
	descLED       = prometheus.NewDesc("chot_led_state", "1 for the status light's current state.", []string{"state"}, nil)
	descClock     = prometheus.NewDesc("chot_clock_state", "1 for the clock's current trust state.", []string{"state"}, nil)
	descWallOff   = prometheus.NewDesc("chot_clock_wall_offset_seconds", "How far the board's own wall clock is from the time in use (positive: ahead).", nil, nil)
	descTrustVer  = prometheus.NewDesc("chot_trust_version", "Version of the installed trust bundle (0: none).", nil, nil)
	descTrustAge  = prometheus.NewDesc("chot_trust_age_seconds", "Age of the installed trust bundle.", nil, nil)
	descTrustStl  = prometheus.NewDesc("chot_trust_stale", "1 if the trust bundle is past stale_after.", nil, nil)
	descTrustExp  = prometheus.NewDesc("chot_trust_expired", "1 if the trust bundle is past expires_at.", nil, nil)
	descTrustKeys = prometheus.NewDesc("chot_trust_keys", "Keys in the installed trust bundle.", nil, nil)
	descConfig    = prometheus.NewDesc("chot_configured", "1 if the checkpoint is configured.", nil, nil)
	descOnline    = prometheus.NewDesc("chot_online", "1 if the hub answered the last sync.", nil, nil)
	descBacklog   = prometheus.NewDesc("chot_sync_backlog", "Passes not yet acknowledged by the hub.", nil, nil)
	descLastSync  = prometheus.NewDesc("chot_last_sync_timestamp_seconds", "Time of the last successful sync.", nil, nil)
	descFPS       = prometheus.NewDesc("chot_camera_fps", "Frames per second read from the camera.", nil, nil)
	descCamUp     = prometheus.NewDesc("chot_camera_running", "1 if the frame source runs.", nil, nil)
	descCamErr    = prometheus.NewDesc("chot_camera_errors_total", "Frame source errors since start.", nil, nil)
	descDiskFree  = prometheus.NewDesc("chot_disk_free_bytes", "Free bytes on the data dir's file system.", nil, nil)
	descDiskTotal = prometheus.NewDesc("chot_disk_total_bytes", "Size of the data dir's file system.", nil, nil)
	descStore     = prometheus.NewDesc("chot_store_bytes", "Size of the pass log file.", nil, nil)
)

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDecisions, descReasons, descGateOpen, descGateFault, descLED, descClock,
		descWallOff, descTrustVer, descTrustAge, descTrustStl, descTrustExp, descTrustKeys, descConfig, descOnline, descBacklog,
		descLastSync, descFPS, descCamUp, descCamErr, descDiskFree, descDiskTotal, descStore} {
		ch <- d
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	doc := c.s.document()
	sn := doc.Snapshot
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	counter(descDecisions, float64(sn.Counters.Accepted), "accept")
	counter(descDecisions, float64(sn.Counters.Rejected), "reject")
	counter(descDecisions, float64(sn.Counters.Manual), "manual")
	for r, n := range sn.Counters.ByReason {
		counter(descReasons, float64(n), r)
	}
	gauge(descConfig, b2f(sn.Configured))
	gauge(descGateOpen, b2f(sn.Gate == "open"))
	gauge(descGateFault, b2f(sn.Gate == "fault"))
	for _, st := range []string{"ready-online", "ready-offline", "warning", "fault", "unconfigured"} {
		gauge(descLED, b2f(sn.LED == st), st)
	}
	for _, st := range []string{record.ClockSynced, record.ClockEstimated, record.ClockUntrusted} {
		gauge(descClock, b2f(sn.Clock.State == st), st)
	}
	gauge(descWallOff, float64(sn.Clock.WallOffsetMS)/1000)
	gauge(descTrustVer, float64(sn.Trust.Version))
	if sn.Trust.Installed && !sn.Trust.IssuedAt.IsZero() {
		gauge(descTrustAge, doc.At.Sub(sn.Trust.IssuedAt).Seconds())
	}
	gauge(descTrustStl, b2f(sn.Trust.Stale))
	gauge(descTrustExp, b2f(sn.Trust.Expired))
	gauge(descTrustKeys, float64(sn.Trust.Keys))
	if h := doc.Health; h != nil {
		gauge(descOnline, b2f(h.Online))
		gauge(descBacklog, float64(h.Backlog))
		if !h.LastSync.IsZero() {
			gauge(descLastSync, float64(h.LastSync.UnixMilli())/1000)
		}
		gauge(descFPS, h.Camera.FPS)
		gauge(descCamUp, b2f(h.Camera.Running))
		counter(descCamErr, float64(h.Camera.Errors))
		gauge(descDiskFree, float64(h.Disk.FreeBytes))
		gauge(descDiskTotal, float64(h.Disk.TotalBytes))
		gauge(descStore, float64(h.StoreBytes))
	}
}

// metricsHandler serves this server's collector and Config.Gatherer.
func (s *Server) metricsHandler() http.Handler {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	gs := prometheus.Gatherers{reg}
	if s.cfg.Gatherer != nil {
		gs = append(gs, s.cfg.Gatherer)
	}
	return promhttp.HandlerFor(gs, promhttp.HandlerOpts{ErrorLog: slogPrinter{s}, ErrorHandling: promhttp.ContinueOnError})
}

type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Warn("metrics", "err", v) }
