package configs_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/configs"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/run"
)

// groundED returns the lowest ED energies of a shipped config with
// overrides, through the code of `vmc ed`.
func groundED(t *testing.T, file string, k int, sets ...string) []float64 {
	t.Helper()
	data, err := configs.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := run.Parse(file, data, sets)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.SolveED(context.Background(), k, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	return res.Energies
}

// denseGround is the reference: the lowest eigenvalue of Σ_t c_t ⊗ A on n
// sites (site 0 the least significant bit, 2×2 factors in the (down, up)
// basis), through the real embedding [[Re, −Im], [Im, Re]] of the dense
// matrix restricted to the states with nUp up spins (−1: all).
func denseGround(n, nUp int, terms []hamiltonian.Term, spin bool) float64 {
	s := complex(1, 0)
	if spin {
		s = 0.5
	}
	p := map[byte][2][2]complex128{
		'x': {{0, s}, {s, 0}}, 'y': {{0, s * 1i}, {-s * 1i, 0}}, 'z': {{-s, 0}, {0, s}},
	}
	var rows []int
	for a := 0; a < 1<<n; a++ {
		c := 0
		for v := a; v != 0; v &= v - 1 {
			c++
		}
		if nUp < 0 || c == nUp {
			rows = append(rows, a)
		}
	}
	d := len(rows)
	m := mat.NewSymDense(2*d, nil)
	for i, a := range rows {
		for j, b := range rows {
			var h complex128
			for _, t := range terms {
				v := t.Coupling
				for site := 0; site < n && v != 0; site++ {
					ai, bi := a>>site&1, b>>site&1
					f := complex(0, 0)
					if ai == bi {
						f = 1
					}
					for k, ts := range t.Sites {
						if ts == site {
							f = p[t.Op[k]][ai][bi]
						}
					}
					v *= f
				}
				h += v
			}
			m.SetSym(i, j, real(h))
			m.SetSym(d+i, d+j, real(h))
			m.SetSym(d+i, j, imag(h))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, false) {
		panic("eigen failed")
	}
	return eig.Values(nil)[0]
}

// ring returns the terms op on (i, i+r mod n) for every i, with coupling c.
func ring(n, r int, c complex128, ops ...string) []hamiltonian.Term {
	var out []hamiltonian.Term
	for i := range n {
		for _, op := range ops {
			out = append(out, hamiltonian.Term{Op: op, Sites: []int{i, (i + r) % n}, Coupling: c})
		}
	}
	return out
}

func field(n int, op string, c complex128) []hamiltonian.Term {
	var out []hamiltonian.Term
	for i := range n {
		out = append(out, hamiltonian.Term{Op: op, Sites: []int{i}, Coupling: c})
	}
	return out
}

func checkE(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: E0 = %.12f, want %.12f", what, got, want)
	} else {
		t.Logf("%s: E0 = %.12f (reference %.12f)", what, got, want)
	}
}

// The shipped term examples: ED energies of the model of each config,
// reduced to 8 sites, against a dense Kronecker-product reference written
// independently of the config, and the exactly known energies at the
// shipped sizes.
func TestTermExamplesED(t *testing.T) {
	// XYZ chain, 8 sites.
	var xyz []hamiltonian.Term
	xyz = append(xyz, ring(8, 1, 1, "xx")...)
	xyz = append(xyz, ring(8, 1, 0.6, "yy")...)
	xyz = append(xyz, ring(8, 1, 0.3, "zz")...)
	checkE(t, "XYZ chain N=8", groundED(t, "terms-xyz-chain12.toml", 1, "lattice.extent=[8]")[0], denseGround(8, -1, xyz, false))

	// J1-J2-J3 chain, 8 sites, S^z = 0.
	var j123 []hamiltonian.Term
	for r, c := range map[int]complex128{1: 1, 2: 0.3, 3: 0.1} {
		j123 = append(j123, ring(8, r, c, "xx", "yy", "zz")...)
	}
	checkE(t, "J1-J2-J3 chain N=8", groundED(t, "terms-j1j2j3-chain12.toml", 1, "lattice.extent=[8]")[0], denseGround(8, 4, j123, true))

	// Longitudinal + transverse field Ising chain, 8 sites.
	var lt []hamiltonian.Term
	lt = append(lt, ring(8, 1, -1, "zz")...)
	lt = append(lt, field(8, "x", -0.8)...)
	lt = append(lt, field(8, "z", -0.3)...)
	checkE(t, "LT Ising chain N=8", groundED(t, "terms-lt-ising-chain12.toml", 1, "lattice.extent=[8]")[0], denseGround(8, -1, lt, false))

	// Cluster model: E0 = −N, gap 2.
	for _, n := range []int{8, 12} {
		var cl []hamiltonian.Term
		for i := range n {
			cl = append(cl, hamiltonian.Term{Op: "zxz", Sites: []int{(i + n - 1) % n, i, (i + 1) % n}, Coupling: -1})
		}
		e := groundED(t, "terms-cluster-chain12.toml", 2, fmt.Sprintf("lattice.extent=[%d]", n))
		checkE(t, fmt.Sprintf("cluster N=%d (analytic −N)", n), e[0], -float64(n))
		checkE(t, fmt.Sprintf("cluster N=%d first excitation (analytic −N+2)", n), e[1], -float64(n)+2)
		if n == 8 {
			checkE(t, "cluster N=8 (dense)", e[0], denseGround(8, -1, cl, false))
		}
	}

	// Toric code: −(#stars + #plaquettes) = −16, fourfold degenerate on
	// the torus.
	e := groundED(t, "terms-toric-code16.toml", 5)
	for k := range 4 {
		checkE(t, fmt.Sprintf("toric code 4×4, level %d (analytic −16)", k), e[k], -16)
	}
	if e[4] < -16+4-1e-9 {
		t.Errorf("toric code: fifth level %g below the first excitation −12", e[4])
	}

	// Shastry–Sutherland at J/J' = 0.5: the dimer product, −3/4 per dimer.
	checkE(t, "Shastry–Sutherland 16 (analytic −6)", groundED(t, "terms-shastry-sutherland16.toml", 1)[0], -6)

	// Kitaev honeycomb: the bond directions colour the 18 bonds of 12 sites
	// so that every site has exactly one x, one y and one z bond.
	data, _ := configs.Read("terms-kitaev-honeycomb12.toml")
	p, err := run.Parse("kitaev", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := p.Op.(*hamiltonian.Terms).List()
	if len(all) != 18 {
		t.Fatalf("Kitaev 12 sites: %d bond terms, want 18", len(all))
	}
	deg := map[[2]int]int{}
	for _, tm := range all {
		for _, s := range tm.Sites {
			deg[[2]int{s, int(tm.Op[0])}]++
		}
	}
	for key, d := range deg {
		if d != 1 {
			t.Errorf("Kitaev: site %d has %d %c-bonds, want 1", key[0], d, key[1])
		}
	}
	// Dense reference at 8 sites (2×2 cells) from the same bond list,
	// classified here by the letters only.
	p8, err := run.Parse("kitaev8", data, []string{"lattice.extent=[2,2]"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p8.SolveED(context.Background(), 1, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	checkE(t, "Kitaev 2×2 cells (dense)", res.Energies[0], denseGround(8, -1, p8.Op.(*hamiltonian.Terms).List(), false))

	// ED values at the shipped sizes (this implementation; recorded so
	// that a change shows).
	for file, want := range map[string]float64{
		"terms-xyz-chain12.toml":        -14.415066036779425,
		"terms-j1j2j3-chain12.toml":     -4.922275003465998,
		"terms-lt-ising-chain12.toml":   -17.2963302747626,
		"terms-kitaev-honeycomb12.toml": -9.800282700243109,
	} {
		checkE(t, file, groundED(t, file, 1)[0], want)
	}
}
