package sr

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestKernels(t *testing.T) {
	for name, kern := range kernels {
		testKernel(t, name, kern)
	}
}

func testKernel(t *testing.T, name string, kern kernelFunc) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kc := range []int{0, 1, 3, 64, 129} {
		const ldc = 31
		ldb := kc*mr + 5
		a := make([]float64, max(kc, 1)*mr)
		b := make([]float64, 3*ldb+1)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		c0 := make([]float64, (mr-1)*ldc+nr)
		for i := range c0 {
			c0[i] = rng.NormFloat64()
		}
		for _, sub := range []bool{false, true} {
			want := append([]float64(nil), c0...)
			for i := 0; i < mr; i++ {
				for j := 0; j < nr; j++ {
					var s float64
					for k := 0; k < kc; k++ {
						s += a[k*mr+i] * b[(j/mr)*ldb+k*mr+j%mr]
					}
					if sub {
						want[i*ldc+j] -= s
					} else {
						want[i*ldc+j] += s
					}
				}
			}
			got := append([]float64(nil), c0...)
			kern(kc, a, b, ldb, got, ldc, sub)
			for i := range got {
				// Summation of kc products with or without fused
				// multiply-adds: a few ulps of the sum of |terms|.
				if math.Abs(got[i]-want[i]) > 1e-13*float64(kc+1) {
					t.Fatalf("%s: kc=%d sub=%v: c[%d]=%v, want %v", name, kc, sub, i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkKernel(b *testing.B) {
	for name, kern := range kernels {
		b.Run(name, func(b *testing.B) { benchKernel(b, kern) })
	}
}

func benchKernel(b *testing.B, kern kernelFunc) {
	const kc = kcBlock
	a := make([]float64, kc*mr)
	bb := make([]float64, kc*nr)
	c := make([]float64, mr*nr)
	for i := range a {
		a[i] = 1e-3
	}
	for i := range bb {
		bb[i] = 1e-3
	}
	for b.Loop() {
		kern(kc, a, bb, kc*mr, c, nr, false)
	}
	b.ReportMetric(float64(b.N)*kc*mr*nr*2/b.Elapsed().Seconds()/1e9, "GFlops")
}
