package runfile

import (
	"fmt"
	"math"
	"slices"

	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/vmc"
)

// DynamicsLayoutVersion is the root attribute dynamics_layout_version of
// the files of `vmc evolve` (docs/dynamics.md). Version 1 is the first.
const DynamicsLayoutVersion = 1

// Paths of the dynamics layout.
const (
	GroupDynamics      = "/dynamics"
	PathDynamicsTime   = "/dynamics/time"
	GroupDynamicsState = "/dynamics/state"
	groupDynamicsObs   = "/dynamics/observables"
	pathDynamicsParams = "/dynamics/parameters"
)

// Curve is one quantity against time: the estimates (mean), their
// standard errors (error; 0 with exact sums) and the exact (Krylov) values,
// nil without the reference.
type Curve struct {
	Name  string
	Mean  []float64
	Error []float64
	Exact []float64
}

// DynamicsState is what `vmc evolve --resume` needs to continue an
// evolution bit for bit: the parameters at time Time, the integrator's
// step and counters, the parameters at t = 0 (the Krylov reference is
// recomputed from them) and the Markov chains.
type DynamicsState struct {
	Time        float64
	Step        float64 // the integrator's next (trial) step
	Steps       int
	Rejected    int
	Evaluations int
	Initial     []complex128      // parameters at t = 0, after any preparation
	Params      []complex128      // parameters at Time
	Sampler     *vmc.SamplerState // nil for exact sums
}

// Dynamics is the content of a file of `vmc evolve`.
type Dynamics struct {
	Program, Version string
	Model            string // Hamiltonian of the initial state
	Quench           string // Hamiltonian of the evolution
	Integrator       string
	Config           string // the run configuration (TOML, every key resolved)
	DynamicsTOML     string // the [dynamics] table as used (TOML)
	EvolveConfig     string // both together: the configuration `--resume` rebuilds from
	Imaginary        bool
	Interrupted      bool
	Finished         bool // the evolution reached t_end
	Resumes          int
	WallSeconds      float64 // over all resumes
	ExactSeconds     float64
	NSites           int
	NParameters      int
	// NeelFidelity is max |⟨Néel|ψ(0)⟩|² over the two Néel states, with
	// the Krylov reference on a bipartite lattice; nil otherwise.
	NeelFidelity *float64

	Time        []float64
	Energy      Curve // Name "energy"
	Observables []Curve
	State       DynamicsState
}

// dynamicsAttrs binds the root attributes of a dynamics file to d.
func dynamicsAttrs(d *Dynamics) []attr {
	return []attr{
		{"program", &d.Program}, {"version", &d.Version}, {"model", &d.Model}, {"quench", &d.Quench},
		{"integrator", &d.Integrator}, {"config", &d.Config}, {"dynamics", &d.DynamicsTOML},
		{"evolve_config", &d.EvolveConfig}, {"imaginary", &d.Imaginary}, {"interrupted", &d.Interrupted},
		{"finished", &d.Finished}, {"resumes", &d.Resumes}, {"wall_seconds", &d.WallSeconds},
		{"exact_seconds", &d.ExactSeconds}, {"n_sites", &d.NSites}, {"n_parameters", &d.NParameters},
		{"neel_fidelity", &d.NeelFidelity},
	}
}

// stateAttrs binds the attributes of /dynamics/state to s and sampler
// ("metropolis" or "exact").
func stateAttrs(s *DynamicsState, sampler *string) []attr {
	return []attr{
		{"time", &s.Time}, {"step", &s.Step}, {"steps", &s.Steps}, {"rejected", &s.Rejected},
		{"evaluations", &s.Evaluations}, {"sampler", sampler},
	}
}

// WriteDynamics writes d as a complete dynamics file at path through a
// temporary file, fsync and an atomic rename, so that a kill at any moment
// leaves either the previous version or this one.
func WriteDynamics(path string, d *Dynamics) error {
	_, err := writeAtomic(path, func(f *h5io.File) error { return writeDynamics(f, d) })
	return err
}

func writeDynamics(f *h5io.File, d *Dynamics) error {
	if err := setAttrs(f, "/", dynamicsAttrs(d)...); err != nil {
		return err
	}
	if err := f.SetAttrInt64("/", "dynamics_layout_version", DynamicsLayoutVersion); err != nil {
		return err
	}
	if err := f.WriteFloat64(PathDynamicsTime, d.Time, len(d.Time)); err != nil {
		return err
	}
	curves := append([]Curve{d.Energy}, d.Observables...)
	for i, c := range curves {
		g := GroupDynamics + "/energy"
		if i > 0 {
			g = groupDynamicsObs + "/" + c.Name
		}
		for _, ds := range []struct {
			name string
			v    []float64
		}{{"mean", c.Mean}, {"error", c.Error}, {"exact", c.Exact}} {
			if ds.v == nil {
				continue
			}
			if len(ds.v) != len(d.Time) {
				return fmt.Errorf("runfile: dynamics: %s/%s has %d values for %d times", g, ds.name, len(ds.v), len(d.Time))
			}
			if err := f.WriteFloat64(g+"/"+ds.name, ds.v, len(ds.v)); err != nil {
				return err
			}
		}
	}
	s := &d.State
	if err := f.WriteComplex128(pathDynamicsParams, s.Params, len(s.Params)); err != nil {
		return err
	}
	if err := f.CreateGroup(GroupDynamicsState); err != nil {
		return err
	}
	if err := f.WriteComplex128(GroupDynamicsState+"/initial_parameters", s.Initial, len(s.Initial)); err != nil {
		return err
	}
	sampler := "exact"
	if s.Sampler != nil {
		sampler = "metropolis"
		if err := writeSamplerState(f, GroupDynamicsState, s.Sampler); err != nil {
			return fmt.Errorf("runfile: dynamics state: %w", err)
		}
		if err := f.SetAttrInt64(GroupDynamicsState, "n_chains", int64(len(s.Sampler.Configs))); err != nil {
			return err
		}
	}
	return setAttrs(f, GroupDynamicsState, stateAttrs(s, &sampler)...)
}

// IsDynamics reports whether path is a file of `vmc evolve` (a vmc HDF5
// file with the root attribute dynamics_layout_version), without reporting
// why not.
func IsDynamics(path string) bool {
	if checkSignature(path) != nil {
		return false
	}
	f, err := h5io.Open(path, true)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.HasAttr("/", "dynamics_layout_version")
}

// ReadDynamics reads and checks a file of `vmc evolve`. Like Read it fails
// with ErrNotRunFile for what is not such a file and ErrInvalid for one
// whose contents break the layout; every error is one line naming the
// file.
func ReadDynamics(path string) (*Dynamics, error) {
	return readChecked(path, readDynamics)
}

func readDynamics(f *h5io.File) (*Dynamics, error) {
	d := &Dynamics{}
	if prog, err := f.AttrString("/", "program"); err != nil || prog != "vmc" {
		return nil, fmt.Errorf("%w (root attribute program is %q, want \"vmc\")", ErrNotRunFile, prog)
	}
	lv, err := f.AttrInt64("/", "dynamics_layout_version")
	if err != nil || lv < 1 || lv > DynamicsLayoutVersion {
		return nil, fmt.Errorf("%w: no dynamics of a layout this vmc reads (dynamics_layout_version %d, want 1 to %d)", ErrNotRunFile, lv, DynamicsLayoutVersion)
	}
	if err := getAttrs(f, "/", dynamicsAttrs(d)...); err != nil {
		return nil, err
	}
	if d.NSites < 1 || d.NParameters < 0 {
		return nil, fmt.Errorf("root attributes n_sites = %d, n_parameters = %d", d.NSites, d.NParameters)
	}
	var dims []int
	if d.Time, dims, err = f.ReadFloat64(PathDynamicsTime); err != nil {
		return nil, err
	}
	if len(dims) != 1 {
		return nil, fmt.Errorf("%s has shape %v, want one dimension", PathDynamicsTime, dims)
	}
	if !slices.IsSorted(d.Time) || slices.ContainsFunc(d.Time, func(t float64) bool { return math.IsNaN(t) || math.IsInf(t, 0) }) {
		return nil, fmt.Errorf("%s is not a finite increasing sequence of times", PathDynamicsTime)
	}
	nt := len(d.Time)
	readCurve := func(g, name string) (Curve, error) {
		c := Curve{Name: name}
		var err error
		if c.Mean, err = readShaped(f.ReadFloat64, g+"/mean", nt); err != nil {
			return c, err
		}
		if c.Error, err = readShaped(f.ReadFloat64, g+"/error", nt); err != nil {
			return c, err
		}
		if f.IsDataset(g + "/exact") {
			if c.Exact, err = readShaped(f.ReadFloat64, g+"/exact", nt); err != nil {
				return c, err
			}
		}
		return c, nil
	}
	if d.Energy, err = readCurve(GroupDynamics+"/energy", "energy"); err != nil {
		return nil, err
	}
	if f.IsGroup(groupDynamicsObs) {
		names, err := f.List(groupDynamicsObs)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			c, err := readCurve(groupDynamicsObs+"/"+name, name)
			if err != nil {
				return nil, err
			}
			d.Observables = append(d.Observables, c)
		}
	}
	s := &d.State
	var sampler string
	if err := getAttrs(f, GroupDynamicsState, stateAttrs(s, &sampler)...); err != nil {
		return nil, err
	}
	p := d.NParameters
	if s.Params, err = readShaped(f.ReadComplex128, pathDynamicsParams, p); err != nil {
		return nil, err
	}
	if s.Initial, err = readShaped(f.ReadComplex128, GroupDynamicsState+"/initial_parameters", p); err != nil {
		return nil, err
	}
	switch sampler {
	case "exact":
	case "metropolis":
		c, err := f.AttrInt64(GroupDynamicsState, "n_chains")
		if err != nil {
			return nil, err
		}
		if c < 1 {
			return nil, fmt.Errorf("%s: n_chains = %d, want ≥ 1", GroupDynamicsState, c)
		}
		if s.Sampler, err = readSamplerState(f, GroupDynamicsState, int(c), d.NSites); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s: sampler %q, want \"metropolis\" or \"exact\"", GroupDynamicsState, sampler)
	}
	if nt > 0 && s.Time != d.Time[nt-1] {
		return nil, fmt.Errorf("%s: time %v is not the last stored time %v", GroupDynamicsState, s.Time, d.Time[nt-1])
	}
	if !(s.Step > 0) || math.IsInf(s.Step, 0) {
		return nil, fmt.Errorf("%s: step %v, want a finite number > 0", GroupDynamicsState, s.Step)
	}
	return d, nil
}

// LockDynamics takes the lock of the dynamics file path (FILE.h5.lock, the
// same lock a run's Writer holds), so that two vmc processes never write
// one file: it fails with an error wrapping ErrInUse when another process
// holds it. The returned function releases it (removing the lock file).
func LockDynamics(path string) (release func(), err error) {
	l, err := acquire(path)
	if err != nil {
		return nil, err
	}
	return l.release, nil
}
