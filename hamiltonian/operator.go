package hamiltonian

// Operator is the one contract through which every Hamiltonian is seen by
// exact diagonalization and by variational Monte Carlo.
//
// For a configuration x (one int8 per site, +1 up, -1 down), Connected calls
// visit once with flips == nil (or empty) and the diagonal element ⟨x|H|x⟩,
// and once for every off-diagonal element ⟨x|H|x'⟩ ≠ 0, where x' is x with
// the spins at the sites in flips reversed. The flips slice is owned by the
// operator: visit must not modify or retain it. The same x' is visited at
// most once. Connected must be safe for concurrent use.
type Operator interface {
	// NumSites returns the number of spins N.
	NumSites() int
	// Connected enumerates the non-zero matrix elements of row x.
	Connected(x []int8, visit func(flips []int, mel float64))
	// MaxConnected bounds the number of calls of visit per Connected call.
	MaxConnected() int
}
