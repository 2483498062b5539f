package runfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/vmc"
)

// Run is everything a run file holds, as read by Read or Load.
type Run struct {
	// Path is the file the run was read from (the main file or the
	// companion).
	Path       string
	Meta       Meta
	Lattice    Lattice
	Log        []Row
	ED         *ED          // nil when ED did not run
	Parameters []complex128 // /parameters; nil if absent
	// Checkpoint is the complete checkpoint; nil when there is none or the
	// last one was torn.
	Checkpoint  *Checkpoint
	Result      *Result // nil until the run finished
	Observables []Observable
}

// Read reads the run file at path (a main file or a companion). The log is
// cut to the length of its shortest column, which only differs after a
// kill in the middle of a flush. Read fails with an error wrapping ErrInUse
// when another process holds the file open for writing, unless this process
// runs with HDF5_USE_FILE_LOCKING=FALSE in its environment (HDF5 reads it
// once, before this process opens its first file; `vmc analyze` sets it).
func Read(path string) (*Run, error) {
	f, err := h5io.Open(path, true)
	if err != nil {
		if isLockError(err) {
			return nil, fmt.Errorf("runfile: read %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("runfile: read: %w", err)
	}
	defer f.Close()
	r := &Run{Path: path}
	if r.Meta, err = readMeta(f); err != nil {
		return nil, fmt.Errorf("runfile: read %s: %w", path, err)
	}
	if r.Lattice, err = readLattice(f); err != nil {
		return nil, fmt.Errorf("runfile: read %s: %w", path, err)
	}
	if r.Log, err = readLog(f); err != nil {
		return nil, fmt.Errorf("runfile: read %s: %w", path, err)
	}
	if f.IsDataset(PathEnergies) {
		if r.ED, err = readED(f); err != nil {
			return nil, fmt.Errorf("runfile: read %s: %w", path, err)
		}
	}
	if f.IsDataset(PathParameters) {
		if r.Parameters, _, err = f.ReadComplex128(PathParameters); err != nil {
			return nil, fmt.Errorf("runfile: read %s: %w", path, err)
		}
	}
	for _, slot := range Slots {
		g := SlotPath(slot)
		if ok, _ := f.AttrBool(g, "complete"); !ok {
			continue
		}
		ck, err := readCheckpoint(f, g)
		if err != nil {
			return nil, fmt.Errorf("runfile: read %s: %w", path, err)
		}
		if r.Checkpoint == nil || ck.Iteration > r.Checkpoint.Iteration {
			r.Checkpoint = ck
		}
	}
	if f.IsGroup(GroupResult) {
		if r.Result, err = readResult(f); err != nil {
			return nil, fmt.Errorf("runfile: read %s: %w", path, err)
		}
	}
	if f.IsGroup(GroupObservable) {
		if r.Observables, err = readObservables(f); err != nil {
			return nil, fmt.Errorf("runfile: read %s: %w", path, err)
		}
	}
	return r, nil
}

// Load finds the latest complete checkpoint of the run whose main file is
// path (or whose companion is path): it reads the companion path.ckpt and
// the main file, keeps the one whose checkpoint has the higher iteration
// (the companion on a tie, or when the main file is unreadable) and cuts
// its log to the checkpoint's iteration. It fails with an error wrapping
// ErrNoCheckpoint when neither holds a complete checkpoint, and with one
// wrapping fs.ErrNotExist when neither exists.
func Load(path string) (*Run, error) {
	main := strings.TrimSuffix(path, CompanionSuffix)
	var best *Run
	var errs []error
	exists := false
	for _, p := range []string{CompanionPath(main), main} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		exists = true
		r, err := Read(p)
		if err != nil {
			if errors.Is(err, ErrInUse) {
				return nil, err
			}
			errs = append(errs, err)
			continue
		}
		if r.Checkpoint == nil {
			continue
		}
		if len(r.Log) < r.Checkpoint.Iteration {
			errs = append(errs, fmt.Errorf("runfile: %s: the log has %d rows, the checkpoint is at iteration %d", p, len(r.Log), r.Checkpoint.Iteration))
			continue
		}
		if best == nil || r.Checkpoint.Iteration > best.Checkpoint.Iteration {
			best = r
		}
	}
	if !exists {
		return nil, fmt.Errorf("runfile: %s: %w", main, fs.ErrNotExist)
	}
	if best == nil {
		return nil, fmt.Errorf("runfile: %s: %w%s", main, ErrNoCheckpoint, joinErrs(errs))
	}
	k := best.Checkpoint.Iteration
	best.Log = best.Log[:k:k]
	for i, row := range best.Log {
		if row.Iteration != i {
			return nil, fmt.Errorf("runfile: %s: log row %d has iteration %d", best.Path, i, row.Iteration)
		}
	}
	best.Result, best.Observables = nil, nil
	return best, nil
}

func joinErrs(errs []error) string {
	if len(errs) == 0 {
		return ""
	}
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return " (" + strings.Join(s, "; ") + ")"
}

func readMeta(f *h5io.File) (Meta, error) {
	var m Meta
	var err error
	str := func(name string, dst *string) {
		if err == nil {
			*dst, err = f.AttrString("/", name)
		}
	}
	num := func(name string, dst *int) {
		if err == nil {
			var v int64
			v, err = f.AttrInt64("/", name)
			*dst = int(v)
		}
	}
	str("program", &m.Program)
	if err != nil {
		return m, fmt.Errorf("not a vmc run file: %w", err)
	}
	var created, resumed string
	str("version", &m.Version)
	str("commit", &m.Commit)
	str("created", &created)
	str("config", &m.Config)
	str("config_name", &m.ConfigName)
	str("units", &m.Units)
	str("model", &m.Model)
	str("lattice", &m.Lattice)
	str("ansatz", &m.Ansatz)
	str("optimizer", &m.Optimizer)
	num("resumes", &m.Resumes)
	num("n_sites", &m.NSites)
	num("n_parameters", &m.NParameters)
	num("n_chains", &m.NChains)
	num("n_samples", &m.NSamples)
	num("iterations", &m.Iterations)
	if err == nil {
		m.Seed, err = f.AttrInt64("/", "seed")
	}
	if err != nil {
		return m, err
	}
	if m.Created, err = time.Parse(time.RFC3339, created); err != nil {
		return m, fmt.Errorf("attribute created: %w", err)
	}
	if f.HasAttr("/", "resumed") {
		str("resumed", &resumed)
		if err == nil {
			m.Resumed, err = time.Parse(time.RFC3339, resumed)
		}
	}
	return m, err
}

func readLattice(f *h5io.File) (Lattice, error) {
	var l Lattice
	pos, dims, err := f.ReadFloat64(PathPositions)
	if err != nil {
		return l, err
	}
	if len(dims) != 2 {
		return l, fmt.Errorf("%s has shape %v, want [N, d]", PathPositions, dims)
	}
	l.Positions, l.Dim = pos, dims[1]
	if l.Edges, _, err = f.ReadInt64(PathEdges); err != nil {
		return l, err
	}
	if l.Orders, _, err = f.ReadInt64(PathOrders); err != nil {
		return l, err
	}
	if len(l.Edges) != 2*len(l.Orders) {
		return l, fmt.Errorf("%d edge entries for %d orders", len(l.Edges), len(l.Orders))
	}
	l.Kind, err = f.AttrString(GroupLattice, "kind")
	return l, err
}

func readLog(f *h5io.File) ([]Row, error) {
	if !f.IsGroup(GroupLog) {
		return nil, nil
	}
	ints := map[string][]int64{}
	floats := map[string][]float64{}
	n := -1
	for _, c := range columns {
		p := GroupLog + "/" + c
		var l int
		var err error
		if intColumns[c] {
			ints[c], _, err = f.ReadInt64(p)
			l = len(ints[c])
		} else {
			floats[c], _, err = f.ReadFloat64(p)
			l = len(floats[c])
		}
		if err != nil {
			return nil, err
		}
		if n < 0 || l < n {
			n = l
		}
	}
	rows := make([]Row, n)
	for i := range rows {
		for c, v := range ints {
			rows[i].setInt(c, v[i])
		}
		for c, v := range floats {
			rows[i].setFloat(c, v[i])
		}
	}
	return rows, nil
}

func readED(f *h5io.File) (*ED, error) {
	e := &ED{}
	var err error
	if e.Energies, _, err = f.ReadFloat64(PathEnergies); err != nil {
		return nil, err
	}
	if e.Dimension, err = f.AttrInt64(GroupED, "dimension"); err != nil {
		return nil, err
	}
	if e.WallSeconds, err = f.AttrFloat64(GroupED, "wall_seconds"); err != nil {
		return nil, err
	}
	if f.HasAttr(GroupED, "total_sz") {
		sz, err := f.AttrFloat64(GroupED, "total_sz")
		if err != nil {
			return nil, err
		}
		e.TotalSz = &sz
	}
	return e, nil
}

// readCheckpoint reads the checkpoint in the slot group g.
func readCheckpoint(f *h5io.File, g string) (*Checkpoint, error) {
	ck := &Checkpoint{}
	var err error
	it, err := f.AttrInt64(g, "iteration")
	if err != nil {
		return nil, err
	}
	ck.Iteration = int(it)
	ck.Driver.Iteration = int(it)
	t, err := f.AttrInt64(g, "adam_t")
	if err != nil {
		return nil, err
	}
	ck.Driver.AdamT = int(t)
	if ck.Driver.ShiftBoost, err = f.AttrFloat64(g, "shift_boost"); err != nil {
		return nil, err
	}
	if ck.WallSeconds, err = f.AttrFloat64(g, "wall_seconds"); err != nil {
		return nil, err
	}
	if ck.Params, _, err = f.ReadComplex128(g + "/" + CkptParameters); err != nil {
		return nil, err
	}
	if f.IsDataset(g + "/" + CkptAdamM) {
		if ck.Driver.AdamM, _, err = f.ReadFloat64(g + "/" + CkptAdamM); err != nil {
			return nil, err
		}
		if ck.Driver.AdamV, _, err = f.ReadFloat64(g + "/" + CkptAdamV); err != nil {
			return nil, err
		}
	}
	sampler, err := f.AttrString(g, "sampler")
	if err != nil {
		return nil, err
	}
	if sampler != "metropolis" {
		return ck, nil
	}
	chains, dims, err := f.ReadInt8(g + "/" + CkptChains)
	if err != nil {
		return nil, err
	}
	rng, rdims, err := f.ReadUint64(g + "/" + CkptRNG)
	if err != nil {
		return nil, err
	}
	if len(dims) != 2 || len(rdims) != 2 || rdims[0] != dims[0] || rdims[1] != 2 {
		return nil, fmt.Errorf("%s/%s has shape %v and %s %v, want [C, N] and [C, 2]", g, CkptChains, dims, CkptRNG, rdims)
	}
	st := &vmc.SamplerState{}
	if st.BurnedIn, err = f.AttrBool(g, "burned_in"); err != nil {
		return nil, err
	}
	c, n := dims[0], dims[1]
	for i := range c {
		st.Configs = append(st.Configs, chains[i*n:(i+1)*n:(i+1)*n])
		st.RNG = append(st.RNG, encodePCG(rng[2*i], rng[2*i+1]))
	}
	ck.Sampler = st
	return ck, nil
}

func readResult(f *h5io.File) (*Result, error) {
	r := &Result{}
	var err error
	fl := func(name string, dst *float64) {
		if err == nil {
			*dst, err = f.AttrFloat64(GroupResult, name)
		}
	}
	fl("energy", &r.Energy)
	fl("energy_error", &r.EnergyError)
	fl("energy_imag", &r.EnergyImag)
	fl("energy_per_site", &r.EnergyPerSite)
	fl("variance", &r.Variance)
	fl("v_score", &r.VScore)
	fl("tau_corr", &r.TauCorr)
	fl("r_hat", &r.RHat)
	fl("samples_per_second", &r.SamplesPerSecond)
	fl("wall_seconds", &r.WallSeconds)
	fl("optimization_seconds", &r.OptimizationSeconds)
	fl("evaluation_seconds", &r.EvaluationSeconds)
	fl("ed_seconds", &r.EDSeconds)
	fl("log_seconds", &r.LogSeconds)
	fl("checkpoint_seconds", &r.CheckpointSeconds)
	fl("companion_seconds", &r.CompanionSeconds)
	if err != nil {
		return nil, err
	}
	for _, o := range []struct {
		name string
		dst  **float64
	}{{"ed_energy", &r.EDEnergy}, {"relative_error", &r.RelativeError}} {
		if f.HasAttr(GroupResult, o.name) {
			v, err := f.AttrFloat64(GroupResult, o.name)
			if err != nil {
				return nil, err
			}
			*o.dst = &v
		}
	}
	it, err := f.AttrInt64(GroupResult, "iterations")
	if err != nil {
		return nil, err
	}
	ns, err := f.AttrInt64(GroupResult, "evaluation_samples")
	if err != nil {
		return nil, err
	}
	r.Iterations, r.EvaluationSamples = int(it), int(ns)
	return r, nil
}

func readObservables(f *h5io.File) ([]Observable, error) {
	names, err := f.List(GroupObservable)
	if err != nil {
		return nil, err
	}
	var out []Observable
	for _, name := range names {
		g := GroupObservable + "/" + name
		o := Observable{Name: name}
		if o.Mean, o.Shape, err = f.ReadFloat64(g + "/mean"); err != nil {
			return nil, err
		}
		if o.Error, _, err = f.ReadFloat64(g + "/error"); err != nil {
			return nil, err
		}
		if f.IsDataset(g + "/labels") {
			flat, dims, err := f.ReadFloat64(g + "/labels")
			if err != nil {
				return nil, err
			}
			if len(dims) != 2 {
				return nil, fmt.Errorf("%s/labels has shape %v, want [n, k]", g, dims)
			}
			for i := range dims[0] {
				o.Labels = append(o.Labels, flat[i*dims[1]:(i+1)*dims[1]:(i+1)*dims[1]])
			}
		}
		if f.IsDataset(g + "/exact") {
			if o.Exact, _, err = f.ReadFloat64(g + "/exact"); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}
