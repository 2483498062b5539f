package runfile

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/vmc"
)

func sampleDynamics(metropolis bool) *Dynamics {
	d := &Dynamics{
		Program: "vmc", Version: "test", Model: "TFI h=0.5", Quench: "TFI h=1", Integrator: "rk4",
		Config: "seed = 1\n", DynamicsTOML: "t_end = 1.0\n", EvolveConfig: "seed = 1\n[dynamics]\nt_end = 1.0\n",
		Interrupted: true, Resumes: 2, WallSeconds: 3.5, ExactSeconds: 0.25, NSites: 4, NParameters: 3,
		Time:   []float64{0, 0.1, 0.2},
		Energy: Curve{Name: "energy", Mean: []float64{-1, -1.0001, -0.9999}, Error: []float64{0, 0.01, 0.02}, Exact: []float64{-1, -1, -1}},
		Observables: []Curve{
			{Name: "sx", Mean: []float64{0.5, 0.4, 0.3}, Error: []float64{0, 1e-3, 2e-3}, Exact: []float64{0.5, 0.41, 0.31}},
			{Name: "zz", Mean: []float64{0.9, 0.8, 0.7}, Error: []float64{0, 0, 0}, Exact: []float64{0.9, 0.8, 0.7}},
		},
		State: DynamicsState{
			Time: 0.2, Step: 0.01, Steps: 20, Rejected: 1, Evaluations: 80,
			Initial: []complex128{1, 2i, -3}, Params: []complex128{complex(math.Pi, 1), 0, 1e-300},
		},
	}
	if metropolis {
		f := 0.9996
		d.NeelFidelity = &f
		d.State.Sampler = &vmc.SamplerState{
			Configs:  [][]int8{{1, -1, 1, -1}, {-1, -1, 1, 1}},
			RNG:      [][]byte{encodePCG(1, 2), encodePCG(math.MaxUint64, 1<<63)},
			BurnedIn: true,
		}
	}
	return d
}

// TestDynamicsRoundTrip writes and reads a dynamics file, with exact sums
// and with Markov chains, and checks that every field comes back.
func TestDynamicsRoundTrip(t *testing.T) {
	for _, metropolis := range []bool{false, true} {
		want := sampleDynamics(metropolis)
		path := filepath.Join(t.TempDir(), "d.h5")
		if err := WriteDynamics(path, want); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary file left behind: %v", err)
		}
		if !IsDynamics(path) {
			t.Fatal("IsDynamics = false for a dynamics file")
		}
		got, err := ReadDynamics(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("metropolis %v: read\n%+v\nwant\n%+v", metropolis, got, want)
		}
	}
}

// TestDynamicsRefuses checks that a run file is not taken for a dynamics
// file and that broken contents are reported as ErrInvalid.
func TestDynamicsRefuses(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run.h5")
	writeSample(t, run)
	if IsDynamics(run) {
		t.Error("a run file is taken for a dynamics file")
	}
	if _, err := ReadDynamics(run); !errors.Is(err, ErrNotRunFile) {
		t.Errorf("run file: err = %v, want ErrNotRunFile", err)
	}
	for name, breakIt := range map[string]func(*Dynamics){
		"curve length": func(d *Dynamics) { d.State.Time = 0.1 },
		"params":       func(d *Dynamics) { d.NParameters = 5 },
		"step":         func(d *Dynamics) { d.State.Step = 0 },
		"order":        func(d *Dynamics) { d.Time[1], d.Time[2] = 0.3, 0.2; d.State.Time = 0.2 },
	} {
		d := sampleDynamics(true)
		breakIt(d)
		path := filepath.Join(dir, name+".h5")
		if err := WriteDynamics(path, d); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadDynamics(path); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	// A curve of the wrong length is refused when written.
	d := sampleDynamics(false)
	d.Observables[0].Mean = d.Observables[0].Mean[:2]
	if err := WriteDynamics(filepath.Join(dir, "short.h5"), d); err == nil {
		t.Error("a curve shorter than the times was written")
	}
	// A file another program wrote.
	other := filepath.Join(dir, "other.h5")
	f, err := h5io.Create(other)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadDynamics(other); !errors.Is(err, ErrNotRunFile) {
		t.Errorf("foreign file: err = %v, want ErrNotRunFile", err)
	}
}

// TestPlotDynamics draws the curves of a sample dynamics.
func TestPlotDynamics(t *testing.T) {
	dir := t.TempDir()
	d := sampleDynamics(false)
	for _, name := range []string{"d.png", "d.svg"} {
		out := filepath.Join(dir, name)
		if err := PlotDynamics(d, out); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(out); err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", name, len(b), err)
		}
	}
	if err := PlotDynamics(d, filepath.Join(dir, "noext")); err == nil {
		t.Error("a plot without an extension succeeded")
	}
}
