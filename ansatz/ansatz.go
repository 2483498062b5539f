package ansatz

import "fmt"

// Ansatz is a variational wavefunction over spin-1/2 configurations.
//
// A configuration x holds one int8 per site, +1 for spin up (σz = +1) and -1
// for spin down. LogPsi returns log ψ(x) as a complex number; ψ is not
// normalized. Parameters are exchanged as complex128 whatever the ansatz's
// own storage: an ansatz with real parameters (Holomorphic() == false) ignores
// imaginary parts in SetParams and reports zero imaginary parts in Params.
//
// An Ansatz is safe for concurrent use by several goroutines as long as no
// goroutine calls SetParams at the same time: every per-chain mutable state
// lives in a Cache.
type Ansatz interface {
	// NumSites returns the number of spins N.
	NumSites() int
	// NumParams returns the number of variational parameters P.
	NumParams() int
	// Holomorphic reports whether log ψ is a holomorphic function of complex
	// parameters (true) or the parameters are real (false).
	Holomorphic() bool
	// Params copies the parameters into dst, which must have length NumParams.
	Params(dst []complex128)
	// SetParams replaces the parameters by p, of length NumParams. Caches
	// created before SetParams are stale and must be Reset.
	SetParams(p []complex128)
	// LogPsi returns log ψ(x) computed from scratch.
	LogPsi(x []int8) complex128
	// NewCache returns a cache positioned at a copy of x.
	NewCache(x []int8) Cache
}

// Cache holds the per-configuration state (e.g. RBM look-up tables
// θ = W x + b) that makes log-ratios for a few flipped spins cheap.
// A Cache is used by one goroutine at a time.
type Cache interface {
	// Reset positions the cache at a copy of x, recomputing all tables.
	Reset(x []int8)
	// Config returns the current configuration. The caller must not modify it.
	Config() []int8
	// LogPsi returns log ψ of the current configuration.
	LogPsi() complex128
	// LogRatio returns log ψ(x') − log ψ(x), where x' is the current
	// configuration with the spins at the given (distinct) sites flipped.
	// The cache is not changed.
	LogRatio(flips []int) complex128
	// Accept moves the cache to x' (the given sites flipped).
	Accept(flips []int)
	// LogDeriv writes O_k(x) = ∂ log ψ(x) / ∂θ_k for the current configuration
	// into dst, which must have length NumParams.
	LogDeriv(dst []complex128)
}

// copyParams and storeParams are Params and SetParams for an ansatz whose
// parameters live in one complex slice p (Jastrow, SymmRBM); who names it
// in panics. storeParams drops imaginary parts unless holomorphic.
func copyParams(who string, dst, p []complex128) {
	if len(dst) != len(p) {
		panic(fmt.Sprintf("ansatz: %s.Params: len(dst) = %d, want %d", who, len(dst), len(p)))
	}
	copy(dst, p)
}

func storeParams(who string, p, src []complex128, holomorphic bool) {
	if len(src) != len(p) {
		panic(fmt.Sprintf("ansatz: %s.SetParams: len(p) = %d, want %d", who, len(src), len(p)))
	}
	for k, v := range src {
		if !holomorphic {
			v = complex(real(v), 0)
		}
		p[k] = v
	}
}

// Invariant is implemented by the ansätze whose amplitude changes at most
// by a constant phase under a group G of site permutations,
//
//	ψ(x∘g) = χ(g) ψ(x),   |χ(g)| = 1,   (x∘g)_i = x_{g(i)},
//
// for every configuration x and every value of the parameters: SymmRBM
// and Symmetrized (χ = 1) and GCNN (χ its character). Then |ψ|², the
// log-derivatives O_k = ∂ log ψ/∂θ_k and the local estimate
// Σ_x' ⟨x|A|x'⟩ ψ(x')/ψ(x) of any operator A that commutes with G are
// constant on the orbits of G, which is what vmc.NewExactOrbits uses.
type Invariant interface {
	Ansatz
	// InvarianceGroup returns G as site permutations (group[g][i] = g(i),
	// the convention of lattice.Lattice.Translations). The caller must
	// not modify it.
	InvarianceGroup() [][]int
}

var (
	_ Invariant = (*SymmRBM)(nil)
	_ Invariant = (*Symmetrized)(nil)
	_ Invariant = (*GCNN)(nil)
)
