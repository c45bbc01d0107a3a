package hub

import (
	"context"
	"log/slog"
	"time"
)

// RunRetention deletes, every every (and once at start), the passes whose
// pass time is older than age at now(), until ctx ends. Several hub
// instances may run it at once: the deletes are idempotent and PostgreSQL's
// partition changes take an advisory lock.
func RunRetention(ctx context.Context, st Fleet, age, every time.Duration, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		cut := now().Add(-age)
		start := time.Now()
		n, err := st.Retain(ctx, cut)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("hub: retention", "err", err)
		case n > 0:
			log.Info("hub: retention deleted passes", "count", n, "before", cut.UTC(), "took", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
