package runfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/vmc"
)

// writeMeta writes the root attributes.
func writeMeta(f *h5io.File, m Meta) error {
	created, resumed := m.Created.Format(time.RFC3339), m.Resumed.Format(time.RFC3339)
	rp := &resumed
	if m.Resumed.IsZero() {
		rp = nil
	}
	lv := LayoutVersion
	return setAttrs(f, "/", append(metaAttrs(&m, &m.RunID, &created, rp), attr{"layout_version", &lv})...)
}

// writeLattice writes /lattice.
func writeLattice(f *h5io.File, l Lattice) error {
	n := l.NumSites()
	if err := f.WriteFloat64(PathPositions, l.Positions, n, l.Dim); err != nil {
		return err
	}
	if err := f.WriteInt64(PathEdges, l.Edges, len(l.Orders), 2); err != nil {
		return err
	}
	if err := f.WriteInt64(PathOrders, l.Orders); err != nil {
		return err
	}
	return setAttrs(f, GroupLattice, attr{"kind", &l.Kind}, attr{"dim", &l.Dim}, attr{"n_sites", &n})
}

// appendRows appends rows to the /log datasets (creating them, empty when
// rows is empty).
func appendRows(f *h5io.File, rows []Row) error {
	ints := make([][]int64, len(columns))
	floats := make([][]float64, len(columns))
	for i := range rows {
		for j, v := range rows[i].fields() {
			switch v := v.(type) {
			case *int:
				ints[j] = append(ints[j], int64(*v))
			case *float64:
				floats[j] = append(floats[j], *v)
			}
		}
	}
	for j, v := range (&Row{}).fields() {
		p := GroupLog + "/" + columns[j]
		var err error
		if _, isInt := v.(*int); isInt {
			err = f.AppendInt64(p, ints[j]...)
		} else {
			err = f.AppendFloat64(p, floats[j]...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeED writes /ed.
func writeED(f *h5io.File, e *ED) error {
	if err := f.WriteFloat64(PathEnergies, e.Energies); err != nil {
		return err
	}
	return setAttrs(f, GroupED, edAttrs(e)...)
}

// writeCheckpoint writes the datasets and attributes of ck into the slot
// group g (/checkpoint/a or /checkpoint/b) and the current /parameters. It
// leaves the attribute complete alone.
func writeCheckpoint(f *h5io.File, g string, ck *Checkpoint) error {
	if err := f.WriteComplex128(g+"/"+CkptParameters, ck.Params); err != nil {
		return err
	}
	if err := f.WriteComplex128(PathParameters, ck.Params); err != nil {
		return err
	}
	ds := ck.Driver
	if ds.AdamM != nil || ds.AdamV != nil {
		if err := f.WriteFloat64(g+"/"+CkptAdamM, ds.AdamM); err != nil {
			return err
		}
		if err := f.WriteFloat64(g+"/"+CkptAdamV, ds.AdamV); err != nil {
			return err
		}
	}
	if ds.Spring != nil {
		if err := f.WriteComplex128(g+"/"+CkptSpring, ds.Spring); err != nil {
			return err
		}
	}
	sampler := "exact"
	if s := ck.Sampler; s != nil {
		sampler = "metropolis"
		if err := writeSamplerState(f, g, s); err != nil {
			return fmt.Errorf("runfile: checkpoint: %w", err)
		}
	}
	return setAttrs(f, g, slotAttrs(ck, &sampler)...)
}

// writeSamplerState writes the chains and RNG states of s into the group g
// (datasets chains and rng, attribute burned_in).
func writeSamplerState(f *h5io.File, g string, s *vmc.SamplerState) error {
	c := len(s.Configs)
	n := 0
	if c > 0 {
		n = len(s.Configs[0])
	}
	chains := make([]int8, 0, c*n)
	rng := make([]uint64, 0, 2*c)
	for i := range c {
		if len(s.Configs[i]) != n {
			return fmt.Errorf("chain %d has %d sites, chain 0 has %d", i, len(s.Configs[i]), n)
		}
		chains = append(chains, s.Configs[i]...)
		hi, lo, err := decodePCG(s.RNG[i])
		if err != nil {
			return fmt.Errorf("chain %d: %w", i, err)
		}
		rng = append(rng, hi, lo)
	}
	if err := f.WriteInt8(g+"/"+CkptChains, chains, c, n); err != nil {
		return err
	}
	if err := f.WriteUint64(g+"/"+CkptRNG, rng, c, 2); err != nil {
		return err
	}
	if err := f.SetAttrString(g+"/"+CkptRNG, "format", rngFormat); err != nil {
		return err
	}
	return f.SetAttrBool(g, "burned_in", s.BurnedIn)
}

// markCurrent sets complete = true on slot and points the attributes of
// /checkpoint (current, iteration) at it.
func markCurrent(f *h5io.File, slot string, iteration int) error {
	if err := f.SetAttrBool(SlotPath(slot), "complete", true); err != nil {
		return err
	}
	return setAttrs(f, GroupCheckpoint, attr{"current", &slot}, attr{"iteration", &iteration})
}

// decodePCG splits the 20-byte encoding of (*rand.PCG).MarshalBinary,
// "pcg:" followed by hi and lo big-endian, into its two state words.
func decodePCG(b []byte) (hi, lo uint64, err error) {
	if len(b) != 20 || string(b[:4]) != "pcg:" {
		return 0, 0, errors.New("RNG state is not a math/rand/v2 PCG encoding")
	}
	for _, v := range b[4:12] {
		hi = hi<<8 | uint64(v)
	}
	for _, v := range b[12:20] {
		lo = lo<<8 | uint64(v)
	}
	return hi, lo, nil
}

// encodePCG is the inverse of decodePCG.
func encodePCG(hi, lo uint64) []byte {
	b := make([]byte, 20)
	copy(b, "pcg:")
	for i := range 8 {
		b[4+i] = byte(hi >> (56 - 8*i))
		b[12+i] = byte(lo >> (56 - 8*i))
	}
	return b
}

// writeResult writes the attributes of /result.
func writeResult(f *h5io.File, r *Result) error {
	if err := f.CreateGroup(GroupResult); err != nil {
		return err
	}
	return setAttrs(f, GroupResult, resultAttrs(r)...)
}

// writeObservable writes /observables/<name>.
func writeObservable(f *h5io.File, o *Observable) error {
	if o.Name == "" || strings.Contains(o.Name, "/") {
		return fmt.Errorf("runfile: observable name %q: want a name without '/'", o.Name)
	}
	g := GroupObservable + "/" + o.Name
	shape := o.Shape
	if len(shape) == 0 {
		shape = []int{len(o.Mean)}
	}
	if err := f.WriteFloat64(g+"/mean", o.Mean, shape...); err != nil {
		return err
	}
	if err := f.WriteFloat64(g+"/error", o.Error, shape...); err != nil {
		return err
	}
	if len(o.Labels) > 0 {
		k := len(o.Labels[0])
		flat := make([]float64, 0, len(o.Labels)*k)
		for i, row := range o.Labels {
			if len(row) != k {
				return fmt.Errorf("runfile: observable %s: label %d has %d values, label 0 has %d", o.Name, i, len(row), k)
			}
			flat = append(flat, row...)
		}
		if err := f.WriteFloat64(g+"/labels", flat, len(o.Labels), k); err != nil {
			return err
		}
	}
	if o.Exact != nil {
		if err := f.WriteFloat64(g+"/exact", o.Exact, shape...); err != nil {
			return err
		}
	}
	return nil
}

// writeRunFile writes r as a complete run file at path, through a
// temporary file, fsync and an atomic rename: path holds either its old
// contents or all of the new ones. It returns the time spent writing the
// temporary file (the CPU-bound part; the fsyncs mostly wait for the disk).
func writeRunFile(path string, r *Run) (time.Duration, error) {
	return writeAtomic(path, func(f *h5io.File) error { return writeRun(f, r) })
}

// writeAtomic creates path.tmp, fills it with write, fsyncs it and renames
// it over path, so that path holds either its old contents or all of the
// new ones. It returns the time spent in write.
func writeAtomic(path string, write func(*h5io.File) error) (time.Duration, error) {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	t := time.Now()
	err := func() error {
		f, err := h5io.Create(tmp)
		if err != nil {
			return err
		}
		werr := write(f)
		cerr := f.Close()
		return errors.Join(werr, cerr)
	}()
	took := time.Since(t)
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return took, fmt.Errorf("runfile: write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return took, nil
}

// writeRun writes everything r holds into the empty file f.
func writeRun(f *h5io.File, r *Run) error {
	if err := writeMeta(f, r.Meta); err != nil {
		return err
	}
	if err := writeLattice(f, r.Lattice); err != nil {
		return err
	}
	if err := appendRows(f, r.Log); err != nil {
		return err
	}
	if r.ED != nil {
		if err := writeED(f, r.ED); err != nil {
			return err
		}
	}
	if r.Checkpoint != nil {
		slot := Slots[0]
		if err := f.CreateGroup(SlotPath(slot)); err != nil {
			return err
		}
		if err := writeCheckpoint(f, SlotPath(slot), r.Checkpoint); err != nil {
			return err
		}
		if err := markCurrent(f, slot, r.Checkpoint.Iteration); err != nil {
			return err
		}
	}
	if r.Parameters != nil {
		if err := f.WriteComplex128(PathParameters, r.Parameters); err != nil {
			return err
		}
	}
	if r.Result != nil {
		if err := writeResult(f, r.Result); err != nil {
			return err
		}
	}
	for i := range r.Observables {
		if err := writeObservable(f, &r.Observables[i]); err != nil {
			return err
		}
	}
	return nil
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	err = fh.Sync()
	return errors.Join(err, fh.Close())
}

// syncDir fsyncs a directory so that a rename in it is durable; file
// systems that cannot do it are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
