// Package hamiltonian defines spin-1/2 lattice Hamiltonians through one
// contract, Operator: for a configuration x it lists the diagonal element and
// every connected configuration x' (as the sites to flip) with its matrix
// element ⟨x|H|x'⟩. Exact diagonalization (package ed) builds its matrix and
// variational Monte Carlo (package vmc) its local energies from that single
// definition.
//
// # Configurations
//
// A configuration is a []int8 with one entry per site: +1 for spin up
// (σ^z = +1, S^z = +1/2) and -1 for spin down. Total magnetization
// S^z_tot = Σ_i x_i / 2.
//
// # Models and units
//
// Transverse-field Ising, in Pauli units (the default):
//
//	H = -J Σ_<ij> σ^z_i σ^z_j - h Σ_i σ^x_i
//
// With units = spin every Pauli matrix is replaced by S = σ/2, so the bond
// term is scaled by 1/4 and the field term by 1/2.
//
// Heisenberg / XXZ with optional next-nearest-neighbour coupling, in spin-1/2
// units (the default):
//
//	H = Σ_d J_d Σ_<ij>∈order d [ S^x_i S^x_j + S^y_i S^y_j + Δ S^z_i S^z_j ],   S = σ/2
//
// with J_1 = J and J_2 = J2; J > 0 is antiferromagnetic. With units = pauli
// the operators are Pauli matrices and H is 4× larger. A bond is a pair of
// sites as listed by the lattice (each pair at most once, see package
// lattice). The off-diagonal element of a bond with antiparallel spins is
// J_d/2 in spin units (2·J_d in Pauli units); the diagonal element is
// J_d·Δ·x_i·x_j/4 (J_d·Δ·x_i·x_j in Pauli units).
//
// # General Hamiltonians (Terms)
//
// NewTerms builds H = Σ_t c_t Π_k Op_k(site_k) from Terms: strings of the
// letters x, y, z (σ in Pauli units, the default; S = σ/2 in spin units)
// and + and - (σ^± = (σ^x ± iσ^y)/2 = S^±, the same in both units; σ^+
// raises a down spin, σ^+|↓⟩ = |↑⟩) on tuples of distinct sites, with
// complex couplings c_t. The coupling multiplies the operator as written:
// a negative c on "zz" is ferromagnetic. In the (↑, ↓) basis
//
//	σ^x = [0 1; 1 0],  σ^y = [0 −i; i 0],  σ^z = [1 0; 0 −1],
//
// so ⟨↑|σ^y|↓⟩ = −i. Each term is expanded once into strings of σ^z, σ^+,
// σ^- (σ^x = σ^+ + σ^-, σ^y = −iσ^+ + iσ^-), a basis in which equal strings
// merge and cancellations are exact. The sum must be Hermitian (each
// string's coefficient is the conjugate of its adjoint's), checked at
// construction. Connected visits one element per flipped site set.
//
// # Complex matrix elements
//
// An operator whose elements may be complex implements ComplexOperator:
// IsReal, and ConnectedComplex with complex128 elements. AsComplex(op)
// returns it only when some element is complex; then Connected panics, and
// package ed (HermitianCSR, a real embedding) and package vmc
// (LocalEnergyComplex) take the complex path, chosen once per build or
// pass. Real operators, Ising and Heisenberg among them, keep the real
// contract and their loops unchanged.
//
// # Sign rule
//
// The Marshall sign rule is the unitary rotation U = Π_{i∈B} σ^z_i (B one
// sublattice of a bipartite J_1 graph). It flips the sign of the exchange
// element of every bond joining the two sublattices and leaves the spectrum
// unchanged. For the unfrustrated antiferromagnet (bipartite J_1 graph,
// J > 0, J2 = 0) it makes every off-diagonal element non-positive, so the
// ground state has positive amplitudes, which a real-valued ansatz can
// represent. AutoSignRule decides when it applies exactly; NewHeisenberg
// refuses it on a lattice that is not bipartite.
//
// # Magnetization sectors
//
// Heisenberg models commute with S^z_tot (they implement SzConserver, as do
// Terms, from their σ^± content); the
// sector is chosen by the caller (ed basis, vmc exchange moves), not by the
// operator.
package hamiltonian
