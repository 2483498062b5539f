package ansatz

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func jastrowCases() []contractCase {
	var cases []contractCase
	for _, tc := range []struct {
		n           int
		holo, field bool
		scale       float64
	}{
		{6, true, true, 0.3}, {6, true, false, 1}, {7, false, true, 0.5}, {5, false, false, 2}, {1, true, true, 0.5},
	} {
		dtype := "complex"
		if !tc.holo {
			dtype = "real"
		}
		cases = append(cases, contractCase{
			name:  fmt.Sprintf("N=%d/%s/field=%v/scale=%v", tc.n, dtype, tc.field, tc.scale),
			new:   func() initializer { return NewJastrow(tc.n, tc.holo, tc.field) },
			scale: tc.scale,
		})
	}
	return cases
}

func TestJastrowContract(t *testing.T) { runContract(t, jastrowCases()) }

func TestJastrowParamLayout(t *testing.T) {
	// One nonzero parameter at a time: J_ij → v x_i x_j for the k-th pair
	// of the upper triangle in row order; h_i → v x_i.
	const n = 4
	x := []int8{1, -1, -1, 1}
	m := NewJastrow(n, true, true)
	if m.NumParams() != n*(n-1)/2+n {
		t.Fatalf("NumParams = %d", m.NumParams())
	}
	var pairs [][2]int
	for i := range n {
		for j := i + 1; j < n; j++ {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	p := make([]complex128, m.NumParams())
	for k := range p {
		clear(p)
		v := 0.3 - 0.7i
		p[k] = v
		m.SetParams(p)
		var want complex128
		if k < len(pairs) {
			want = v * complex(float64(x[pairs[k][0]]*x[pairs[k][1]]), 0)
		} else {
			want = v * complex(float64(x[k-len(pairs)]), 0)
		}
		if got := m.LogPsi(x); got != want {
			t.Errorf("parameter %d: LogPsi = %v, want %v", k, got, want)
		}
	}
	if got := NewJastrow(40, true, true).String(); got != "Jastrow(N=40, complex, with field, 820 params)" {
		t.Errorf("String() = %q", got)
	}
	if got := NewJastrow(3, false, false).String(); got != "Jastrow(N=3, real, 3 params)" {
		t.Errorf("String() = %q", got)
	}
}

func TestJastrowSpinFlip(t *testing.T) {
	// Without the field log ψ is even under x → −x exactly (each term
	// x_i J_ij x_j is); with it, it is not.
	rng := rand.New(rand.NewPCG(111, 112))
	for _, field := range []bool{false, true} {
		m := NewJastrow(8, true, field)
		m.InitRandom(rng, 0.5)
		x := randConfig(rng, 8)
		c := m.NewCache(x)
		if c.Accept(nil); c.LogRatio(nil) != 0 || logDist(c.LogPsi(), m.LogPsi(x)) > 1e-14 {
			t.Errorf("field=%v: an empty move changed the cache", field)
		}
		d := logDist(m.LogPsi(x), m.LogPsi(flipped(x, allSites(8))))
		if !field && d > 1e-14 || field && d < 1e-3 {
			t.Errorf("field=%v: |log ψ(−x) − log ψ(x)| = %g", field, d)
		}
	}
}

func TestJastrowPanics(t *testing.T) {
	m := NewJastrow(3, true, true)
	checkPanics(t,
		func() { NewJastrow(0, true, true) },
		func() { m.SetParams(make([]complex128, 2)) },
		func() { m.Params(make([]complex128, 100)) },
		func() { m.LogPsi([]int8{1, 1}) },
		func() { m.NewCache([]int8{1, 1, 1, 1}) },
		func() { m.NewCache([]int8{1, 1, 1}).Reset([]int8{1}) },
		func() { m.NewCache([]int8{1, 1, 1}).LogDeriv(make([]complex128, 1)) },
	)
}

func BenchmarkJastrow(b *testing.B) {
	for _, holo := range []bool{true, false} {
		dtype := "complex"
		if !holo {
			dtype = "real"
		}
		b.Run(fmt.Sprintf("%s/N=40", dtype), func(b *testing.B) {
			benchOps(b, func() initializer { return NewJastrow(40, holo, true) }, 0.1)
		})
	}
}
