package observable

import (
	"errors"
	"fmt"
	"math"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// Entry names, as used for /observables/<name> in the output file.
const (
	NameZZ            = "zz"                         // ⟨S^z_i S^z_j⟩, shape [N, N]
	NameXX            = "xx"                         // ⟨S^x_i S^x_j⟩, shape [N, N]
	NameZZDistance    = "zz_distance"                // ⟨S^z_i S^z_j⟩ by distance class, shape [classes]
	NameXXDistance    = "xx_distance"                // ⟨S^x_i S^x_j⟩ by distance class, shape [classes]
	NameStructure     = "structure_factor"           // S(q), shape [momenta]
	NameMagnetization = "magnetization"              // ⟨|M_z|⟩/N, shape [1]
	NameStaggered     = "staggered_magnetization_sq" // ⟨(Σ ε_i S^z_i)²⟩/N², shape [1]
)

// Spec selects the observables to measure and describes the state.
type Spec struct {
	// ZZ and XX select ⟨S^z_i S^z_j⟩ and ⟨S^x_i S^x_j⟩: all pairs (an N×N
	// matrix) or, with ByDistance, averages over distance classes (see the
	// package documentation).
	ZZ, XX     bool
	ByDistance bool
	// StructureFactor selects S(q) at every momentum of lattice.Momenta.
	StructureFactor bool
	// Magnetization selects ⟨|M_z|⟩/N and, on bipartite lattices, m_s².
	Magnetization bool

	// NUp is the number of up spins of the sector the state is confined
	// to, or vmc.Unconstrained (−1) for a state on the whole Hilbert space.
	// It must match the sampler (Options.NUp, or the nUp of vmc.NewExact):
	// in a sector, xx flips of parallel spins leave it and contribute 0.
	// Measure checks every sample against it. Exact ignores it (the basis
	// of the ED result knows its sector).
	NUp int
	// SignRule states that the state is the Marshall-rotated ψ' of a
	// Heisenberg operator with the sign rule on (its SignRule()); xx
	// correlations then get the factor ε_i ε_j that undoes the rotation.
	// It needs a bipartite lattice.
	SignRule bool
	// Threads is the number of goroutines; ≤ 0 means GOMAXPROCS. Results
	// do not depend on it.
	Threads int
}

// Entry is one measured observable: an array of estimates of shape Shape,
// stored row-major.
type Entry struct {
	Name  string
	Shape []int
	// Stats holds one estimate per element.
	Stats []vmc.Stats
	// Labels, when not nil, labels each element: the distance {d} of a
	// distance class, the momentum q of S(q).
	Labels [][]float64
	// Exact holds exact values of the same elements, filled by Compare.
	Exact []float64
}

// Means returns the Mean of every element.
func (e *Entry) Means() []float64 {
	out := make([]float64, len(e.Stats))
	for k, s := range e.Stats {
		out[k] = s.Mean
	}
	return out
}

// Errors returns the Error of every element.
func (e *Entry) Errors() []float64 {
	out := make([]float64, len(e.Stats))
	for k, s := range e.Stats {
		out[k] = s.Error
	}
	return out
}

// Find returns the entry with the given name, or nil.
func Find(entries []Entry, name string) *Entry {
	for k := range entries {
		if entries[k].Name == name {
			return &entries[k]
		}
	}
	return nil
}

// Compare fills the Exact field of every entry of got from the entry of the
// same name in exact (typically the result of Exact): Exact = its means.
// Entries without an exact counterpart are left alone. It returns an error
// if two entries of the same name have different shapes.
func Compare(got, exact []Entry) error {
	for k := range got {
		e := Find(exact, got[k].Name)
		if e == nil {
			continue
		}
		if len(e.Stats) != len(got[k].Stats) || fmt.Sprint(e.Shape) != fmt.Sprint(got[k].Shape) {
			return fmt.Errorf("observable: %s has shape %v, its exact counterpart %v", got[k].Name, got[k].Shape, e.Shape)
		}
		got[k].Exact = e.Means()
	}
	return nil
}

// VScore returns the V-score of an energy estimate on n sites,
//
//	V = N · Var(E) / E²,
//
// from e.Variance and e.Mean (Wu et al., Science 386, 296 (2024), with the
// energy offset E_∞ = 0). It is zero for an eigenstate and independent of
// whether e is a total or a per-site energy (both scale together).
func VScore(e vmc.Stats, n int) float64 {
	return float64(n) * e.Variance / (e.Mean * e.Mean)
}

// Measure estimates the observables selected by spec from the samples of b,
// a Monte Carlo batch (chain-major, W == nil) or an exact-weighted one, on
// the lattice l. psi is the ansatz that produced b, with the parameters of
// the batch; it is needed only for xx correlations (nil otherwise). Entries
// come in the order zz, xx, structure factor, magnetization, staggered
// magnetization, each present when selected.
//
// Cost per sample: O(N²) products for zz, O(N²) log-ratios for xx
// (O(N·N_ref) with ByDistance), O(N·N_q) for S(q).
//
// Measure panics if b, l and psi have different numbers of sites, or if XX
// is selected without psi. It returns an error if a sample is not a ±1
// configuration, lies outside the sector spec.NUp, or if spec.SignRule is
// set on a lattice that is not bipartite.
func Measure(b *vmc.Batch, psi ansatz.Ansatz, l *lattice.Lattice, spec Spec) ([]Entry, error) {
	n := l.NumSites()
	if b.N != n {
		panic(fmt.Sprintf("observable: Measure: batch of %d sites on a lattice of %d", b.N, n))
	}
	if spec.XX {
		if psi == nil {
			panic("observable: Measure: xx correlations need the ansatz")
		}
		if psi.NumSites() != n {
			panic(fmt.Sprintf("observable: Measure: ansatz of %d sites on a lattice of %d", psi.NumSites(), n))
		}
	}
	if err := checkSamples(b, spec.NUp); err != nil {
		return nil, err
	}
	return measure(batchSource(b, psi), l, spec, spec.NUp != vmc.Unconstrained)
}

// Exact computes the observables selected by spec exactly from the ground
// state of res (which must hold Result.Vector, i.e. be solved with
// ed.Options{Vector: true}) on the lattice l: the same estimators as
// Measure, weighted by v_k² over the basis, with ratios read off the
// vector. The entries have the names and shapes of Measure's, Error = 0.
// spec.NUp is ignored; spec.SignRule must match the operator that was
// diagonalized.
//
// Exact panics if res.Basis and l have different numbers of sites. It
// returns an error if res holds no vector or spec.SignRule is set on a
// lattice that is not bipartite.
func Exact(res *ed.Result, l *lattice.Lattice, spec Spec) ([]Entry, error) {
	if res.Vector == nil {
		return nil, errors.New("observable: Exact: the ED result holds no ground-state vector (solve with ed.Options{Vector: true})")
	}
	if res.Basis.NumSites() != l.NumSites() {
		panic(fmt.Sprintf("observable: Exact: basis of %d sites on a lattice of %d", res.Basis.NumSites(), l.NumSites()))
	}
	if len(res.Vector) != res.Basis.Dim() {
		panic(fmt.Sprintf("observable: Exact: vector of length %d for a basis of dimension %d", len(res.Vector), res.Basis.Dim()))
	}
	return measure(vectorSource(res.Vector, res.Basis), l, spec, res.Basis.NumUp() != hilbert.Unconstrained)
}

// checkSamples verifies that every configuration of b holds ±1 entries and
// nUp up spins (unless nUp is Unconstrained).
func checkSamples(b *vmc.Batch, nUp int) error {
	if nUp != vmc.Unconstrained && (nUp < 0 || nUp > b.N) {
		return fmt.Errorf("observable: NUp = %d is not in [0, %d] (or vmc.Unconstrained)", nUp, b.N)
	}
	for s := 0; s < b.Ns; s++ {
		up := 0
		for i, v := range b.Config(s) {
			switch v {
			case 1:
				up++
			case -1:
			default:
				return fmt.Errorf("observable: sample %d has x[%d] = %d, want ±1", s, i, v)
			}
		}
		if nUp != vmc.Unconstrained && up != nUp {
			return fmt.Errorf("observable: sample %d has %d up spins but Spec.NUp = %d (use vmc.Unconstrained for a state on the whole Hilbert space)", s, up, nUp)
		}
	}
	return nil
}

// measure runs the selected kernels over src.
func measure(src *source, l *lattice.Lattice, spec Spec, sector bool) ([]Entry, error) {
	g := newGeometry(l)
	n := g.n
	if spec.SignRule && g.sub == nil {
		return nil, fmt.Errorf("observable: the sign rule needs a bipartite lattice, and %v is not", l)
	}
	threads := defaultThreads(spec.Threads)
	// sgn[i·N+j] = ε_i ε_j under the sign rule, 1 otherwise.
	sgn := make([]float64, n*n)
	for k := range sgn {
		sgn[k] = 1
		if spec.SignRule && g.sub[k/n] != g.sub[k%n] {
			sgn[k] = -1
		}
	}
	var out []Entry
	if spec.ZZ || spec.XX {
		diag := constStats(src, 0.25)
		distLabels := make([][]float64, len(g.classes))
		for c, d := range g.classes {
			distLabels[c] = []float64{d}
		}
		if spec.ZZ {
			if spec.ByDistance {
				out = append(out, Entry{Name: NameZZDistance, Shape: []int{len(g.classes)},
					Stats: run(src, zzDistance(g), threads), Labels: distLabels})
			} else {
				out = append(out, Entry{Name: NameZZ, Shape: []int{n, n},
					Stats: pairMatrix(n, run(src, zzPairs(n), threads), diag)})
			}
		}
		if spec.XX {
			if spec.ByDistance {
				out = append(out, Entry{Name: NameXXDistance, Shape: []int{len(g.classes)},
					Stats: run(src, xxDistance(g, sgn, sector), threads), Labels: distLabels})
			} else {
				out = append(out, Entry{Name: NameXX, Shape: []int{n, n},
					Stats: pairMatrix(n, run(src, xxPairs(n, sgn, sector), threads), diag)})
			}
		}
	}
	if spec.StructureFactor {
		qs := l.Momenta()
		labels := make([][]float64, len(qs))
		for k, q := range qs {
			labels[k] = append([]float64(nil), q...)
		}
		out = append(out, Entry{Name: NameStructure, Shape: []int{len(qs)},
			Stats: run(src, structureFactor(l, qs), threads), Labels: labels})
	}
	if spec.Magnetization {
		eps := make([]float64, n)
		for i := range eps {
			eps[i] = 1
		}
		out = append(out, Entry{Name: NameMagnetization, Shape: []int{1},
			Stats: run(src, magnetization(eps, false), threads)})
		if g.sub != nil {
			for i, s := range g.sub {
				eps[i] = float64(1 - 2*int(s))
			}
			out = append(out, Entry{Name: NameStaggered, Shape: []int{1},
				Stats: run(src, magnetization(eps, true), threads)})
		}
	}
	return out, nil
}

// constStats returns the statistics of the constant series v over src.
func constStats(src *source, v float64) vmc.Stats {
	x := make([]float64, src.ns)
	for k := range x {
		x[k] = v
	}
	return vmc.Statistics(x, src.chains, src.w)
}

// pairIndex lists the pairs i < j in row-major order.
func pairIndex(n int) [][2]int {
	p := make([][2]int, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			p = append(p, [2]int{i, j})
		}
	}
	return p
}

// pairMatrix expands the statistics of the pairs i < j (in pairIndex order)
// into a symmetric N×N matrix with diag on the diagonal.
func pairMatrix(n int, pairs []vmc.Stats, diag vmc.Stats) []vmc.Stats {
	m := make([]vmc.Stats, n*n)
	k := 0
	for i := 0; i < n; i++ {
		m[i*n+i] = diag
		for j := i + 1; j < n; j++ {
			m[i*n+j], m[j*n+i] = pairs[k], pairs[k]
			k++
		}
	}
	return m
}

// zzPairs: x_i x_j / 4 for every pair i < j.
func zzPairs(n int) kernel {
	pairs := pairIndex(n)
	return kernel{size: len(pairs), newEval: func() func(walker, []int8, int, int, []float64) {
		return func(_ walker, x []int8, lo, hi int, out []float64) {
			for o := lo; o < hi; o++ {
				p := pairs[o]
				out[o-lo] = 0.25 * float64(x[p[0]]*x[p[1]])
			}
		}
	}}
}

// xxPairs: ε_i ε_j Re[ψ(x^{ij})/ψ(x)] / 4 for every pair i < j; 0 for
// parallel spins in a sector.
func xxPairs(n int, sgn []float64, sector bool) kernel {
	pairs := pairIndex(n)
	return kernel{size: len(pairs), newEval: func() func(walker, []int8, int, int, []float64) {
		return func(w walker, x []int8, lo, hi int, out []float64) {
			for o := lo; o < hi; o++ {
				i, j := pairs[o][0], pairs[o][1]
				out[o-lo] = xxValue(w, x, i, j, sgn[i*n+j], sector)
			}
		}
	}}
}

func xxValue(w walker, x []int8, i, j int, sgn float64, sector bool) float64 {
	if sector && x[i] == x[j] {
		return 0
	}
	return 0.25 * sgn * real(w.pair(i, j))
}

// zzDistance: the average of x_i x_j / 4 over the pairs i ≤ j of each
// distance class.
func zzDistance(g *geometry) kernel {
	n, nc := g.n, len(g.classes)
	count := make([]float64, nc)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			count[g.classOf[i*n+j]]++
		}
	}
	return kernel{size: nc, newEval: func() func(walker, []int8, int, int, []float64) {
		acc := make([]float64, nc)
		return func(_ walker, x []int8, lo, hi int, out []float64) {
			clear(acc)
			for i := 0; i < n; i++ {
				row := g.classOf[i*n : (i+1)*n]
				xi := x[i]
				for j := i; j < n; j++ {
					acc[row[j]] += float64(xi * x[j])
				}
			}
			for c := lo; c < hi; c++ {
				out[c-lo] = 0.25 * acc[c] / count[c]
			}
		}
	}}
}

// xxDistance: the average of the xx estimator over the pairs (r, j), r a
// reference site, of each distance class.
func xxDistance(g *geometry, sgn []float64, sector bool) kernel {
	n, nc := g.n, len(g.classes)
	count := make([]float64, nc)
	for _, r := range g.refs {
		for j := 0; j < n; j++ {
			count[g.classOf[r*n+j]]++
		}
	}
	return kernel{size: nc, newEval: func() func(walker, []int8, int, int, []float64) {
		acc := make([]float64, nc)
		return func(w walker, x []int8, lo, hi int, out []float64) {
			clear(acc)
			for _, r := range g.refs {
				for j := 0; j < n; j++ {
					c := g.classOf[r*n+j]
					if j == r {
						acc[c] += 0.25
						continue
					}
					acc[c] += xxValue(w, x, r, j, sgn[r*n+j], sector)
				}
			}
			for c := lo; c < hi; c++ {
				if count[c] == 0 {
					out[c-lo] = math.NaN()
					continue
				}
				out[c-lo] = acc[c] / count[c]
			}
		}
	}}
}

// structureFactor: |Σ_i e^{iq·r_i} x_i/2|² / N for every q.
func structureFactor(l *lattice.Lattice, qs [][]float64) kernel {
	n := l.NumSites()
	cos := make([]float64, len(qs)*n)
	sin := make([]float64, len(qs)*n)
	for k, q := range qs {
		for i := 0; i < n; i++ {
			var ph float64
			for d, r := range l.Position(i) {
				ph += q[d] * r
			}
			cos[k*n+i], sin[k*n+i] = math.Cos(ph), math.Sin(ph)
		}
	}
	return kernel{size: len(qs), newEval: func() func(walker, []int8, int, int, []float64) {
		return func(_ walker, x []int8, lo, hi int, out []float64) {
			for k := lo; k < hi; k++ {
				c, s := cos[k*n:(k+1)*n], sin[k*n:(k+1)*n]
				var re, im float64
				for i, v := range x {
					re += c[i] * float64(v)
					im += s[i] * float64(v)
				}
				out[k-lo] = 0.25 * (re*re + im*im) / float64(n)
			}
		}
	}}
}

// magnetization: |Σ_i ε_i x_i/2| / N, or its square (Σ_i ε_i x_i/2)²/N².
func magnetization(eps []float64, square bool) kernel {
	n := float64(len(eps))
	return kernel{size: 1, newEval: func() func(walker, []int8, int, int, []float64) {
		return func(_ walker, x []int8, _, _ int, out []float64) {
			var m float64
			for i, v := range x {
				m += eps[i] * float64(v)
			}
			m /= 2 * n
			if square {
				out[0] = m * m
			} else {
				out[0] = math.Abs(m)
			}
		}
	}}
}
