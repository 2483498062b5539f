package main

import (
	"math"
	"math/cmplx"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/vmc"
)

// A NaN forced into the local energies is recovered from (the step is
// retried with a larger shift), the log records the retries, and the output
// file holds only finite parameters. A NaN that persists ends the run with
// exit code 1 and a checkpoint of finite parameters.
func TestRunRecoversFromNaN(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "nan.h5")
	batchHook = func(iter, attempt int, b *vmc.Batch) {
		if iter == 7 && attempt < 2 {
			b.E[3] = complex(math.NaN(), 0)
		}
	}
	defer func() { batchHook = nil }()
	code, _, stderr := vmcRun(t, "run", cfg, "--out", out)
	if code != exitOK {
		t.Logf("stderr:\n%s", stderr)
		t.Fatalf("run with a transient NaN: code %d", code)
	}
	r := readRunFile(t, out)
	var retries float64
	for _, row := range r.Log {
		retries += float64(row.Retries)
	}
	if retries != 2 {
		t.Errorf("log records %g retries, want 2", retries)
	}
	checkFinite(t, r)

	// Persistent NaN from iteration 12 on: the run fails, the file keeps the
	// last good checkpoint.
	batchHook = func(iter, attempt int, b *vmc.Batch) {
		if iter >= 12 {
			b.E[0] = complex(math.Inf(1), 0)
		}
	}
	out2 := filepath.Join(dir, "nan2.h5")
	code, _, stderr = vmcRun(t, "run", cfg, "--out", out2)
	if code != exitFailed || !strings.Contains(stderr, "non-finite") {
		t.Fatalf("persistent NaN: code %d, stderr %s", code, stderr)
	}
	r2, err := runfile.Load(out2)
	if err != nil {
		t.Fatalf("load after a failed run: %v", err)
	}
	if r2.Checkpoint == nil || r2.Checkpoint.Iteration > 12 {
		t.Fatalf("checkpoint %+v", r2.Checkpoint)
	}
	checkFinite(t, r2)
}

func checkFinite(t *testing.T, r *runfile.Run) {
	t.Helper()
	for _, ps := range [][]complex128{r.Parameters, r.Checkpoint.Params} {
		for k, v := range ps {
			if cmplx.IsNaN(v) || cmplx.IsInf(v) {
				t.Fatalf("parameter %d = %v in %s", k, v, r.Path)
			}
		}
	}
}
