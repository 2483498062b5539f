package run

import (
	"context"
	"math"
	"path/filepath"
	"testing"
)

// reference.energy_per_site: with ED off, relative_error is measured
// against the reference; with ED on, against ED, and the reference is
// still reported.
func TestReferenceEnergy(t *testing.T) {
	const src = "[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n[sampler]\nsamples = 256\n[optimizer]\niterations = 3\n[evaluate]\nsamples = 256\n[reference]\nenergy_per_site = -0.4564\nsource = \"test\"\n"
	for _, mode := range []string{"off", "on"} {
		p, err := Parse("x.toml", []byte(src), []string{"ed.mode=\"" + mode + "\""})
		if err != nil {
			t.Fatal(err)
		}
		job, err := New(p, filepath.Join(t.TempDir(), "run.h5"), Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := job.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		eref := -0.4564 * 8
		if sum.ReferenceEnergy == nil || *sum.ReferenceEnergy != eref || sum.ReferenceSource != "test" {
			t.Fatalf("%s: reference %v %q", mode, sum.ReferenceEnergy, sum.ReferenceSource)
		}
		want := math.Abs(sum.Energy-eref) / math.Abs(eref)
		if mode == "on" {
			want = math.Abs(sum.Energy-*sum.EDEnergy) / math.Abs(*sum.EDEnergy)
		} else if sum.EDEnergy != nil {
			t.Fatalf("ED ran with ed.mode = off")
		}
		if sum.RelativeError == nil || *sum.RelativeError != want {
			t.Errorf("%s: relative error %v, want %v", mode, sum.RelativeError, want)
		}
	}
}
