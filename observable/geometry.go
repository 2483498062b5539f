package observable

import (
	"math"
	"sort"

	"github.com/vmc-lattice/vmc/lattice"
)

// distTol groups minimum-image distances into classes; it is the lattice
// package's shell tolerance (positions are O(1) numbers from exact
// expressions, so 1e-8 is far above rounding and far below any spacing).
const distTol = 1e-8

// imageReach bounds the periodic images searched for the minimum image:
// n_d ∈ [−imageReach, imageReach]. A displacement inside the cluster has
// lattice coordinates in (−1, 1) along each supercell vector, so ±1 suffices
// for cells with angles of 60° or more; 2 leaves a margin for basis offsets.
const imageReach = 2

// geometry holds what the estimators need to know about the lattice.
type geometry struct {
	n       int
	dist    []float64 // [N·N] minimum-image distances
	classes []float64 // distinct distances, ascending; classes[0] = 0
	classOf []int     // [N·N] class of each pair
	refs    []int     // orbit representatives of the translation group
	sub     []int8    // sublattice (nil if not bipartite)
}

func newGeometry(l *lattice.Lattice) *geometry {
	n := l.NumSites()
	g := &geometry{n: n}
	if sub, ok := l.Bipartite(); ok {
		g.sub = sub
	}
	wraps := superVectors(l)
	g.dist = make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := minImage(l.Position(i), l.Position(j), wraps)
			g.dist[i*n+j], g.dist[j*n+i] = d, d
		}
	}
	all := append([]float64(nil), g.dist...)
	sort.Float64s(all)
	g.classes = []float64{0}
	for _, d := range all {
		if d-g.classes[len(g.classes)-1] > distTol {
			g.classes = append(g.classes, d)
		}
	}
	g.classOf = make([]int, n*n)
	for k, d := range g.dist {
		c := sort.SearchFloat64s(g.classes, d-distTol)
		if c == len(g.classes) || math.Abs(g.classes[c]-d) > distTol {
			// SearchFloat64s found the first class ≥ d − tol; rounding
			// cannot put d farther than tol from it, but stay safe.
			c = nearest(g.classes, d)
		}
		g.classOf[k] = c
	}
	orbitMin := make([]int, n)
	for i := range orbitMin {
		orbitMin[i] = i
	}
	for _, t := range l.Translations() {
		for i, j := range t {
			orbitMin[i] = min(orbitMin[i], j)
		}
	}
	for i, m := range orbitMin {
		if m == i {
			g.refs = append(g.refs, i)
		}
	}
	return g
}

func nearest(xs []float64, x float64) int {
	best := 0
	for k, v := range xs {
		if math.Abs(v-x) < math.Abs(xs[best]-x) {
			best = k
		}
	}
	return best
}

// superVectors returns L_d a_d for every periodic direction d of a built-in
// lattice with L_d ≥ 2 cells, reading the primitive vector a_d off the
// positions: a_d = r(cell e_d, basis 0) − r(cell 0, basis 0), with sites
// numbered cell·nb + b and the first direction fastest (see package
// lattice).
func superVectors(l *lattice.Lattice) [][]float64 {
	if l.Kind() == lattice.Custom {
		return nil
	}
	ext, pbc := l.Extent(), l.PBC()
	ncell := 1
	for _, e := range ext {
		ncell *= e
	}
	nb := l.NumSites() / ncell
	var out [][]float64
	stride := 1
	for d, e := range ext {
		if pbc[d] && e >= 2 {
			p0, p1 := l.Position(0), l.Position(stride*nb)
			v := make([]float64, len(p0))
			for k := range v {
				v[k] = float64(e) * (p1[k] - p0[k])
			}
			out = append(out, v)
		}
		stride *= e
	}
	return out
}

// minImage returns min_n |b − a + Σ_d n_d w_d| over n_d ∈ [−imageReach,
// imageReach].
func minImage(a, b []float64, wraps [][]float64) float64 {
	dr := make([]float64, len(a))
	for k := range dr {
		dr[k] = b[k] - a[k]
	}
	best := math.Inf(1)
	shift := make([]int, len(wraps))
	for k := range shift {
		shift[k] = -imageReach
	}
	v := make([]float64, len(dr))
	for {
		for k := range v {
			v[k] = dr[k]
			for d, w := range wraps {
				v[k] += float64(shift[d]) * w[k]
			}
		}
		var s float64
		for _, x := range v {
			s += x * x
		}
		best = min(best, math.Sqrt(s))
		// Next shift vector (odometer); done when every digit wrapped.
		d := 0
		for ; d < len(shift); d++ {
			if shift[d] < imageReach {
				shift[d]++
				break
			}
			shift[d] = -imageReach
		}
		if d == len(shift) {
			return best
		}
	}
}
