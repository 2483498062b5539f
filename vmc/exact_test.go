package vmc

import (
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
)

// denseEnergy computes ⟨ψ|H|ψ⟩/⟨ψ|ψ⟩ and ⟨ψ|H²|ψ⟩/⟨ψ|ψ⟩ − E² by building
// the dense matrix of H over all 2^N configurations and the vector ψ from
// psi.LogPsi — no caches, no log-ratios, no local energies. The sector of ψ
// is imposed by zeroing the amplitudes outside it (nUp < 0: none).
func denseEnergy(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int) (e, variance float64) {
	n := psi.NumSites()
	dim := 1 << n
	x := make([]int8, n)
	logs := make([]complex128, dim)
	lmax := math.Inf(-1)
	for v := range dim {
		logs[v] = cmplx.Inf()
		if nUp >= 0 && bits.OnesCount(uint(v)) != nUp {
			continue
		}
		hilbert.StateToConfig(uint64(v), x)
		logs[v] = psi.LogPsi(x)
		lmax = max(lmax, real(logs[v]))
	}
	amp := make([]complex128, dim)
	for v := range dim {
		if !cmplx.IsInf(logs[v]) {
			amp[v] = cmplx.Exp(logs[v] - complex(lmax, 0))
		}
	}
	h := make([]float64, dim*dim) // h[u*dim+v] = ⟨u|H|v⟩
	for v := range dim {
		hilbert.StateToConfig(uint64(v), x)
		op.Connected(x, func(flips []int, mel float64) {
			u := v
			for _, i := range flips {
				u ^= 1 << i
			}
			h[u*dim+v] += mel
		})
	}
	var norm, num, num2 float64
	for u := range dim {
		var hpsi complex128
		for v := range dim {
			hpsi += complex(h[u*dim+v], 0) * amp[v]
		}
		norm += real(amp[u] * cmplx.Conj(amp[u]))
		num += real(cmplx.Conj(amp[u]) * hpsi)
		num2 += real(hpsi * cmplx.Conj(hpsi))
	}
	e = num / norm
	return e, num2/norm - e*e
}

// TestExactDense checks the exact enumerator's energy and variance against
// the dense computation ⟨ψ|H|ψ⟩/⟨ψ|ψ⟩, for several models, ansätze and
// sectors.
func TestExactDense(t *testing.T) {
	tests := []struct {
		name string
		psi  ansatz.Ansatz
		op   hamiltonian.Operator
		nUp  int
	}{
		{"heisenberg8-sz0-rbm", randomRBM(8, 1, true, 0.3, 1), heisenberg(t, 8, true, true), 4},
		{"heisenberg8-sz1-jastrow", randomJastrow(8, 0.3, 2), heisenberg(t, 8, true, false), 5},
		{"heisenberg7-open-all", randomJastrow(7, 0.3, 3), heisenberg(t, 7, false, false), Unconstrained},
		{"ising8-rbm", randomRBM(8, 2, true, 0.3, 4), ising(t, 8, 1), Unconstrained},
		{"ising6-real-rbm", randomRBM(6, 1, false, 0.5, 5), ising(t, 6, 0.7), Unconstrained},
	}
	// Both sides sum O(2^N) terms of order one: 1e-12 leaves three orders of
	// magnitude for rounding (ε ≈ 2e-16 times a few hundred terms).
	const tol = 1e-12
	for i, tc := range tests {
		ex, err := NewExact(tc.psi, tc.op, tc.nUp, 2)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		var b Batch
		ex.Sample(&b, true)
		want, wantVar := denseEnergy(tc.psi, tc.op, tc.nUp)
		st := b.EnergyStats()
		if math.Abs(st.Mean-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("case %d (%s): exact E = %.15g, dense %.15g", i, tc.name, st.Mean, want)
		}
		if math.Abs(st.MeanImag) > tol {
			t.Errorf("case %d (%s): Im E = %g, want 0 for a Hermitian H", i, tc.name, st.MeanImag)
		}
		if math.Abs(st.Variance-wantVar) > 1e-10 {
			t.Errorf("case %d (%s): variance %.15g, dense %.15g", i, tc.name, st.Variance, wantVar)
		}
		var wsum float64
		for _, w := range b.W {
			wsum += w
		}
		if math.Abs(wsum-1) > 1e-13 {
			t.Errorf("case %d (%s): Σ W = %v, want 1", i, tc.name, wsum)
		}
		// Rows of O are the log-derivatives of the listed configurations.
		o := make([]complex128, b.P)
		c := tc.psi.NewCache(b.Config(0))
		for s := range b.Ns {
			c.Reset(b.Config(s))
			c.LogDeriv(o)
			for k := range o {
				if o[k] != b.ORow(s)[k] {
					t.Fatalf("case %d (%s): O[%d][%d] = %v, want %v", i, tc.name, s, k, b.ORow(s)[k], o[k])
				}
			}
		}
	}
}

// TestExactBasis checks the enumerated configurations: count, order, sector,
// and no duplicates.
func TestExactBasis(t *testing.T) {
	binom := func(n, k int) int {
		r := 1
		for i := range k {
			r = r * (n - i) / (i + 1)
		}
		return r
	}
	for i, tc := range []struct{ n, nUp int }{{1, Unconstrained}, {5, Unconstrained}, {6, 0}, {6, 6}, {6, 1}, {10, 5}, {9, 4}} {
		ex, err := NewExact(newJastrow(tc.n), heisenberg(t, tc.n, false, false), tc.nUp, 1)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		want := 1 << tc.n
		if tc.nUp >= 0 {
			want = binom(tc.n, tc.nUp)
		}
		if ex.Dim() != want {
			t.Fatalf("case %d: Dim = %d, want %d", i, ex.Dim(), want)
		}
		for k, v := range ex.basis {
			if k > 0 && v <= ex.basis[k-1] {
				t.Fatalf("case %d: basis not increasing at %d", i, k)
			}
			if tc.nUp >= 0 && bits.OnesCount64(v) != tc.nUp {
				t.Fatalf("case %d: basis[%d] = %b has the wrong number of up spins", i, k, v)
			}
		}
	}
	if _, err := NewExact(newJastrow(30), ising(t, 30, 1), Unconstrained, 1); err == nil {
		t.Error("NewExact accepted 2^30 configurations")
	}
	if _, err := NewExact(newJastrow(6), ising(t, 6, 1), 3, 1); err == nil {
		t.Error("NewExact accepted a sector for an operator that does not conserve S^z")
	}
	if _, err := NewExact(newJastrow(6), ising(t, 7, 1), Unconstrained, 1); err == nil {
		t.Error("NewExact accepted an operator with a different number of sites")
	}
}

// TestExactThreads checks that the exact batch does not depend on threads.
func TestExactThreads(t *testing.T) {
	psi := randomRBM(8, 1, true, 0.3, 9)
	op := heisenberg(t, 8, true, true)
	var ref Batch
	for _, threads := range []int{1, 2, 3, 7} {
		ex, err := NewExact(psi, op, 4, threads)
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		ex.Sample(&b, true)
		ex.Sample(&b, true) // reuse of buffers and caches
		if threads == 1 {
			ref = b
			continue
		}
		if err := sameBatch(&ref, &b); err != nil {
			t.Errorf("threads %d: %v", threads, err)
		}
	}
}

// sameBatch reports the first bitwise difference between two batches.
func sameBatch(a, b *Batch) error {
	if a.Ns != b.Ns || a.P != b.P || a.N != b.N || a.Chains != b.Chains || a.PerChain != b.PerChain {
		return fmt.Errorf("shapes differ: %d %d %d %d %d vs %d %d %d %d %d", a.Ns, a.P, a.N, a.Chains, a.PerChain, b.Ns, b.P, b.N, b.Chains, b.PerChain)
	}
	if math.Float64bits(a.Acceptance) != math.Float64bits(b.Acceptance) {
		return fmt.Errorf("acceptance %v vs %v", a.Acceptance, b.Acceptance)
	}
	same := func(x, y complex128) bool {
		return math.Float64bits(real(x)) == math.Float64bits(real(y)) && math.Float64bits(imag(x)) == math.Float64bits(imag(y))
	}
	if len(a.E) != len(b.E) || len(a.O) != len(b.O) || len(a.W) != len(b.W) || len(a.Configs) != len(b.Configs) {
		return fmt.Errorf("buffer lengths differ")
	}
	for s := range a.E {
		if !same(a.E[s], b.E[s]) {
			return fmt.Errorf("E[%d] = %v vs %v", s, a.E[s], b.E[s])
		}
	}
	for k := range a.O {
		if !same(a.O[k], b.O[k]) {
			return fmt.Errorf("O[%d] = %v vs %v", k, a.O[k], b.O[k])
		}
	}
	for k := range a.W {
		if math.Float64bits(a.W[k]) != math.Float64bits(b.W[k]) {
			return fmt.Errorf("W[%d] = %v vs %v", k, a.W[k], b.W[k])
		}
	}
	for k := range a.Configs {
		if a.Configs[k] != b.Configs[k] {
			return fmt.Errorf("Configs[%d] = %v vs %v", k, a.Configs[k], b.Configs[k])
		}
	}
	return nil
}
