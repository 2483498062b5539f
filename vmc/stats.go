package vmc

import (
	"fmt"
	"math"
)

// Stats summarizes the estimate of an expectation value from samples. See
// the package documentation, section Statistics, for the formulas.
type Stats struct {
	// Mean is the estimate (the real part, for a complex quantity).
	Mean float64
	// MeanImag is the mean of the imaginary part of a complex quantity; zero
	// for a real series.
	MeanImag float64
	// Error is the standard error of Mean, accounting for autocorrelation;
	// zero for an exact (weighted) estimate.
	Error float64
	// Variance is the variance of the samples (of the distribution, not of
	// the mean).
	Variance float64
	// TauCorr is the integrated autocorrelation time in the convention
	// τ = 1 + 2 Σ_{t≥1} ρ(t), so that Error² ≈ τ·Variance/Ns; 1 for
	// independent samples, 0 for an exact estimate, NaN when the chains are
	// too short.
	TauCorr float64
	// RHat is the split-chain Gelman–Rubin statistic; close to 1 when the
	// chains agree, NaN when it cannot be computed (chains shorter than 4
	// samples, or an exact estimate).
	RHat float64
}

// String formats the estimate as "mean ± error [σ² = var, τ = tau, R̂ = rhat]".
func (s Stats) String() string {
	return fmt.Sprintf("%.8g ± %.2g [σ² = %.4g, τ = %.3g, R̂ = %.4f]", s.Mean, s.Error, s.Variance, s.TauCorr, s.RHat)
}

// chainMeanMin is the number of chains from which the error of the mean is
// estimated from the spread of the chain means (NetKet's choice), which
// needs no autocorrelation model.
const chainMeanMin = 32

// sokalC is the window factor c of Sokal's automatic windowing: the sum
// over ρ(t) stops at the first window W ≥ c·τ(W). Sokal recommends c ≈ 4–10
// (for his τ_int = τ/2, c ≈ 6); c = 5 with our τ is the choice of Goodman
// and Weare's emcee.
const sokalC = 5

// Statistics returns mean, error of the mean, variance, integrated
// autocorrelation time and split R-hat of the per-sample series x.
//
// Without weights (w == nil), x holds chains Markov chains of equal length
// n = len(x)/chains, chain-major (x[c·n + t] is sample t of chain c), and
//
//	Mean     = (1/Ns) Σ_s x_s
//	Variance = (1/Ns) Σ_s (x_s − Mean)²
//	TauCorr  = 1 + 2 Σ_{t=1}^{W} ρ(t)             (Sokal's automatic window W)
//	Error    = sqrt(Var_c(m_c) / chains)          when chains ≥ 32,
//	           sqrt(TauCorr · Variance / Ns)      otherwise,
//
// where m_c are the chain means, Var_c their unbiased variance, and ρ(t) the
// within-chain autocorrelation averaged over chains. Chains of a single
// sample have no TauCorr (NaN) and take the chain-mean error whenever
// chains ≥ 2. RHat is the split-chain
// Gelman–Rubin statistic. The package documentation gives every formula.
//
// With weights (an exact sum; len(w) == len(x), Σ w = 1 up to rounding):
//
//	Mean = Σ_s w_s x_s / Σ w,   Variance = Σ_s w_s (x_s − Mean)² / Σ w,
//
// Error = 0, TauCorr = 0 and RHat = NaN; samples with w_s = 0 are skipped.
//
// Statistics panics if chains < 1, if len(x) is not a multiple of chains,
// or if w is non-nil with a length other than len(x). An empty x gives NaN
// everywhere.
func Statistics(x []float64, chains int, w []float64) Stats {
	if chains < 1 {
		panic("vmc: Statistics: chains < 1")
	}
	if len(x)%chains != 0 {
		panic("vmc: Statistics: len(x) is not a multiple of chains")
	}
	if w != nil && len(w) != len(x) {
		panic("vmc: Statistics: len(w) != len(x)")
	}
	nan := math.NaN()
	if len(x) == 0 {
		return Stats{Mean: nan, Error: nan, Variance: nan, TauCorr: nan, RHat: nan}
	}
	mean, variance := meanVar(x, w)
	if w != nil {
		return Stats{Mean: mean, Variance: variance, RHat: nan}
	}
	st := Stats{Mean: mean, Variance: variance, TauCorr: nan, Error: nan, RHat: splitRHat(x, chains)}
	n := len(x) / chains
	if n >= 2 {
		st.TauCorr = tauSokal(x, chains)
		st.Error = math.Sqrt(st.TauCorr * variance / float64(len(x)))
	}
	if chains >= chainMeanMin || (n < 2 && chains >= 2) {
		var mm float64
		for c := range chains {
			m := chainMean(x[c*n : (c+1)*n])
			d := m - mean
			mm += d * d
		}
		st.Error = math.Sqrt(mm / float64(chains-1) / float64(chains))
	}
	return st
}

func chainMean(x []float64) float64 {
	var m float64
	for _, v := range x {
		m += v
	}
	return m / float64(len(x))
}

// tauSokal returns the integrated autocorrelation time
//
//	τ(W) = 1 + 2 Σ_{t=1}^{W} ρ(t),   ρ(t) = Γ(t)/Γ(0),
//	Γ(t) = (1/chains) Σ_c (1/n) Σ_{i=0}^{n−1−t} (x_{c,i} − x̄)(x_{c,i+t} − x̄),
//
// with the smallest window W ≥ 1 such that W ≥ sokalC·τ(W), or W = n − 1 if
// there is none, and x̄ the mean of all samples (see the package
// documentation for why not the chain means). A series without
// fluctuations (Γ(0) = 0) has τ = 1. The
// result is floored at 1/n so that the error stays real for strongly
// anticorrelated series. Cost O(Ns·W).
//
// Reference: A. D. Sokal, "Monte Carlo methods in statistical mechanics:
// foundations and new algorithms" (1996), §3; J. Goodman and J. Weare,
// Commun. Appl. Math. Comput. Sci. 5, 65 (2010).
func tauSokal(x []float64, chains int) float64 {
	n := len(x) / chains
	mean := chainMean(x)
	gamma := func(t int) float64 {
		var g float64
		for c := range chains {
			xc, m := x[c*n:(c+1)*n], mean
			var gc float64
			for i := 0; i+t < n; i++ {
				gc += (xc[i] - m) * (xc[i+t] - m)
			}
			g += gc
		}
		return g
	}
	g0 := gamma(0)
	if g0 == 0 {
		return 1
	}
	tau := 1.0
	for t := 1; t < n; t++ {
		tau += 2 * gamma(t) / g0
		if float64(t) >= sokalC*tau {
			break
		}
	}
	return max(tau, 1/float64(n))
}

// splitRHat returns the split-chain potential scale reduction factor of
// Gelman et al., Bayesian Data Analysis (3rd ed.), §11.4: each chain is cut
// into halves of h = ⌊n/2⌋ samples (the middle sample of an odd chain is
// dropped), giving m = 2·chains sequences with means θ_j and unbiased
// variances s_j², and
//
//	W = (1/m) Σ_j s_j²,   B/h = 1/(m−1) Σ_j (θ_j − θ̄)²,
//	R̂ = sqrt( ((h−1)/h · W + B/h) / W ).
//
// NaN if h < 2; 1 if W = B = 0; +Inf if only W = 0.
func splitRHat(x []float64, chains int) float64 {
	n := len(x) / chains
	h := n / 2
	if h < 2 {
		return math.NaN()
	}
	m := 2 * chains
	thetas := make([]float64, 0, m)
	var wsum float64
	for c := range chains {
		xc := x[c*n : (c+1)*n]
		for _, half := range [2][]float64{xc[:h], xc[n-h:]} {
			th := chainMean(half)
			var s2 float64
			for _, v := range half {
				d := v - th
				s2 += d * d
			}
			wsum += s2 / float64(h-1)
			thetas = append(thetas, th)
		}
	}
	W := wsum / float64(m)
	tbar := chainMean(thetas)
	var b float64
	for _, th := range thetas {
		d := th - tbar
		b += d * d
	}
	b /= float64(m - 1) // B/h
	if W == 0 {
		if b == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return math.Sqrt(((float64(h)-1)/float64(h)*W + b) / W)
}
