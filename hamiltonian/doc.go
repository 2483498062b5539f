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
// Heisenberg models commute with S^z_tot (they implement SzConserver); the
// sector is chosen by the caller (ed basis, vmc exchange moves), not by the
// operator.
package hamiltonian
