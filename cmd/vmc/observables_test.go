package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/internal/testutil"
)

// The final evaluation measures [observables], compares them with the ED
// ground state, reports them in --json and writes /observables. The run is
// converged with exact enumeration (deterministic), so every Monte Carlo
// estimate must lie within 5 error bars of ED, up to the small variational
// error (the exact sum leaves none).
func TestRunObservables(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "obs.toml", `seed = 2
[lattice]
kind = "chain"
extent = [8]
[hamiltonian]
kind = "heisenberg"
[ansatz]
alpha = 2
[sampler]
exact = true
[optimizer]
iterations = 300
diag_shift = 0.001
[observables]
correlations = "distance"
xx = true
renyi2_region = [0, 1, 2, 3]
`)
	out := filepath.Join(dir, "obs.h5")
	code, stdout, stderr := vmcRun(t, "run", cfg, "--json", "--out", out)
	if code != exitOK {
		t.Fatalf("run: code %d: %s", code, stderr)
	}
	m := oneJSON(t, stdout)
	obs, ok := m["observables"].(map[string]any)
	if !ok {
		t.Fatalf("no observables in %v", m)
	}
	for _, name := range []string{"zz_distance", "xx_distance", "structure_factor", "magnetization", "staggered_magnetization_sq", "renyi2"} {
		o, ok := obs[name].(map[string]any)
		if !ok {
			t.Errorf("observable %s missing", name)
			continue
		}
		mean, exact := o["mean"].([]any), o["exact"].([]any)
		if len(exact) != len(mean) {
			t.Errorf("%s: %d exact values for %d means", name, len(exact), len(mean))
			continue
		}
		// Exact enumeration: error bars are 0, so compare absolutely; the
		// optimized state is within ~1e-6 of the ground state in energy,
		// so observables agree to ~1e-3 (√(δE/gap) bound).
		for k := range mean {
			if d := mean[k].(float64) - exact[k].(float64); d > 2e-3 || d < -2e-3 {
				t.Errorf("%s[%d] = %v, ED %v", name, k, mean[k], exact[k])
			}
		}
	}
	// h5py sees the datasets.
	py := `import h5py, sys
f = h5py.File(sys.argv[1], "r")
print(sorted(f["observables"].keys()))
print(f["observables/structure_factor/mean"].shape, f["observables/structure_factor/exact"].shape)`
	python := testutil.RequireTool(t, "/usr/bin/python3", "-c", "import h5py")
	outp, err := exec.Command(python, "-c", py, out).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py: %v %s", err, outp)
	}
	if !strings.Contains(string(outp), "renyi2") || !strings.Contains(string(outp), "(8,) (8,)") {
		t.Errorf("h5py view of /observables: %s", outp)
	}
}
