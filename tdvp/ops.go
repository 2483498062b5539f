package tdvp

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hilbert"
)

// PauliX is the site average of σ^x over the sites Sites (all sites when
// nil),
//
//	A = (1/|Sites|) Σ_{i∈Sites} σ^x_i,
//
// as a hamiltonian.Operator: one off-diagonal element 1/|Sites| per site.
type PauliX struct {
	N     int
	Sites []int
	flips [][]int
}

// NewPauliX returns the average of σ^x over sites (nil: all N sites).
func NewPauliX(n int, sites []int) *PauliX {
	if sites == nil {
		sites = make([]int, n)
		for i := range sites {
			sites[i] = i
		}
	}
	o := &PauliX{N: n, Sites: sites, flips: make([][]int, len(sites))}
	for k, i := range sites {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("tdvp: PauliX site %d out of range [0, %d)", i, n))
		}
		o.flips[k] = []int{i}
	}
	return o
}

// NumSites returns N.
func (o *PauliX) NumSites() int { return o.N }

// MaxConnected returns 1 + |Sites|.
func (o *PauliX) MaxConnected() int { return 1 + len(o.Sites) }

// Connected visits the (zero) diagonal and one flip per site.
func (o *PauliX) Connected(_ []int8, visit func([]int, float64)) {
	visit(nil, 0)
	c := 1 / float64(len(o.Sites))
	for _, f := range o.flips {
		visit(f, c)
	}
}

// PauliZZ is the average of products of σ^z over pairs of sites,
//
//	A = (1/|Pairs|) Σ_{(i,j)∈Pairs} σ^z_i σ^z_j,
//
// and, with a pair (i, i), the average of σ^z_i itself. Diagonal.
type PauliZZ struct {
	N     int
	Pairs [][2]int
}

// NumSites returns N.
func (o *PauliZZ) NumSites() int { return o.N }

// MaxConnected returns 1.
func (o *PauliZZ) MaxConnected() int { return 1 }

// Connected visits the diagonal element.
func (o *PauliZZ) Connected(x []int8, visit func([]int, float64)) {
	var s int
	for _, p := range o.Pairs {
		if p[0] == p[1] {
			s += int(x[p[0]])
		} else {
			s += int(x[p[0]] * x[p[1]])
		}
	}
	visit(nil, float64(s)/float64(len(o.Pairs)))
}

// StateVector returns the normalized amplitudes ψ(x_s)/‖ψ‖ of psi on the
// states of b, in the order of b (computed as exp(log ψ − max Re log ψ) so
// that no amplitude overflows): the initial vector of an exact evolution
// of the same state.
func StateVector(psi ansatz.Ansatz, b *ed.Basis) []complex128 {
	n := b.NumSites()
	x := make([]int8, n)
	logs := make([]complex128, b.Dim())
	lmax := math.Inf(-1)
	for k, s := range b.All() {
		hilbert.StateToConfig(s, x)
		logs[k] = psi.LogPsi(x)
		lmax = max(lmax, real(logs[k]))
	}
	var nrm float64
	for k, l := range logs {
		logs[k] = cmplx.Exp(l - complex(lmax, 0))
		nrm += real(logs[k])*real(logs[k]) + imag(logs[k])*imag(logs[k])
	}
	nrm = math.Sqrt(nrm)
	for k := range logs {
		logs[k] /= complex(nrm, 0)
	}
	return logs
}
