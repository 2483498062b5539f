package run

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

const evolveTOML = `
seed = 1
[lattice]
kind = "chain"
extent = [6]
[hamiltonian]
kind = "ising"
h = 0.5
[ansatz]
kind = "jastrow"
[sampler]
exact = true
[dynamics]
initial = "x"
t_end = 0.4
dt = 0.01
every = 0.2
rcond = 1e-10
diag_shift = 0
[dynamics.hamiltonian]
h = 1.0
`

// TestEvolveRun runs a small quench end to end: the all-+x product state
// of a 6-site ring under the TFI at h = 1, Jastrow with exact sums, and
// checks the file layout and the agreement with the Krylov reference (the
// Jastrow manifold is not exact here; 1e-2 is loose for t ≤ 0.4, where the
// measured deviation is ~1e-3).
func TestEvolveRun(t *testing.T) {
	ev, err := ParseEvolution("test.toml", []byte(evolveTOML), []string{"dynamics.integrator=\"rk45\"", "dynamics.tol=1e-6"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Dynamics.Integrator != "rk45" || ev.Evolve == ev.Problem {
		t.Fatalf("overrides or quench not applied: %+v", ev.Dynamics)
	}
	out := filepath.Join(t.TempDir(), "dyn.h5")
	sum, err := ev.Run(context.Background(), EvolveOptions{Threads: 1, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Times != 3 || !sum.ExactRan {
		t.Fatalf("summary %+v", sum)
	}
	for _, k := range []string{"sx", "sz", "zz"} {
		if d := sum.Deviation[k]; !(d < 1e-2) {
			t.Errorf("%s deviates by %g from Krylov", k, d)
		}
	}
	if sum.EnergyDrift > 1e-4 {
		t.Errorf("energy drift %g", sum.EnergyDrift)
	}
	f, err := h5io.Open(out, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range []string{"/dynamics/time", "/dynamics/energy/mean", "/dynamics/energy/exact", "/dynamics/observables/sx/mean", "/dynamics/observables/sx/error", "/dynamics/observables/sx/exact", "/dynamics/parameters"} {
		if !f.IsDataset(p) {
			t.Errorf("%s missing", p)
		}
	}
}

// TestEvolveInterrupted checks that a cancelled context stops the
// evolution with ErrInterrupted and still writes the file.
func TestEvolveInterrupted(t *testing.T) {
	ev, err := ParseEvolution("test.toml", []byte(evolveTOML), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "dyn.h5")
	sum, err := ev.Run(ctx, EvolveOptions{Threads: 1, Out: out})
	if !errors.Is(err, ErrInterrupted) || sum == nil || !sum.Interrupted || sum.Times != 1 {
		t.Fatalf("err = %v, summary %+v", err, sum)
	}
	f, err := h5io.Open(out, true)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestEvolveConfigErrors checks the messages of bad [dynamics] keys.
func TestEvolveConfigErrors(t *testing.T) {
	for ci, tc := range []struct{ set, want string }{
		{"dynamics.integrator=\"rk9\"", "dynamics.integrator"},
		{"dynamics.dt=-1", "dynamics.dt"},
		{"dynamics.bogus=1", "dynamics.bogus: unknown key"},
		{"dynamics.observables=[\"sy\"]", "dynamics.observables"},
		{"dynamics.rcond=0", "dynamics.diag_shift"},
		{"dynamics.hamiltonian.kind=\"heisenberg\"", "hamiltonian.h"},
	} {
		_, err := ParseEvolution("test.toml", []byte(evolveTOML), []string{tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d (%s): err = %v, want it to name %q", ci, tc.set, err, tc.want)
		}
	}
}
