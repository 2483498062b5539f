package ed

import (
	"context"

	"github.com/vmc-lattice/vmc/hilbert"
)

// The Hilbert space, its sectors and the ranked basis live in package
// hilbert; these names are kept so that ED code reads in one package.

// MaxSites is the largest number of sites of a Basis (hilbert.MaxBasisSites).
const MaxSites = hilbert.MaxBasisSites

// MaxDim is the largest dimension of a Basis (hilbert.MaxBasisDim).
const MaxDim = hilbert.MaxBasisDim

// Unconstrained, passed as nUp, selects the full 2^N space
// (hilbert.Unconstrained).
const Unconstrained = hilbert.Unconstrained

// Basis is the ranked basis of one sector; see hilbert.Basis.
type Basis = hilbert.Basis

// NewBasis returns the basis of n sites with nUp up spins; see
// hilbert.NewBasis.
func NewBasis(n, nUp int) (*Basis, error) { return hilbert.NewBasis(n, nUp) }

// newBasis is NewBasis stopped by ctx.
func newBasis(ctx context.Context, n, nUp int) (*Basis, error) {
	return hilbert.NewBasisContext(ctx, n, nUp)
}

// SectorDim returns the dimension of a sector; see hilbert.SectorDim.
func SectorDim(n, nUp int) (int64, error) { return hilbert.SectorDim(n, nUp) }

// NumUp converts a total magnetization into a number of up spins; see
// hilbert.NumUp.
func NumUp(n int, totalSz *float64) (int, error) { return hilbert.NumUp(n, totalSz) }

// StateToConfig writes a bit string as ±1 spins; see hilbert.StateToConfig.
func StateToConfig(s uint64, dst []int8) { hilbert.StateToConfig(s, dst) }

// ConfigToState returns the bit string of a configuration; see
// hilbert.ConfigToState.
func ConfigToState(x []int8) uint64 { return hilbert.ConfigToState(x) }
