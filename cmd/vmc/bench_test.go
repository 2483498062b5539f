package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/vmc-lattice/vmc/run"
)

// defaultRun runs the embedded default config (configs/default.toml, a few
// seconds) and returns its --json summary.
func defaultRun(tb testing.TB) run.Summary {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "run.h5")
	code, stdout, stderr := vmcRun(tb, "run", "--quiet", "--json", "--out", out)
	if code != exitOK {
		tb.Fatalf("default run: code %d: %s", code, stderr)
	}
	var s run.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkDefaultRun reports the share of the default run's wall time
// spent writing the log (log-%), in checkpoints (ckpt-%: the caller's part)
// and writing companions in the background (companion-%: it overlaps the
// computation but competes with it for the cores).
func BenchmarkDefaultRun(b *testing.B) {
	var logPct, ckptPct, compPct float64
	for i := 0; i < b.N; i++ {
		s := defaultRun(b)
		logPct += 100 * s.LogSeconds / s.WallSeconds
		ckptPct += 100 * s.CheckpointSeconds / s.WallSeconds
		compPct += 100 * s.CompanionSeconds / s.WallSeconds
	}
	b.ReportMetric(logPct/float64(b.N), "log-%")
	b.ReportMetric(ckptPct/float64(b.N), "ckpt-%")
	b.ReportMetric(compPct/float64(b.N), "companion-%")
}

// TestLogOverheadDefault: writing the log costs less than 2% of the run
// time of the default config. The Writer holds rows back when they come
// faster than 100 flushes (see runfile.LogIteration), so the share stays
// near 1% however fast the iterations are.
func TestLogOverheadDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default config (several seconds)")
	}
	s := defaultRun(t)
	pct := 100 * s.LogSeconds / s.WallSeconds
	t.Logf("default run: %.2f s, log %.3f s (%.2f%%), checkpoints %.3f s (%.2f%%)",
		s.WallSeconds, s.LogSeconds, pct, s.CheckpointSeconds, 100*s.CheckpointSeconds/s.WallSeconds)
	if pct >= 2 {
		t.Errorf("writing the log took %.2f%% of the run, want < 2%%", pct)
	}
}
