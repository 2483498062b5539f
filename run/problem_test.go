package run

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/configs"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/vmc"
)

func TestDefaults(t *testing.T) {
	p, err := Parse("x.toml", []byte("[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.NUp != 4 || p.Move != "exchange" || !p.SignRule || p.Units != "spin" || p.Name != "x.toml" {
		t.Fatalf("resolved problem %+v", p)
	}
}

// Every file in configs/ and testdata/good/ must load and build.
func TestGoodConfigs(t *testing.T) {
	for _, name := range configs.Names() {
		data, _ := configs.Read(name)
		if _, err := Parse(name, data, nil); err != nil {
			t.Errorf("configs/%s: %v", name, err)
		}
	}
	files, _ := filepath.Glob("testdata/good/*.toml")
	for _, f := range files {
		if _, err := Load(f, nil); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// Each testdata/bad/NAME.toml starts with a comment line "# want: MESSAGE":
// loading must fail with exactly "testdata/bad/NAME.toml: MESSAGE".
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.toml")
	if len(files) < 10 {
		t.Fatalf("only %d bad configs", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		want, ok := strings.CutPrefix(first, "# want: ")
		if !ok {
			t.Errorf("%s: first line must be '# want: MESSAGE'", f)
			continue
		}
		p, err := Load(f, nil)
		if err == nil {
			// Output problems are found by ValidateOutput, which the
			// commands that write (run, check) call after loading.
			err = p.Config.ValidateOutput(f, p.Config.Output.File)
		}
		if err == nil {
			t.Errorf("%s: loaded without error", f)
			continue
		}
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: error %v is not a *config.Error", f, err)
		}
		if got := err.Error(); got != f+": "+want {
			t.Errorf("%s:\n got: %s\nwant: %s", f, got, f+": "+want)
		}
	}
}

// ansatz.symmetries = "automorphisms": the symmetric RBM over the 128
// automorphisms of the 4×4 torus has the parameters of the translation
// version and log ψ is invariant under every element.
func TestSymmetriesAutomorphisms(t *testing.T) {
	const src = "[lattice]\nkind = \"square\"\nextent = [4, 4]\n[hamiltonian]\nkind = \"heisenberg\"\n[ansatz]\nkind = \"rbm-symm\"\nalpha = 2\ninit_scale = 0.3\n"
	for _, tc := range []struct {
		sym   string
		group int
	}{{"translations", 16}, {"automorphisms", 128}} {
		p, err := Parse("x.toml", []byte(src), []string{"ansatz.symmetries=" + tc.sym})
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.SymmetryGroup()
		if err != nil || len(g) != tc.group {
			t.Fatalf("%s: |G| = %d, %v; want %d", tc.sym, len(g), err, tc.group)
		}
		psi, err := p.NewAnsatz()
		if err != nil {
			t.Fatal(err)
		}
		if psi.NumParams() != 1+2+2*16 {
			t.Errorf("%s: %d parameters, want 35", tc.sym, psi.NumParams())
		}
		rng := rand.New(rand.NewPCG(1, 2))
		x, y := make([]int8, 16), make([]int8, 16)
		for trial := 0; trial < 20; trial++ {
			for i := range x {
				x[i] = int8(2*rng.IntN(2) - 1)
			}
			l0 := psi.LogPsi(x)
			for _, perm := range g {
				for i := range y {
					y[i] = x[perm[i]]
				}
				if d := cmplx.Abs(psi.LogPsi(y) - l0); d > 1e-12 {
					t.Fatalf("%s: log ψ changes by %g under %v", tc.sym, d, perm)
				}
			}
		}
	}
	// Other kinds are summed over the group: same parameters as without,
	// and invariant.
	for _, kind := range []string{"ffnn", "jastrow", "rbm"} {
		p, err := Parse("x.toml", []byte(src), []string{"ansatz.kind=" + kind, "ansatz.layers=[8]", "ansatz.symmetries=automorphisms"})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := Parse("x.toml", []byte(src), []string{"ansatz.kind=" + kind, "ansatz.layers=[8]"})
		if err != nil {
			t.Fatal(err)
		}
		psi, err := p.NewAnsatz()
		if err != nil {
			t.Fatal(err)
		}
		base, _ := plain.NewAnsatz()
		if s, ok := psi.(*ansatz.Symmetrized); !ok || s.GroupOrder() != 128 || psi.NumParams() != base.NumParams() {
			t.Fatalf("%s: got %T with %d parameters, want a Symmetrized over 128 elements with %d", kind, psi, psi.NumParams(), base.NumParams())
		}
		g, _ := p.SymmetryGroup()
		rng := rand.New(rand.NewPCG(5, 6))
		x, y := make([]int8, 16), make([]int8, 16)
		for i := range x {
			x[i] = int8(2*rng.IntN(2) - 1)
		}
		for _, perm := range g {
			for i := range y {
				y[i] = x[perm[i]]
			}
			if d := cmplx.Abs(psi.LogPsi(y) - psi.LogPsi(x)); d > 1e-10 && math.Abs(d-2*math.Pi) > 1e-10 {
				t.Fatalf("%s: log ψ changes by %g under %v", kind, d, perm)
			}
		}
	}

	// A complete graph has 8! automorphisms: a config error, not a hang.
	var edges []string
	for i := 0; i < 8; i++ {
		for j := i + 1; j < 8; j++ {
			edges = append(edges, fmt.Sprintf("[%d, %d]", i, j))
		}
	}
	k8 := "[lattice]\nkind = \"custom\"\nsites = 8\nedges = [" + strings.Join(edges, ", ") + "]\n[hamiltonian]\nkind = \"heisenberg\"\nsign_rule = false\n[ansatz]\nkind = \"rbm-symm\"\nsymmetries = \"automorphisms\"\n"
	_, err := Parse("k8.toml", []byte(k8), nil)
	want := "k8.toml: ansatz.symmetries: lattice: automorphism group too large: more than 16384 elements"
	if err == nil || err.Error() != want {
		t.Errorf("complete graph: got %v, want %s", err, want)
	}
}

func TestRemaining(t *testing.T) {
	for _, tc := range []struct {
		sec  float64
		want string
	}{
		{0, "0s"}, {61.4, "1m1s"}, {3 * 3600, "3h0m0s"}, {1e6, "278 h"}, {1e20, "2.78e+16 h"},
	} {
		if got := remaining(tc.sec); got != tc.want {
			t.Errorf("remaining(%g) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}

// ansatz.kind = "gcnn": the parameter count of the built network matches
// paramCount (the memory estimate) for both groups, dtypes and characters,
// and log ψ transforms with the selected character.
func TestGCNNConfig(t *testing.T) {
	const src = "[lattice]\nkind = \"square\"\nextent = [4, 4]\n[hamiltonian]\nkind = \"heisenberg\"\nsign_rule = false\n[ansatz]\nkind = \"gcnn\"\nfeatures = [3, 2]\ninit_scale = 0.5\n"
	for _, tc := range []struct {
		sets  []string
		group int
	}{
		{nil, 16},
		{[]string{"ansatz.dtype=\"real\""}, 16},
		{[]string{"ansatz.characters=\"pi\""}, 16},
		{[]string{"ansatz.symmetries=\"automorphisms\"", "ansatz.characters=\"sign1\""}, 128},
		{[]string{"ansatz.momentum=[1, 2]"}, 16},
		{[]string{"ansatz.momentum=[2, 0]", "ansatz.dtype=\"real\""}, 16},
	} {
		p, err := Parse("x.toml", []byte(src), tc.sets)
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		if p.Config.Ansatz.Activation != "lncosh" {
			t.Errorf("%v: default activation %q, want lncosh", tc.sets, p.Config.Ansatz.Activation)
		}
		g, err := p.SymmetryGroup()
		if err != nil || len(g) != tc.group {
			t.Fatalf("%v: |G| = %d, %v; want %d", tc.sets, len(g), err, tc.group)
		}
		psi, err := p.NewAnsatz()
		if err != nil {
			t.Fatal(err)
		}
		if np, _ := p.paramCount(); int(np) != psi.NumParams() {
			t.Errorf("%v: paramCount %v, built %d", tc.sets, np, psi.NumParams())
		}
		chars, err := p.Characters(g)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		x, y := make([]int8, 16), make([]int8, 16)
		for i := range x {
			x[i] = int8(2*rng.IntN(2) - 1)
		}
		l0 := psi.LogPsi(x)
		for k, perm := range g {
			for i := range y {
				y[i] = x[perm[i]]
			}
			want := l0
			if chars != nil {
				want += cmplx.Log(chars[k])
			}
			d := psi.LogPsi(y) - want
			d = complex(real(d), math.Remainder(imag(d), 2*math.Pi))
			if cmplx.Abs(d) > 1e-9 {
				t.Fatalf("%v: log ψ(x∘g) − log ψ(x) − log χ(g) = %v", tc.sets, d)
			}
		}
	}
}

// optimizer.schedule, warmup, decay_to and diag_shift_final become the
// driver's schedules; the defaults are the zero (constant) schedules.
func TestScheduleOptions(t *testing.T) {
	const src = "[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n"
	p, err := Parse("x.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := p.DriverOptions(1)
	if d.LearningRateSchedule.Factor(299) != 1 || d.DiagShiftSchedule != (vmc.Schedule{}) {
		t.Errorf("default schedules %+v, %+v", d.LearningRateSchedule, d.DiagShiftSchedule)
	}
	p, err = Parse("x.toml", []byte(src), []string{"optimizer.schedule=\"cosine\"", "optimizer.warmup=10", "optimizer.decay_to=0.1", "optimizer.diag_shift_final=0.001", "optimizer.iterations=110"})
	if err != nil {
		t.Fatal(err)
	}
	d = p.DriverOptions(1)
	if f := d.LearningRateSchedule.Factor(109); math.Abs(f-0.1) > 1e-3 {
		t.Errorf("learning-rate factor at the end %v, want ≈ 0.1", f)
	}
	if f := d.LearningRateSchedule.Factor(0); f != 0.1 {
		t.Errorf("learning-rate factor at 0 %v, want 0.1 (warm-up)", f)
	}
	if f := d.DiagShiftSchedule.Factor(110); math.Abs(f-0.1) > 1e-12 {
		t.Errorf("diag-shift factor at the end %v, want 0.1", f)
	}
}

// sampler.move = "bond" gives the sampler a BondExchange rule over the
// lattice's edges (wrapped in GlobalFlip when global_flip > 0), and the
// sampler accepts it in the sector.
func TestBondMove(t *testing.T) {
	const src = "[lattice]\nkind = \"triangular\"\nextent = [3, 4]\n[hamiltonian]\nkind = \"heisenberg\"\n[sampler]\nmove = \"bond\"\ndistant = 0.2\nsamples = 64\n"
	for _, flip := range []string{"0", "0.1"} {
		p, err := Parse("x.toml", []byte(src), []string{"sampler.global_flip=" + flip})
		if err != nil {
			t.Fatal(err)
		}
		o := p.SamplerOptions(1)
		if o.Rule == nil || o.GlobalFlip != 0 {
			t.Fatalf("global_flip %s: options %+v", flip, o)
		}
		psi, err := p.NewAnsatz()
		if err != nil {
			t.Fatal(err)
		}
		s, err := vmc.NewSampler(psi, p.Op, o)
		if err != nil {
			t.Fatal(err)
		}
		var b vmc.Batch
		s.Sample(&b, false)
		if !(b.Acceptance > 0) {
			t.Errorf("global_flip %s: acceptance %v", flip, b.Acceptance)
		}
	}
}

// ansatz.momentum = [L/2, L/2] is the k = π character of ansatz.characters
// = "pi", element by element; a momentum along an open direction and a
// momentum together with a character are refused.
func TestGCNNMomentum(t *testing.T) {
	const src = "[lattice]\nkind = \"square\"\nextent = [4, 4]\n[hamiltonian]\nkind = \"heisenberg\"\n[ansatz]\nkind = \"gcnn\"\nfeatures = [2]\n"
	chars := func(sets ...string) []complex128 {
		p, err := Parse("x.toml", []byte(src), sets)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := p.SymmetryGroup()
		c, err := p.Characters(g)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	k := chars("ansatz.momentum=[2, 2]")
	pi := chars("ansatz.characters=\"pi\"")
	for g := range pi {
		if cmplx.Abs(k[g]-pi[g]) > 1e-12 {
			t.Fatalf("element %d: momentum (π, π) character %v, pi character %v", g, k[g], pi[g])
		}
	}
	if _, err := Parse("x.toml", []byte(src), []string{"ansatz.momentum=[1, 0]", "ansatz.characters=\"pi\""}); err == nil {
		t.Error("momentum with a character accepted")
	}
	if _, err := Parse("x.toml", []byte(src), []string{"ansatz.momentum=[1, 1]", "lattice.pbc=[true, false]"}); err == nil {
		t.Error("momentum along an open direction accepted")
	}
	if _, err := Parse("x.toml", []byte(src), []string{"ansatz.momentum=[1]"}); err == nil {
		t.Error("momentum of the wrong dimension accepted")
	}
}
