package run

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// A declared operator equal to the Hamiltonian measures the final energy
// (exact sums: to rounding) and its ED value is E0; an operator off the
// diagonal in the σ^z basis (Σ S^x_i S^x_{i+1}) agrees with its ED value
// within the optimized state's accuracy; a non-Hermitian declaration is a
// config error naming the key.
func TestDeclaredOperators(t *testing.T) {
	const src = `
[lattice]
kind = "chain"
extent = [8]
[hamiltonian]
kind = "heisenberg"
sign_rule = false
[ansatz]
dtype = "complex"
[sampler]
exact = true
[optimizer]
iterations = 300
learning_rate = 0.1
[observables]
correlations = "none"
structure_factor = false
magnetization = false
[[observables.operators]]
name = "H"
op = "xx"
bonds = 1
coupling = 1.0
[[observables.operators]]
name = "H"
op = "yy"
bonds = 1
coupling = 1.0
[[observables.operators]]
name = "H"
op = "zz"
bonds = 1
coupling = 1.0
[[observables.operators]]
name = "xx1"
op = "xx"
bonds = 1
coupling = 0.125
`
	p, err := Parse("ops.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Operators) != 2 || p.Operators[0].Name != "H" || p.Operators[1].Name != "xx1" {
		t.Fatalf("operators %+v", p.Operators)
	}
	job, err := New(p, filepath.Join(t.TempDir(), "r.h5"), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := job.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h, ok := sum.Observables["H"]
	if !ok || len(h.Exact) != 1 {
		t.Fatalf("observables %+v", sum.Observables)
	}
	if d := math.Abs(h.Mean[0] - sum.Energy); d > 1e-10*math.Abs(sum.Energy) {
		t.Errorf("⟨H⟩ declared = %.12f, final energy %.12f", h.Mean[0], sum.Energy)
	}
	if d := math.Abs(h.Exact[0] - *sum.EDEnergy); d > 1e-10 {
		t.Errorf("exact ⟨H⟩ = %.12f, E0 = %.12f", h.Exact[0], *sum.EDEnergy)
	}
	// Σ_i S^x_i S^x_{i+1} is a third of H by spin-rotation symmetry of the
	// ground state: 0.125 of it is E0/24. The optimized state is close.
	// Its elements leave the S^z = 0 sector half of the time (↑↑ → ↓↓):
	// those count zero, in the sampled estimate as in the exact value.
	xx := sum.Observables["xx1"]
	if d := math.Abs(xx.Exact[0] - *sum.EDEnergy/24); d > 1e-10 {
		t.Errorf("exact 0.125 Σ S^x S^x = %.12f, want E0/24 = %.12f", xx.Exact[0], *sum.EDEnergy/24)
	}
	if d := math.Abs(xx.Mean[0] - xx.Exact[0]); d > 1e-2*math.Abs(xx.Exact[0]) {
		t.Errorf("⟨xx1⟩ = %.8f, exact %.8f (relative error of E %.1e)", xx.Mean[0], xx.Exact[0], *sum.RelativeError)
	}

	bad := strings.Replace(src, `name = "xx1"
op = "xx"`, `name = "xx1"
op = "+z"`, 1)
	if _, err := Parse("bad.toml", []byte(bad), nil); err == nil || !strings.HasPrefix(err.Error(), "bad.toml: observables.operators: xx1: ") {
		t.Errorf("non-Hermitian operator: %v", err)
	}
}
