package hub

import "github.com/prometheus/client_golang/prometheus"

// metrics are the hub's Prometheus series, on the Server's own registry.
type metrics struct {
	batches    *prometheus.CounterVec
	inserted   prometheus.Counter
	duplicates prometheus.Counter
	rejects    *prometheus.CounterVec
	enrolled   prometheus.Counter
	ingest     prometheus.Histogram
	health     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chot_hub_batches_total",
			Help: "Batches received, by result (ok, gap, rejected, error).",
		}, []string{"result"}),
		inserted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chot_hub_passes_inserted_total",
			Help: "Passes stored for the first time.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chot_hub_passes_duplicate_total",
			Help: "Passes received again and discarded (identical to the stored one).",
		}),
		rejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chot_hub_rejects_total",
			Help: "Requests refused, by wire error code.",
		}, []string{"code"}),
		enrolled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chot_hub_devices_enrolled_total",
			Help: "Devices enrolled with a token.",
		}),
		ingest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chot_hub_ingest_seconds",
			Help:    "Time to check and store one batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		health: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chot_hub_health_reports_total",
			Help: "Device health reports stored.",
		}),
	}
	reg.MustRegister(m.batches, m.inserted, m.duplicates, m.rejects, m.enrolled, m.ingest, m.health)
	return m
}
