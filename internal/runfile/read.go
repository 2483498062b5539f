package runfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
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

// hdf5Signature starts every HDF5 file vmc writes (no user block).
var hdf5Signature = []byte("\x89HDF\r\n\x1a\n")

// Read reads the run file at path (a main file or a companion) and checks
// it against the layout: every dataset has the type it is written with
// (an int8 array where uint64 RNG states belong is refused, not converted)
// and the shape the root attributes imply, program is "vmc" and
// layout_version one this package reads. The log is cut to the length of
// its shortest column, which only differs after a kill in the middle of a
// flush.
//
// Read fails with an error wrapping ErrNotRunFile for anything that is not
// a vmc run file (not a regular file, not HDF5, another program's HDF5),
// ErrInvalid for a run file whose contents break the layout, and ErrInUse
// when another process holds the file under HDF5's lock, unless this
// process runs with HDF5_USE_FILE_LOCKING=FALSE in its environment (HDF5
// reads it once, before this process opens its first file; `vmc analyze`
// sets it). Every error is one line that names the file.
func Read(path string) (*Run, error) {
	return readChecked(path, func(f *h5io.File) (*Run, error) { return readRun(f, path) })
}

// readChecked opens path read-only after checking its signature, reads it
// with read and turns the errors into one line naming the file: ErrInUse
// for a file under another process's HDF5 lock, ErrNotRunFile as read
// reports it, ErrInvalid for anything else read finds.
func readChecked[T any](path string, read func(*h5io.File) (T, error)) (T, error) {
	var zero T
	name := h5io.ShortName(path)
	if err := checkSignature(path); err != nil {
		return zero, err
	}
	f, err := h5io.Open(path, true)
	if err != nil {
		if isLockError(err) {
			return zero, fmt.Errorf("runfile: %s: %w", name, ErrInUse)
		}
		return zero, fmt.Errorf("runfile: %s: unreadable: %w", name, err)
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		if errors.Is(err, ErrNotRunFile) {
			return zero, fmt.Errorf("runfile: %s: %w", name, err)
		}
		return zero, fmt.Errorf("runfile: %s: %w: %w", name, ErrInvalid, err)
	}
	return v, nil
}

// checkSignature refuses, with ErrNotRunFile, what is not a regular file
// starting with the HDF5 signature, before HDF5 opens it.
func checkSignature(path string) error {
	name := h5io.ShortName(path)
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("runfile: %s: %w", name, pathCause(err))
	}
	if err := h5io.NotRegular(fi); err != nil {
		return fmt.Errorf("runfile: %s: %w: %w", name, ErrNotRunFile, err)
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("runfile: %s: %w", name, pathCause(err))
	}
	defer fh.Close()
	head := make([]byte, len(hdf5Signature))
	if _, err := io.ReadFull(fh, head); err != nil || !bytes.Equal(head, hdf5Signature) {
		return fmt.Errorf("runfile: %s: %w (no HDF5 signature)", name, ErrNotRunFile)
	}
	return nil
}

// readRun reads and checks everything f holds.
func readRun(f *h5io.File, path string) (*Run, error) {
	r := &Run{Path: path}
	var err error
	if r.Meta, err = readMeta(f); err != nil {
		return nil, err
	}
	m := &r.Meta
	if r.Lattice, err = readLattice(f, m.NSites); err != nil {
		return nil, err
	}
	if r.Log, err = readLog(f); err != nil {
		return nil, err
	}
	if f.IsDataset(PathEnergies) {
		if r.ED, err = readED(f); err != nil {
			return nil, err
		}
	}
	if f.IsDataset(PathParameters) {
		if r.Parameters, err = readShaped(f.ReadComplex128, PathParameters, m.NParameters); err != nil {
			return nil, err
		}
	}
	for _, slot := range Slots {
		g := SlotPath(slot)
		if ok, _ := f.AttrBool(g, "complete"); !ok {
			continue
		}
		ck, err := readCheckpoint(f, g, m)
		if err != nil {
			return nil, err
		}
		if r.Checkpoint == nil || ck.Iteration > r.Checkpoint.Iteration {
			r.Checkpoint = ck
		}
	}
	if f.IsGroup(GroupResult) {
		if r.Result, err = readResult(f); err != nil {
			return nil, err
		}
	}
	if f.IsGroup(GroupObservable) {
		if r.Observables, err = readObservables(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// readShaped reads the dataset p with read and checks that its shape is
// want.
func readShaped[T any](read func(string) ([]T, []int, error), p string, want ...int) ([]T, error) {
	v, dims, err := read(p)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(dims, want) {
		return nil, fmt.Errorf("%s has shape %v, want %v", p, dims, want)
	}
	return v, nil
}

// Load finds the latest complete checkpoint of the run whose main file is
// path (or whose companion is path): it reads the companion path.ckpt and
// the main file, keeps the one whose checkpoint has the higher iteration
// (the companion on a tie, or when the main file is unreadable) and cuts
// its log to the checkpoint's iteration.
//
// It fails with an error wrapping ErrInUse when another process writes
// the run (Busy), fs.ErrNotExist when neither file exists, ErrNotRunFile
// when the main file is not a vmc run file and there is no companion,
// ErrForeignCompanion when both files are readable and their run ids
// differ (a companion left by another run), and ErrNoCheckpoint when
// neither holds a complete checkpoint.
func Load(path string) (*Run, error) {
	main := strings.TrimSuffix(path, CompanionSuffix)
	if Busy(main) {
		return nil, inUse(main)
	}
	return load(main)
}

// load is Load without the test for a writer (Resume holds the lock).
func load(main string) (*Run, error) {
	comp := CompanionPath(main)
	var runs []*Run
	var errs []error
	exists, notRun := false, true
	for _, p := range []string{comp, main} {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		exists = true
		r, err := Read(p)
		if err != nil {
			if errors.Is(err, ErrInUse) {
				return nil, err
			}
			notRun = notRun && errors.Is(err, ErrNotRunFile)
			errs = append(errs, err)
			continue
		}
		notRun = false
		runs = append(runs, r)
	}
	if !exists {
		return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(main), fs.ErrNotExist)
	}
	if len(runs) == 0 {
		// Neither file is readable: say why, in one line.
		if notRun || len(errs) == 1 {
			return nil, errs[len(errs)-1]
		}
		return nil, fmt.Errorf("%w; %w", errs[0], errs[1])
	}
	if len(runs) == 2 && runs[0].Meta.RunID != runs[1].Meta.RunID {
		return nil, fmt.Errorf("runfile: %s: %w (run id %q, %s has %q): remove it to resume %s",
			h5io.ShortName(comp), ErrForeignCompanion, runs[0].Meta.RunID, h5io.ShortName(main), runs[1].Meta.RunID, h5io.ShortName(main))
	}
	var best *Run
	for _, r := range runs {
		if r.Checkpoint == nil {
			continue
		}
		if len(r.Log) < r.Checkpoint.Iteration {
			errs = append(errs, fmt.Errorf("runfile: %s: the log has %d rows, the checkpoint is at iteration %d", h5io.ShortName(r.Path), len(r.Log), r.Checkpoint.Iteration))
			continue
		}
		if best == nil || r.Checkpoint.Iteration > best.Checkpoint.Iteration {
			best = r
		}
	}
	if best == nil {
		return nil, fmt.Errorf("runfile: %s: %w%s", h5io.ShortName(main), ErrNoCheckpoint, joinErrs(errs))
	}
	k := best.Checkpoint.Iteration
	best.Log = best.Log[:k:k]
	for i, row := range best.Log {
		if row.Iteration != i {
			return nil, fmt.Errorf("runfile: %s: %w: log row %d has iteration %d", h5io.ShortName(best.Path), ErrInvalid, i, row.Iteration)
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
	prog, err := f.AttrString("/", "program")
	if err != nil || prog != "vmc" {
		return m, fmt.Errorf("%w (root attribute program is %q, want \"vmc\")", ErrNotRunFile, prog)
	}
	lv, err := f.AttrInt64("/", "layout_version")
	if err != nil || lv < 1 || lv > LayoutVersion {
		return m, fmt.Errorf("%w: layout_version %d, this vmc reads 1 to %d", ErrNotRunFile, lv, LayoutVersion)
	}
	var created, resumed string
	runID, rp := &m.RunID, &resumed
	if lv < 2 {
		runID = nil // layout version 1 had no run id
	}
	if !f.HasAttr("/", "resumed") {
		rp = nil
	}
	if err := getAttrs(f, "/", metaAttrs(&m, runID, &created, rp)...); err != nil {
		return m, err
	}
	if m.NSites < 1 {
		return m, fmt.Errorf("root attribute n_sites = %d, want ≥ 1", m.NSites)
	}
	if m.Created, err = time.Parse(time.RFC3339, created); err != nil {
		return m, fmt.Errorf("root attribute created: %w", err)
	}
	if rp != nil {
		if m.Resumed, err = time.Parse(time.RFC3339, resumed); err != nil {
			return m, fmt.Errorf("root attribute resumed: %w", err)
		}
	}
	return m, nil
}

func readLattice(f *h5io.File, n int) (Lattice, error) {
	var l Lattice
	pos, dims, err := f.ReadFloat64(PathPositions)
	if err != nil {
		return l, err
	}
	if len(dims) != 2 || dims[0] != n || dims[1] < 1 {
		return l, fmt.Errorf("%s has shape %v, want [%d d] (n_sites, dimension)", PathPositions, dims, n)
	}
	l.Positions, l.Dim = pos, dims[1]
	if l.Orders, dims, err = f.ReadInt64(PathOrders); err != nil {
		return l, err
	}
	if len(dims) != 1 {
		return l, fmt.Errorf("%s has shape %v, want [E]", PathOrders, dims)
	}
	if l.Edges, err = readShaped(f.ReadInt64, PathEdges, len(l.Orders), 2); err != nil {
		return l, err
	}
	for i, s := range l.Edges {
		if s < 0 || s >= int64(n) {
			return l, fmt.Errorf("%s: edge %d names site %d of %d", PathEdges, i/2, s, n)
		}
	}
	return l, getAttrs(f, GroupLattice, attr{"kind", &l.Kind})
}

func readLog(f *h5io.File) ([]Row, error) {
	if !f.IsGroup(GroupLog) {
		return nil, nil
	}
	ints := make([][]int64, len(columns))
	floats := make([][]float64, len(columns))
	n := -1
	for j, v := range (&Row{}).fields() {
		p := GroupLog + "/" + columns[j]
		var dims []int
		var err error
		if _, isInt := v.(*int); isInt {
			ints[j], dims, err = f.ReadInt64(p)
		} else {
			floats[j], dims, err = f.ReadFloat64(p)
		}
		if err != nil {
			return nil, err
		}
		if len(dims) != 1 {
			return nil, fmt.Errorf("%s has shape %v, want one dimension", p, dims)
		}
		if n < 0 || dims[0] < n {
			n = dims[0]
		}
	}
	rows := make([]Row, n)
	for i := range rows {
		for j, v := range rows[i].fields() {
			switch v := v.(type) {
			case *int:
				*v = int(ints[j][i])
			case *float64:
				*v = floats[j][i]
			}
		}
	}
	return rows, nil
}

func readED(f *h5io.File) (*ED, error) {
	e := &ED{}
	var err error
	var dims []int
	if e.Energies, dims, err = f.ReadFloat64(PathEnergies); err != nil {
		return nil, err
	}
	if len(dims) != 1 || dims[0] < 1 {
		return nil, fmt.Errorf("%s has shape %v, want [K] with K ≥ 1", PathEnergies, dims)
	}
	if err := getAttrs(f, GroupED, edAttrs(e)...); err != nil {
		return nil, err
	}
	if e.Dimension < int64(len(e.Energies)) {
		return nil, fmt.Errorf("%s attribute dimension = %d, fewer than the %d energies", GroupED, e.Dimension, len(e.Energies))
	}
	return e, nil
}

// readCheckpoint reads the checkpoint in the slot group g and checks it
// against the root attributes m.
func readCheckpoint(f *h5io.File, g string, m *Meta) (*Checkpoint, error) {
	ck := &Checkpoint{}
	var sampler string
	if err := getAttrs(f, g, slotAttrs(ck, &sampler)...); err != nil {
		return nil, err
	}
	ck.Driver.Iteration = ck.Iteration
	if b := ck.Driver.ShiftBoost; !(b > 0) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("%s: shift_boost %v, want a positive number", g, b)
	}
	p := m.NParameters
	var err error
	if ck.Params, err = readShaped(f.ReadComplex128, g+"/"+CkptParameters, p); err != nil {
		return nil, err
	}
	hasM, hasV := f.IsDataset(g+"/"+CkptAdamM), f.IsDataset(g+"/"+CkptAdamV)
	if hasM != hasV {
		return nil, fmt.Errorf("%s: %s without %s", g, CkptAdamM, CkptAdamV)
	}
	if hasM {
		if ck.Driver.AdamM, err = readShaped(f.ReadFloat64, g+"/"+CkptAdamM, 2*p); err != nil {
			return nil, err
		}
		if ck.Driver.AdamV, err = readShaped(f.ReadFloat64, g+"/"+CkptAdamV, 2*p); err != nil {
			return nil, err
		}
	}
	if f.IsDataset(g + "/" + CkptSpring) {
		if ck.Driver.Spring, err = readShaped(f.ReadComplex128, g+"/"+CkptSpring, p); err != nil {
			return nil, err
		}
	}
	switch {
	case sampler == "exact":
		return ck, nil
	case sampler != "metropolis":
		return nil, fmt.Errorf("%s: sampler %q, want \"metropolis\" or \"exact\"", g, sampler)
	case m.NChains < 1:
		return nil, fmt.Errorf("%s: Metropolis chains in a run of n_chains = %d", g, m.NChains)
	}
	st, err := readSamplerState(f, g, m.NChains, m.NSites)
	if err != nil {
		return nil, err
	}
	ck.Sampler = st
	return ck, nil
}

// readSamplerState reads the c chains of n sites and their RNG states from
// the group g (the inverse of writeSamplerState).
func readSamplerState(f *h5io.File, g string, c, n int) (*vmc.SamplerState, error) {
	chains, err := readShaped(f.ReadInt8, g+"/"+CkptChains, c, n)
	if err != nil {
		return nil, err
	}
	for i, s := range chains {
		if s != 1 && s != -1 {
			return nil, fmt.Errorf("%s/%s: chain %d, site %d holds %d, want +1 or -1", g, CkptChains, i/n, i%n, s)
		}
	}
	rng, err := readShaped(f.ReadUint64, g+"/"+CkptRNG, c, 2)
	if err != nil {
		return nil, err
	}
	st := &vmc.SamplerState{}
	if err := getAttrs(f, g, attr{"burned_in", &st.BurnedIn}); err != nil {
		return nil, err
	}
	for i := range c {
		st.Configs = append(st.Configs, chains[i*n:(i+1)*n:(i+1)*n])
		st.RNG = append(st.RNG, encodePCG(rng[2*i], rng[2*i+1]))
	}
	return st, nil
}

func readResult(f *h5io.File) (*Result, error) {
	r := &Result{}
	if err := getAttrs(f, GroupResult, resultAttrs(r)...); err != nil {
		return nil, err
	}
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
		if o.Error, err = readShaped(f.ReadFloat64, g+"/error", o.Shape...); err != nil {
			return nil, err
		}
		if f.IsDataset(g + "/labels") {
			flat, dims, err := f.ReadFloat64(g + "/labels")
			if err != nil {
				return nil, err
			}
			if len(dims) != 2 || dims[0] != len(o.Mean) {
				return nil, fmt.Errorf("%s/labels has shape %v, want [%d k]", g, dims, len(o.Mean))
			}
			for i := range dims[0] {
				o.Labels = append(o.Labels, flat[i*dims[1]:(i+1)*dims[1]:(i+1)*dims[1]])
			}
		}
		if f.IsDataset(g + "/exact") {
			if o.Exact, err = readShaped(f.ReadFloat64, g+"/exact", o.Shape...); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}
