package run

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvolveOrbits: a quench with a symmetric RBM summed over orbits gives
// the curves of the plain exact sums (to the rounding the solves amplify),
// and the option is refused where it does not apply.
func TestEvolveOrbits(t *testing.T) {
	sets := []string{"ansatz.kind=\"rbm-symm\"", "ansatz.symmetries=\"automorphisms\"", "ansatz.dtype=\"complex\"", "dynamics.initial=\"ansatz\"", "dynamics.prepare_tau=0.5", "dynamics.rcond=0", "dynamics.diag_shift=1e-6", "dynamics.integrator=\"rk4\""}
	var sums []*EvolveSummary
	for _, orbits := range []string{"false", "true"} {
		ev, err := ParseEvolution("test.toml", []byte(evolveTOML), append(sets, "sampler.orbits="+orbits))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := ev.Run(context.Background(), EvolveOptions{Threads: 1, Out: filepath.Join(t.TempDir(), "dyn.h5")})
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	if d := math.Abs(sums[0].EnergyEnd - sums[1].EnergyEnd); d > 1e-9 {
		t.Errorf("final energy: plain %v, orbits %v", sums[0].EnergyEnd, sums[1].EnergyEnd)
	}
	for _, k := range []string{"sx", "sz", "zz"} {
		if d := math.Abs(sums[0].Deviation[k] - sums[1].Deviation[k]); d > 1e-8 {
			t.Errorf("%s: deviation plain %v, orbits %v", k, sums[0].Deviation[k], sums[1].Deviation[k])
		}
	}
	for ci, tc := range []struct {
		sets []string
		want string
	}{
		{[]string{"sampler.orbits=true"}, "symmetric ansatz"}, // jastrow without symmetries
		{[]string{"sampler.orbits=true", "sampler.exact=false", "ansatz.kind=\"rbm-symm\""}, "sampler.exact = true"},
	} {
		_, err := ParseEvolution("test.toml", []byte(evolveTOML), tc.sets)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d: err = %v, want it to mention %q", ci, err, tc.want)
		}
	}
	p, err := Parse("test.toml", []byte(evolveTOML[:strings.Index(evolveTOML, "[dynamics]")]), []string{"sampler.orbits=true", "ansatz.kind=\"rbm-symm\""})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewEngine(p, 1); err == nil || !strings.Contains(err.Error(), "vmc evolve only") {
		t.Errorf("vmc run with sampler.orbits: err = %v", err)
	}
}
