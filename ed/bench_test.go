package ed

import (
	"fmt"
	"testing"
)

// Benchmarks on the Heisenberg chain in S^z = 0, sized small to large
// through one helper. N = 24 runs only without -short. For timings with
// peak memory, see the command in benchmarks/ed.

var benchSizes = []int{16, 20, 24}

func benchSizesFor(b *testing.B) []int {
	if testing.Short() {
		return benchSizes[:2]
	}
	return benchSizes
}

func benchChain(b *testing.B, n int) (*Basis, *CSR) {
	b.Helper()
	op := chainHeisenberg(b, n, 0)
	bs := mustBasis(b, n, n/2)
	m, err := NewCSR(op, bs, 0)
	if err != nil {
		b.Fatal(err)
	}
	return bs, m
}

func BenchmarkNewBasis(b *testing.B) {
	for _, n := range benchSizesFor(b) {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				mustBasis(b, n, n/2)
			}
		})
	}
}

func BenchmarkNewCSR(b *testing.B) {
	for _, n := range benchSizesFor(b) {
		op := chainHeisenberg(b, n, 0)
		bs := mustBasis(b, n, n/2)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := NewCSR(op, bs, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMulVec(b *testing.B) {
	for _, n := range benchSizesFor(b) {
		bs, csr := benchChain(b, n)
		free, _ := NewMatrixFree(chainHeisenberg(b, n, 0), bs, 0)
		x := randomVector(bs.Dim(), 1)
		y := make([]float64, bs.Dim())
		for _, m := range []struct {
			name string
			a    Matrix
		}{{"csr", csr}, {"matrix-free", free}} {
			b.Run(fmt.Sprintf("%s/N=%d", m.name, n), func(b *testing.B) {
				for b.Loop() {
					m.a.MulVec(y, x)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(bs.Dim()), "ns/row")
			})
		}
	}
}

func BenchmarkLowest(b *testing.B) {
	for _, n := range benchSizesFor(b) {
		_, csr := benchChain(b, n)
		for _, vec := range []bool{false, true} {
			b.Run(fmt.Sprintf("N=%d/vector=%v", n, vec), func(b *testing.B) {
				var mv int
				for b.Loop() {
					eig, err := Lowest(csr, 1, &Settings{NoVectors: !vec})
					if err != nil {
						b.Fatal(err)
					}
					mv = eig.MatVecs
				}
				b.ReportMetric(float64(mv), "products")
			})
		}
	}
}
