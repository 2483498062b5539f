// Package lattice describes the finite clusters on which spin models live:
// sites with positions, bonds ("edges") labelled by neighbour order, periodic
// (PBC) or open (OBC) boundaries per direction, the translation group of the
// cluster and its bipartite structure.
//
// # Geometry
//
// A Bravais lattice with primitive vectors a_d and a basis of sites is
// repeated Extent[d] times along each direction d. Sites are numbered
//
//	site = cell·len(basis) + b,   cell = n_0 + L_0·(n_1 + L_1·n_2 ...)
//
// so the first direction runs fastest. Built-in kinds, with nearest-neighbour
// distance 1:
//
//	chain       a_1 = (1)                        basis (0)
//	square      a_1 = (1,0), a_2 = (0,1)         basis (0,0)
//	triangular  a_1 = (1,0), a_2 = (1/2, √3/2)    basis (0,0)
//	honeycomb   a_1 = (√3,0), a_2 = (√3/2, 3/2)  basis (0,0), (√3/2, 1/2)
//	kagome      a_1 = (2,0), a_2 = (1, √3)        basis (0,0), (1,0), (1/2, √3/2)
//
// A custom lattice is given by its number of sites and an explicit edge list
// with orders. Its site i sits at position (i) for want of a geometry, and
// it has no translations; Automorphisms finds its symmetries from the edges
// alone.
//
// # Edges and neighbour order
//
// Edge order 1 joins nearest neighbours, order 2 next-nearest neighbours,
// where the shells are those of the infinite lattice. On a torus a pair of
// sites can be joined through several periodic images (for example the two
// sites of a 2-site periodic direction). Every unordered pair appears at most
// once, with the smallest order through which it is connected, and a site is
// never joined to itself. This is the usual convention of exact
// diagonalization codes and is what the Hamiltonians count: a bond is a pair
// of sites, not a path.
//
// # Symmetries
//
// Translations returns the translation group of the periodic directions.
// Automorphisms returns every permutation of the sites that maps the edges
// of each order onto themselves: the space group of the cluster
// (translations and the point-group operations the torus admits) and, on
// some small tori, accidental extra symmetries of the bonds. Every
// Hamiltonian built from the edges by order commutes with all of them.
//
// # Sublattices
//
// Bipartite reports whether the graph of order-1 edges is two-colourable,
// with the colour of each site. A periodic chain of odd length is not.
package lattice
