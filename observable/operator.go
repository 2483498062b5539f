package observable

import (
	"errors"
	"math"
	"math/cmplx"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/vmc"
)

// MeasureOperator estimates ⟨O⟩ of a Hermitian operator O (any
// hamiltonian.Operator: a model, or hamiltonian.Terms declared in the
// config) over the batch b of ψ: the weighted mean of the local values
//
//	O_loc(x) = Σ_x' ⟨x|O|x'⟩ ψ(x')/ψ(x),
//
// computed through the same Connected and cached log-ratios as the local
// energy (complex elements through hamiltonian.ComplexOperator). In a
// sector of fixed magnetization (nUp ≥ 0) the variational state is ψ
// projected on the sector, so elements to configurations outside it (an
// operator that changes S^z) contribute zero, as they do in ExactOperator.
// The
// estimate is the real part (the imaginary part of ⟨O⟩ vanishes for a
// Hermitian O; its sample mean is noise), with the error bar, τ and R̂ of
// vmc.Statistics over the batch's chains and weights. One cache is built
// per sample, threads goroutines share the samples; the result does not
// depend on threads.
func MeasureOperator(b *vmc.Batch, psi ansatz.Ansatz, op hamiltonian.Operator, nUp, threads int) (vmc.Stats, error) {
	if op.NumSites() != b.N {
		return vmc.Stats{}, errors.New("observable: the operator and the batch have different numbers of sites")
	}
	cop, complexOp := hamiltonian.AsComplex(op)
	vals := make([]float64, b.Ns)
	threads = min(defaultThreads(threads), max(b.Ns, 1))
	sector := nUp != hilbert.Unconstrained
	parallel(threads, threads, func(t int) {
		for k := t * b.Ns / threads; k < (t+1)*b.Ns/threads; k++ {
			x := b.Config(k)
			c := psi.NewCache(x)
			var v complex128
			add := func(flips []int, mel complex128) {
				if flips == nil {
					v += mel
					return
				}
				if sector {
					dz := 0
					for _, i := range flips {
						dz += int(x[i])
					}
					if dz != 0 {
						return // x' leaves the sector: ψ(x') = 0 there
					}
				}
				v += mel * cmplx.Exp(c.LogRatio(flips))
			}
			if complexOp {
				cop.ConnectedComplex(x, add)
			} else {
				op.Connected(x, func(flips []int, mel float64) { add(flips, complex(mel, 0)) })
			}
			vals[k] = real(v)
		}
	})
	return b.Stats(vals), nil
}

// ExactOperator returns ⟨ψ0|O|ψ0⟩ for the normalized ED ground state of
// res (real Vector, or ComplexVector for a complex Hamiltonian) on its
// basis, from the matrix elements of op's Connected.
func ExactOperator(res *ed.Result, op hamiltonian.Operator) (float64, error) {
	if res.Basis == nil || (res.Vector == nil && res.ComplexVector == nil) {
		return 0, errors.New("observable: the ED result has no ground-state vector")
	}
	b := res.Basis
	n := op.NumSites()
	if b.NumSites() != n {
		return 0, errors.New("observable: the operator and the ED basis have different numbers of sites")
	}
	amp := func(k int) complex128 {
		if res.Vector != nil {
			return complex(res.Vector[k], 0)
		}
		return res.ComplexVector[k]
	}
	cop, complexOp := hamiltonian.AsComplex(op)
	x := make([]int8, n)
	var sum complex128
	for k := 0; k < b.Dim(); k++ {
		st := b.State(k)
		hilbert.StateToConfig(st, x)
		ak := cmplx.Conj(amp(k))
		add := func(flips []int, mel complex128) {
			if flips == nil {
				sum += ak * mel * amp(k)
				return
			}
			t := st
			for _, i := range flips {
				t ^= 1 << uint(i)
			}
			if j := b.Index(t); j >= 0 {
				sum += ak * mel * amp(j)
			}
		}
		if complexOp {
			cop.ConnectedComplex(x, add)
		} else {
			op.Connected(x, func(flips []int, mel float64) { add(flips, complex(mel, 0)) })
		}
	}
	if math.Abs(imag(sum)) > 1e-8*math.Max(1, cmplx.Abs(sum)) {
		return 0, errors.New("observable: ⟨O⟩ has an imaginary part: the operator is not Hermitian")
	}
	return real(sum), nil
}
