package sr

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// rbmSamples returns Ns samples of the log-derivatives of a complex RBM
// with n visible and m hidden units,
//
//	log ψ(x) = Σ_j a_j x_j + Σ_i log cosh θ_i,  θ_i = b_i + Σ_j W_ij x_j,
//	O = (x_j; tanh θ_i; x_j tanh θ_i),  P = n + m + n·m,
//
// on uniformly random spins, truncated to the first p parameters, with
// local energies correlated with the derivatives. The spectrum of S is
// realistic enough for CG iteration counts to mean something.
func rbmSamples(rng *rand.Rand, ns, n, m, p int) Samples {
	full := n + m + n*m
	if p > full {
		panic("rbmSamples: p too large")
	}
	w := make([]complex128, n*m)
	b := make([]complex128, m)
	for i := range w {
		w[i] = complex(rng.NormFloat64(), rng.NormFloat64()) * 0.05
	}
	for i := range b {
		b[i] = complex(rng.NormFloat64(), rng.NormFloat64()) * 0.05
	}
	s := Samples{O: make([]complex128, ns*p), E: make([]complex128, ns), Ns: ns, P: p}
	x := make([]float64, n)
	row := make([]complex128, full)
	for si := 0; si < ns; si++ {
		for j := range x {
			x[j] = float64(2*rng.IntN(2) - 1)
		}
		copy(row, make([]complex128, 0))
		for j := range x {
			row[j] = complex(x[j], 0)
		}
		var e complex128
		for i := 0; i < m; i++ {
			th := b[i]
			for j := range x {
				th += w[i*n+j] * complex(x[j], 0)
			}
			t := cmplx.Tanh(th)
			row[n+i] = t
			for j := range x {
				row[n+m+i*n+j] = complex(x[j], 0) * t
			}
			e += t * complex(0.5, 0.1)
		}
		for j := 1; j < n; j++ {
			e -= complex(x[j-1]*x[j]*0.25, 0)
		}
		s.E[si] = e
		copy(s.O[si*p:(si+1)*p], row[:p])
	}
	return s
}

func benchStep(b *testing.B, ns, n, m, p int, solver Solver, threads int) {
	rng := rand.New(rand.NewPCG(7, uint64(p)))
	s := rbmSamples(rng, ns, n, m, p)
	dst := make([]complex128, p)
	var ws Workspace
	opt := Options{DiagShift: 1e-2, Solver: solver, Holomorphic: true, Threads: threads}
	var info Info
	var err error
	// The first call allocates and faults in the workspace; a driver pays
	// that once per run, so it is not timed.
	if _, err = ws.Step(dst, s, opt); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		info, err = ws.Step(dst, s, opt)
		if err != nil {
			b.Fatal(err)
		}
	}
	// cpu-ms/op (CPU time of all threads) is a load-independent measure
	// of work on a shared machine; ms/op is wall time.
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	if solver == CG {
		b.ReportMetric(float64(info.Iterations), "iters")
	}
	if math.IsNaN(info.Residual) {
		b.Fatal("NaN residual")
	}
}

func BenchmarkStep(b *testing.B) {
	for _, tc := range []struct {
		ns, n, m, p int
		solver      Solver
	}{
		{1000, 100, 100, 10200, MinSR},
		{1000, 100, 100, 10200, CG},
		{1000, 40, 40, 1640, Cholesky},
		{2048, 20, 40, 840, Cholesky},
	} {
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("%v/Ns=%d,P=%d/threads=%d", tc.solver, tc.ns, tc.p, threads)
			b.Run(name, func(b *testing.B) { benchStep(b, tc.ns, tc.n, tc.m, tc.p, tc.solver, threads) })
		}
	}
}

// BenchmarkMinSRLarge measures one MinSR step for large networks (issue
// #13: 10k–100k parameters) at Ns = 1024 samples, one and two threads:
// the sample-space matrix costs 4·Ns²·P flops and the centered data
// 16·Ns·P bytes (1.7 GB at P = 10⁵). Figures: benchmarks/sr/README.md.
func BenchmarkMinSRLarge(b *testing.B) {
	for _, tc := range []struct{ n, m int }{{100, 100}, {300, 100}, {1000, 100}} {
		p := tc.n + tc.m + tc.n*tc.m
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("Ns=1024,P=%d/threads=%d", p, threads), func(b *testing.B) {
				benchStep(b, 1024, tc.n, tc.m, p, MinSR, threads)
			})
		}
	}
}
