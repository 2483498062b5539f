package vmc_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// ar1 returns chains independent stationary AR(1) series of length n,
// chain-major,
//
//	x_t = μ_c + ρ (x_{t−1} − μ_c) + sqrt(1−ρ²) ε_t,   ε_t ~ N(0, 1),
//
// with unit variance and integrated autocorrelation time τ = (1+ρ)/(1−ρ).
// Chain c has mean mu(c).
func ar1(r *rand.Rand, chains, n int, rho float64, mu func(c int) float64) []float64 {
	x := make([]float64, chains*n)
	s := math.Sqrt(1 - rho*rho)
	for c := range chains {
		m := mu(c)
		v := r.NormFloat64() // stationary start
		for t := range n {
			if t > 0 {
				v = rho*v + s*r.NormFloat64()
			}
			x[c*n+t] = m + v
		}
	}
	return x
}

func zero(int) float64 { return 0 }

// TestStatisticsTau checks the autocorrelation time on AR(1) series. With
// 16 chains of 5000 samples the windowed estimator's relative statistical
// error is about sqrt(2(2W+1)/Ns) ≈ 5% for τ = 9 (Sokal 1996, Eq. 3.19),
// and its bias from the window cut is e^{−W/τ}·… ≤ 1%, so 20% is a safe
// bound.
func TestStatisticsTau(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i, rho := range []float64{0, 0.5, 0.8, 0.9, -0.3} {
		x := ar1(r, 16, 5000, rho, zero)
		st := vmc.Statistics(x, 16, nil)
		want := (1 + rho) / (1 - rho)
		if math.Abs(st.TauCorr-want) > 0.2*want {
			t.Errorf("case %d (ρ = %g): τ = %.3f, want %.3f ± 20%%", i, rho, st.TauCorr, want)
		}
		if math.Abs(st.Variance-1) > 0.1 {
			t.Errorf("case %d (ρ = %g): variance %.3f, want 1", i, rho, st.Variance)
		}
		if !(st.RHat < 1.02) {
			t.Errorf("case %d (ρ = %g): R-hat %.4f for identical chains, want < 1.02", i, rho, st.RHat)
		}
	}
}

// TestStatisticsCoverage checks that the error bar covers the true mean at
// the Gaussian rates: |mean − μ| ≤ Error in 68.3% of replicas and ≤ 2·Error
// in 95.4%. With 400 replicas the binomial standard deviation of the first
// rate is 2.3%; the bounds allow about 3.5 standard deviations plus the
// small bias of the τ estimate. Both error estimators are exercised: from τ
// (8 chains) and from the chain means (64 chains).
func TestStatisticsCoverage(t *testing.T) {
	tests := []struct {
		chains, n int
		rho       float64
	}{
		{8, 500, 0.7},
		{64, 100, 0.5},
		{4, 1000, 0},
		// Short chains, as in a training batch (16 × 128): the τ estimate
		// must not lose the fluctuation of the chain means (centered at
		// each chain's mean it gave 1σ coverage 0.61 and 2σ 0.88 here).
		{16, 128, 0.8},
		{4, 300, 0.9},
	}
	const replicas = 400
	r := rand.New(rand.NewPCG(2, 2))
	for i, tc := range tests {
		var in1, in2 int
		for range replicas {
			x := ar1(r, tc.chains, tc.n, tc.rho, func(int) float64 { return 3 })
			st := vmc.Statistics(x, tc.chains, nil)
			d := math.Abs(st.Mean - 3)
			if d <= st.Error {
				in1++
			}
			if d <= 2*st.Error {
				in2++
			}
		}
		f1, f2 := float64(in1)/replicas, float64(in2)/replicas
		if f1 < 0.59 || f1 > 0.77 || f2 < 0.90 {
			t.Errorf("case %d: coverage %.3f at 1σ (want 0.683), %.3f at 2σ (want 0.954)", i, f1, f2)
		}
	}
}

// TestStatisticsRHat checks that R-hat flags chains that disagree.
func TestStatisticsRHat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	tests := []struct {
		name     string
		x        []float64
		chains   int
		min, max float64
	}{
		{"identical", ar1(r, 8, 2000, 0.5, zero), 8, 0.99, 1.02},
		// Chain means 0, 1, 2, 3 with unit within-chain variance:
		// R̂² ≈ 1 + Var(means) = 1 + 1.25 (×…), far above 1.
		{"different means", ar1(r, 4, 2000, 0.5, func(c int) float64 { return float64(c) }), 4, 1.3, math.Inf(1)},
		// One chain drifting: its two halves disagree, which only the split
		// statistic detects.
		{"drift", func() []float64 {
			x := ar1(r, 1, 4000, 0.5, zero)
			for t := range x {
				x[t] += 2 * float64(t) / 4000
			}
			return x
		}(), 1, 1.1, math.Inf(1)},
	}
	for i, tc := range tests {
		st := vmc.Statistics(tc.x, tc.chains, nil)
		if !(st.RHat >= tc.min && st.RHat <= tc.max) {
			t.Errorf("case %d (%s): R-hat = %.4f, want in [%g, %g]", i, tc.name, st.RHat, tc.min, tc.max)
		}
	}
}

// TestStatisticsEdgeCases covers weights, degenerate series and short chains.
func TestStatisticsEdgeCases(t *testing.T) {
	nan := math.NaN()
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	tests := []struct {
		name   string
		x      []float64
		chains int
		w      []float64
		want   vmc.Stats
	}{
		{"weighted", []float64{1, 3, 100}, 1, []float64{0.5, 0.5, 0},
			vmc.Stats{Mean: 2, Variance: 1, Error: 0, TauCorr: 0, RHat: nan}},
		{"empty", nil, 1, nil, vmc.Stats{Mean: nan, Variance: nan, Error: nan, TauCorr: nan, RHat: nan}},
		{"constant", []float64{2, 2, 2, 2, 2, 2, 2, 2}, 2, nil,
			vmc.Stats{Mean: 2, Variance: 0, Error: 0, TauCorr: 1, RHat: 1}},
		// One sample per chain: no τ, error from the chain means
		// sqrt(Σ(m_c − x̄)²/((M−1)M)) = sqrt(2/(1·2)) = 1.
		{"one per chain", []float64{1, 3}, 2, nil,
			vmc.Stats{Mean: 2, Variance: 1, Error: 1, TauCorr: nan, RHat: nan}},
		{"single sample", []float64{5}, 1, nil,
			vmc.Stats{Mean: 5, Variance: 0, Error: nan, TauCorr: nan, RHat: nan}},
	}
	for i, tc := range tests {
		got := vmc.Statistics(tc.x, tc.chains, tc.w)
		w := tc.want
		if !same(got.Mean, w.Mean) || !same(got.Variance, w.Variance) || !same(got.Error, w.Error) ||
			!same(got.TauCorr, w.TauCorr) || !same(got.RHat, w.RHat) || got.MeanImag != 0 {
			t.Errorf("case %d (%s): got %+v, want %+v", i, tc.name, got, w)
		}
	}
	for i, f := range []func(){
		func() { vmc.Statistics([]float64{1, 2, 3}, 2, nil) },
		func() { vmc.Statistics([]float64{1, 2}, 0, nil) },
		func() { vmc.Statistics([]float64{1, 2}, 1, []float64{1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("panic case %d: no panic", i)
				}
			}()
			f()
		}()
	}
}

// Statistics of 16 AR(1) chains with lag-one correlation 0.5: τ = 3, so the
// error of the mean is sqrt(3/Ns) ≈ 0.007 for unit variance.
func ExampleStatistics() {
	r := rand.New(rand.NewPCG(1, 2))
	const chains, n, rho = 16, 4000, 0.5
	x := make([]float64, chains*n)
	for c := range chains {
		v := r.NormFloat64()
		for t := range n {
			if t > 0 {
				v = rho*v + math.Sqrt(1-rho*rho)*r.NormFloat64()
			}
			x[c*n+t] = 10 + v
		}
	}
	st := vmc.Statistics(x, chains, nil)
	fmt.Printf("mean %.3f ± %.3f, variance %.2f, τ %.1f, R-hat %.2f\n", st.Mean, st.Error, st.Variance, st.TauCorr, st.RHat)
	// Output:
	// mean 9.999 ± 0.007, variance 1.00, τ 3.0, R-hat 1.00
}

// Exact and Metropolis estimates for the 4-site Heisenberg ring with a
// constant wavefunction (an RBM with zero parameters) in the S^z = 0 sector.
// Without the sign rule, the constant ψ is the S = 2 ferromagnetic state, an
// eigenstate with E = 4 bonds × 1/4 = 1: every local energy is 1.
func ExampleNewSampler() {
	l, _ := lattice.New(lattice.Chain, []int{4}, []bool{true})
	h, _ := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, Delta: 1})
	psi := ansatz.NewRBM(4, 1, true)

	s, err := vmc.NewSampler(psi, h, vmc.Options{
		Chains: 4, Samples: 1000, BurnIn: 8, Move: vmc.Exchange, NUp: 2, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b vmc.Batch
	s.Sample(&b, false)
	fmt.Printf("Metropolis: %d samples, E = %.4f, variance %.4f\n", b.Ns, b.EnergyStats().Mean, b.EnergyStats().Variance)

	ex, _ := vmc.NewExact(psi, h, 2, 1)
	ex.Sample(&b, false)
	fmt.Printf("exact: %d configurations, E = %.4f, variance %.4f\n", b.Ns, b.EnergyStats().Mean, b.EnergyStats().Variance)
	// Output:
	// Metropolis: 1000 samples, E = 1.0000, variance 0.0000
	// exact: 6 configurations, E = 1.0000, variance 0.0000
}
