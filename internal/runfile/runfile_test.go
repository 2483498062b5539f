package runfile

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/internal/testutil"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// sample data: a run of a chain of 4 sites with 2 chains and 6 parameters.

func sampleMeta() Meta {
	return Meta{
		Program: "vmc", Version: "test", Commit: "abc", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Config: "seed = 7\n[lattice]\nkind = \"chain\"\n", ConfigName: "x.toml", Seed: 7,
		Units: "spin", Model: "Heisenberg", Lattice: "chain 4", Ansatz: "rbm", Optimizer: "sr",
		NSites: 4, NParameters: 6, NChains: 2, NSamples: 8, Iterations: 10,
	}
}

func sampleLattice(t testing.TB) Lattice {
	l, err := lattice.New(lattice.Chain, []int{4}, []bool{true})
	if err != nil {
		t.Fatal(err)
	}
	return LatticeOf(l)
}

func sampleRow(i int) Row {
	return Row{
		Iteration: i, Energy: -1 - 1/float64(i+1), EnergyError: 0.1 / float64(i+1), EnergyImag: 1e-3,
		Variance: 0.5, Acceptance: 0.4, TauCorr: math.NaN(), RHat: 1.01, Retries: i % 2, WallSeconds: 0.01 * float64(i+1),
	}
}

func sampleCheckpoint(k int, adam bool) *Checkpoint {
	ck := &Checkpoint{
		Iteration: k, WallSeconds: 0.01 * float64(k),
		Params: []complex128{1 + 2i, -3, 4i, complex(math.Pi, -math.E), 0, 1e-300},
		Driver: vmc.DriverState{Iteration: k, ShiftBoost: 10, AdamT: 3},
		Sampler: &vmc.SamplerState{
			Configs:  [][]int8{{1, -1, 1, -1}, {-1, -1, 1, 1}},
			RNG:      [][]byte{encodePCG(1, 2), encodePCG(math.MaxUint64, 1<<63)},
			BurnedIn: true,
		},
	}
	if adam {
		ck.Driver.AdamM = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		ck.Driver.AdamV = []float64{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12}
	}
	return ck
}

func sampleResult() Result {
	e0, rel := -2.0, 0.01
	return Result{
		Energy: -1.98, EnergyError: 0.001, EnergyImag: 1e-5, EnergyPerSite: -0.495, Variance: 0.02,
		VScore: 0.02, TauCorr: 1.5, RHat: math.NaN(), EDEnergy: &e0, RelativeError: &rel,
		Iterations: 10, EvaluationSamples: 64, SamplesPerSecond: 1e5, WallSeconds: 1.5,
		OptimizationSeconds: 1.2, EvaluationSeconds: 0.1, EDSeconds: 0.2, LogSeconds: 0.01, CheckpointSeconds: 0.02, CompanionSeconds: 0.03,
	}
}

// writeSample writes a finished run of 10 iterations with checkpoints at 0,
// 5 and 10, and returns what it wrote.
func writeSample(t testing.TB, path string) *Run {
	t.Helper()
	w, err := Create(path, false, sampleMeta(), sampleLattice(t))
	if err != nil {
		t.Fatal(err)
	}
	sz := 0.0
	ed := ED{Energies: []float64{-2, -1.5}, Dimension: 6, TotalSz: &sz, WallSeconds: 0.2}
	if err := w.WriteED(ed); err != nil {
		t.Fatal(err)
	}
	want := &Run{Path: path, Meta: sampleMeta(), Lattice: sampleLattice(t), ED: &ed}
	want.Meta.RunID = w.meta.RunID
	if err := w.Checkpoint(sampleCheckpoint(0, true)); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := w.LogIteration(sampleRow(i)); err != nil {
			t.Fatal(err)
		}
		want.Log = append(want.Log, sampleRow(i))
		if i == 4 || i == 9 {
			if err := w.Checkpoint(sampleCheckpoint(i+1, true)); err != nil {
				t.Fatal(err)
			}
		}
	}
	res := sampleResult()
	ck := sampleCheckpoint(10, true)
	if err := w.WriteResult(res, ck.Params); err != nil {
		t.Fatal(err)
	}
	obs := []Observable{
		{Name: "sz_sz_distance", Shape: []int{3}, Mean: []float64{0.25, -0.1, 0.05}, Error: []float64{0, 0.01, 0.02},
			Labels: [][]float64{{0}, {1}, {2}}, Exact: []float64{0.25, -0.11, 0.04}},
		{Name: "sz_sz", Shape: []int{2, 2}, Mean: []float64{0.25, -0.25, -0.25, 0.25}, Error: []float64{0, 0.1, 0.1, 0}},
	}
	if err := w.WriteObservables(obs); err != nil {
		t.Fatal(err)
	}
	want.Observables = []Observable{obs[1], obs[0]} // read in name order
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want.Checkpoint, want.Result, want.Parameters = ck, &res, ck.Params
	return want
}

// same is reflect.DeepEqual with NaN equal to NaN (bit for bit
// otherwise: 0 and -0 differ).
func same(a, b any) bool { return sameValue(reflect.ValueOf(a), reflect.ValueOf(b)) }

func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float64, reflect.Float32:
		x, y := a.Float(), b.Float()
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	case reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		return sameValue(reflect.ValueOf(real(x)), reflect.ValueOf(real(y))) && sameValue(reflect.ValueOf(imag(x)), reflect.ValueOf(imag(y)))
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() && a.Len()+b.Len() > 0 {
			return false
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
		}
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func checkRun(t *testing.T, got, want *Run) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Path", got.Path, want.Path}, {"Meta", got.Meta, want.Meta}, {"Lattice", got.Lattice, want.Lattice},
		{"Log", got.Log, want.Log}, {"ED", got.ED, want.ED}, {"Parameters", got.Parameters, want.Parameters},
		{"Checkpoint", got.Checkpoint, want.Checkpoint}, {"Result", got.Result, want.Result},
		{"Observables", got.Observables, want.Observables},
	} {
		if !same(c.got, c.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", c.name, c.got, c.want)
		}
	}
}

// TestRoundTrip writes every dataset and attribute of the layout and reads
// them back through Read.
func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.h5")
	want := writeSample(t, path)
	if _, err := os.Stat(CompanionPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("companion after a clean Close: %v, want it removed", err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, got, want)

	// Load: the checkpoint of the main file, with the log cut to it.
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want.Result, want.Observables = nil, nil
	checkRun(t, r, want)

	// A run file written in one go (a companion) reads back the same.
	copyPath := filepath.Join(filepath.Dir(path), "copy.h5")
	if _, err := writeRunFile(copyPath, got); err != nil {
		t.Fatal(err)
	}
	again, err := Read(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	got.Path = copyPath
	checkRun(t, again, got)
}

// TestLayout checks the names and types that external tools rely on.
func TestLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.h5")
	writeSample(t, path)
	f, err := h5io.Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Checkpoints at 0, 5, 10 went to slots a, b, a.
	for _, p := range []string{PathPositions, PathEdges, PathOrders, PathEnergies, PathParameters,
		"/checkpoint/a/parameters", "/checkpoint/a/adam_m", "/checkpoint/a/adam_v", "/checkpoint/a/chains", "/checkpoint/a/rng",
		"/checkpoint/b/parameters", "/checkpoint/b/chains"} {
		if !f.IsDataset(p) {
			t.Errorf("%s is missing", p)
		}
	}
	if cur, err := f.AttrString(GroupCheckpoint, "current"); err != nil || cur != "a" {
		t.Errorf("/checkpoint current = %q, %v; want a", cur, err)
	}
	if it, err := f.AttrInt64("/checkpoint/b", "iteration"); err != nil || it != 5 {
		t.Errorf("/checkpoint/b iteration = %d, %v; want 5", it, err)
	}
	for _, c := range columns {
		if n, err := f.Len(GroupLog + "/" + c); err != nil || n != 10 {
			t.Errorf("/log/%s: %d rows, %v; want 10", c, n, err)
		}
	}
	names, err := f.AttrNames("/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ansatz", "commit", "config", "config_name", "created", "iterations", "lattice", "layout_version",
		"model", "n_chains", "n_parameters", "n_samples", "n_sites", "optimizer", "program", "resumes", "run_id", "seed", "units", "version"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("root attributes %v, want %v", names, want)
	}
	if dims, _ := f.Shape("/checkpoint/a/chains"); !reflect.DeepEqual(dims, []int{2, 4}) {
		t.Errorf("chains shape %v, want [2 4]", dims)
	}
	if dims, _ := f.Shape(PathPositions); !reflect.DeepEqual(dims, []int{4, 1}) {
		t.Errorf("%s shape %v, want [4 1]", PathPositions, dims)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.h5")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, false, sampleMeta(), sampleLattice(t)); !errors.Is(err, ErrExists) {
		t.Errorf("Create over a file: %v, want ErrExists", err)
	}
	// A stale companion alone also blocks; with force it is removed once
	// the new run is in place (its first checkpoint).
	os.Remove(path)
	if err := os.WriteFile(CompanionPath(path), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, false, sampleMeta(), sampleLattice(t)); !errors.Is(err, ErrExists) {
		t.Errorf("Create with a companion: %v, want ErrExists", err)
	}
	w, err := Create(path, true, sampleMeta(), sampleLattice(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Checkpoint(sampleCheckpoint(0, false)); err != nil {
		t.Fatal(err)
	}
	if err := w.waitCompanion(); err != nil {
		t.Fatal(err)
	}
	if r, err := Read(CompanionPath(path)); err != nil || r.Meta.RunID != w.meta.RunID {
		t.Errorf("the stale companion survived Create with force and a checkpoint: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{CompanionPath(path), tmpPath(path), LockPath(path)} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after Close: %v, want it removed", p, err)
		}
	}
}

// kill leaves w as a kill -9 would: the HDF5 file closed without the
// Writer's Close (the companion and the lock file stay) and the lock
// released by the kernel.
func kill(t *testing.T, w *Writer) {
	t.Helper()
	if err := w.waitCompanion(); err != nil {
		t.Fatal(err)
	}
	if err := w.f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.lock.f.Close(); err != nil {
		t.Fatal(err)
	}
}

// unfinished writes a run that stopped (without Close, as after kill -9)
// after 7 logged iterations with checkpoints at 0 and 5, and returns the
// writer, still open.
func unfinished(t *testing.T, path string) *Writer {
	t.Helper()
	w, err := Create(path, false, sampleMeta(), sampleLattice(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Checkpoint(sampleCheckpoint(0, false)); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		if err := w.LogIteration(sampleRow(i)); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			// As if time passed: the companion at 0 is written and the
			// budget allows the next.
			if err := w.waitCompanion(); err != nil {
				t.Fatal(err)
			}
			w.compStart = time.Time{}
			if err := w.Checkpoint(sampleCheckpoint(5, false)); err != nil {
				t.Fatal(err)
			}
			if err := w.waitCompanion(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.sync(); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestResumeFromCompanion: the main file is garbage (a kill -9 in the
// middle of a write), the companion has the checkpoint; Resume rebuilds the
// main file from it.
func TestResumeFromCompanion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.h5")
	w := unfinished(t, path)
	kill(t, w) // no Writer.Close: the companion stays
	if err := os.WriteFile(path, []byte("torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != CompanionPath(path) || r.Checkpoint.Iteration != 5 || len(r.Log) != 5 {
		t.Fatalf("Load: path %s, iteration %d, %d rows; want the companion at 5 with 5 rows", r.Path, r.Checkpoint.Iteration, len(r.Log))
	}
	if !same(r.Checkpoint, sampleCheckpoint(5, false)) {
		t.Errorf("checkpoint %#v", r.Checkpoint)
	}
	meta := sampleMeta()
	meta.Resumes, meta.Resumed = 1, time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	w, err = Resume(path, r, meta)
	meta.RunID = r.Meta.RunID // the run keeps its id
	if err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 10; i++ {
		if err := w.LogIteration(sampleRow(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Checkpoint(sampleCheckpoint(10, false)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !same(got.Meta, meta) {
		t.Errorf("meta %#v, want %#v", got.Meta, meta)
	}
	for i, row := range got.Log {
		if !same(row, sampleRow(i)) {
			t.Errorf("row %d: %#v", i, row)
		}
	}
	if len(got.Log) != 10 || got.Checkpoint.Iteration != 10 {
		t.Errorf("%d rows, checkpoint at %d; want 10, 10", len(got.Log), got.Checkpoint.Iteration)
	}
}

// TestLoadPrefersLater: Load takes the later complete checkpoint of the
// main file's two slots and the companion, the companion on a tie.
func TestLoadPrefersLater(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.h5")
	w := unfinished(t, path) // slot a at 0, slot b at 5, companion at 5
	// Checkpoint at 7 in the main file only (the budget holds the
	// companion back, as after a slow companion write): slot a.
	w.compStart, w.compCost = time.Now(), time.Hour
	if err := w.Checkpoint(sampleCheckpoint(7, false)); err != nil {
		t.Fatal(err)
	}
	kill(t, w)
	comp := CompanionPath(path)
	for i, c := range []struct {
		tear     string // slot to mark incomplete first
		path     string
		want     int
		noCkpt   bool
		dropComp bool
	}{
		{"", path, 7, false, false},  // slot a at 7 beats the companion at 5
		{"a", comp, 5, false, false}, // torn a: slot b at 5 ties with the companion
		{"b", comp, 5, false, false}, // both slots torn
		{"", "", 0, true, true},      // nothing complete left
	} {
		if c.tear != "" {
			f, err := h5io.Open(path, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetAttrBool(SlotPath(c.tear), "complete", false); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		if c.dropComp {
			os.Remove(comp)
		}
		r, err := Load(path)
		if c.noCkpt {
			if !errors.Is(err, ErrNoCheckpoint) {
				t.Errorf("case %d: Load: %v, want ErrNoCheckpoint", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if r.Path != c.path || r.Checkpoint.Iteration != c.want || len(r.Log) != c.want {
			t.Errorf("case %d: Load took %s at %d with %d rows, want %s at %d", i, r.Path, r.Checkpoint.Iteration, len(r.Log), c.path, c.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.h5")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestLiveFile: while another process writes a run, Read, Load and Resume
// refuse it (HDF5's file lock), so that two processes never write one file.
func TestLiveFile(t *testing.T) {
	if path := os.Getenv("RUNFILE_LIVE_CHILD"); path != "" {
		liveChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "run.h5")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveFile$")
	cmd.Env = append(os.Environ(), "RUNFILE_LIVE_CHILD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child exits
		_ = cmd.Wait()
	}()
	ready := make(chan bool, 1)
	go func() {
		b := make([]byte, 5)
		_, err := io.ReadFull(stdout, b)
		ready <- err == nil && string(b) == "READY"
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("child failed")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child timed out")
	}
	if os.Getenv("HDF5_USE_FILE_LOCKING") == "FALSE" {
		t.Skip("HDF5_USE_FILE_LOCKING=FALSE: no locks to test")
	}
	if _, err := Read(path); !errors.Is(err, ErrInUse) {
		t.Errorf("Read of a live file: %v, want ErrInUse", err)
	}
	if _, err := Load(path); !errors.Is(err, ErrInUse) {
		t.Errorf("Load of a live file: %v, want ErrInUse", err)
	}
	// The companion is complete and readable meanwhile.
	r, err := Read(CompanionPath(path))
	if err != nil || r.Checkpoint == nil || r.Checkpoint.Iteration != 5 {
		t.Fatalf("Read of the companion: %v", err)
	}
	if _, err := Resume(path, r, sampleMeta()); !errors.Is(err, ErrInUse) {
		t.Errorf("Resume of a live file: %v, want ErrInUse", err)
	}
}

// liveChild writes a run and holds it open until stdin closes.
func liveChild(t *testing.T, path string) {
	w := unfinished(t, path)
	if err := w.waitCompanion(); err != nil {
		t.Fatal(err)
	}
	fmt.Print("READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPCGEncoding(t *testing.T) {
	for i, c := range [][2]uint64{{0, 0}, {1, 2}, {math.MaxUint64, 1 << 63}, {0x0123456789abcdef, 0xfedcba9876543210}} {
		b := encodePCG(c[0], c[1])
		hi, lo, err := decodePCG(b)
		if err != nil || hi != c[0] || lo != c[1] {
			t.Errorf("case %d: decode(encode(%x, %x)) = %x, %x, %v", i, c[0], c[1], hi, lo, err)
		}
	}
	st := vmc.SamplerState{}
	_ = st
	if _, _, err := decodePCG([]byte("pcg:short")); err == nil {
		t.Error("decodePCG accepted a short encoding")
	}
}

func TestLogBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.h5")
	w, err := Create(path, false, sampleMeta(), sampleLattice(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Checkpoint(sampleCheckpoint(0, false)); err != nil {
		t.Fatal(err)
	}
	// Rows much faster than a flush are held back ...
	for i := range 50 {
		if err := w.LogIteration(sampleRow(i)); err != nil {
			t.Fatal(err)
		}
	}
	if w.written == 50 {
		t.Errorf("50 rows in a burst were all flushed one by one")
	}
	// ... and a row after a pause goes out at once.
	time.Sleep(flushBudget*w.flushCost + time.Millisecond)
	if err := w.LogIteration(sampleRow(50)); err != nil {
		t.Fatal(err)
	}
	if w.written != 51 {
		t.Errorf("after a pause %d rows of 51 are in the file", w.written)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Log) != 51 {
		t.Errorf("%d rows after Close, want 51", len(r.Log))
	}
}

// h5pyScript checks the file with h5py the way docs/hdf5.md reads it.
const h5pyScript = `
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert isinstance(a["config"], str) and a["config"].startswith("seed = 7"), repr(a["config"])
assert a["program"] == "vmc" and a["units"] == "spin" and int(a["n_sites"]) == 4
p = f["parameters"][:]
assert p.dtype == np.complex128, p.dtype
assert p[0] == 1+2j and p[3] == complex(np.pi, -np.e), p
ck = f["checkpoint"][f["checkpoint"].attrs["current"]]
c = ck["parameters"][:]
assert c.dtype == np.complex128 and np.array_equal(c, p)
log = {k: f["log"][k][:] for k in f["log"]}
assert sorted(log) == sorted(%s), sorted(log)
assert log["iteration"].dtype == np.int64 and list(log["iteration"]) == list(range(10))
assert log["energy"].dtype == np.float64 and log["energy"][0] == -2.0
assert np.isnan(log["tau_corr"]).all()
assert f["lattice/positions"].shape == (4, 1) and f["lattice/edges"].shape == (len(f["lattice/orders"]), 2)
assert ck["chains"].dtype == np.int8 and ck["chains"].shape == (2, 4)
assert ck["rng"].dtype == np.uint64 and ck["rng"][1, 0] == 2**64 - 1
assert bool(ck.attrs["complete"]) and int(ck.attrs["iteration"]) == 10 == int(f["checkpoint"].attrs["iteration"])
r = f["result"].attrs
assert r["energy"] == -1.98 and r["ed_energy"] == -2.0 and np.isnan(r["r_hat"])
o = f["observables/sz_sz_distance"]
assert f["observables/sz_sz/mean"].shape == (2, 2) and o["labels"].shape == (3, 1) and o["exact"][1] == -0.11
e = f["ed/energies"]
assert list(e[:]) == [-2.0, -1.5] and int(e.parent.attrs["dimension"]) == 6
print("ok")
`

func TestH5py(t *testing.T) {
	py := testutil.RequireTool(t, "/usr/bin/python3", "-c", "import h5py")
	path := filepath.Join(t.TempDir(), "run.h5")
	writeSample(t, path)
	cols := "[" + `"` + strings.Join(columns, `", "`) + `"` + "]"
	script := strings.Replace(h5pyScript, "%s", cols, 1)
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
}

func TestH5dump(t *testing.T) {
	h5dump := testutil.RequireTool(t, "h5dump", "--version")
	path := filepath.Join(t.TempDir(), "run.h5")
	writeSample(t, path)
	out, err := exec.Command(h5dump, "-H", path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump -H: %v\n%s", err, out)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		`DATASET "energy" { DATATYPE H5T_IEEE_F64LE DATASPACE SIMPLE { ( 10 ) / ( H5S_UNLIMITED ) }`,
		`DATASET "parameters" { DATATYPE H5T_COMPOUND { H5T_IEEE_F64LE "r"; H5T_IEEE_F64LE "i"; }`,
		`DATASET "chains" { DATATYPE H5T_STD_I8LE DATASPACE SIMPLE { ( 2, 4 ) / ( 2, 4 ) }`,
		`ATTRIBUTE "config" { DATATYPE H5T_STRING {`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("h5dump -H lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("h5dump -H:\n%s", out)
	}
	out, err = exec.Command(h5dump, "-a", "/config", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `seed = 7`) {
		t.Errorf("h5dump -a /config: %v\n%s", err, out)
	}
}

func TestPlot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.h5")
	writeSample(t, path)
	r, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"e.png", "e.svg", "e.pdf"} {
		out := filepath.Join(dir, name)
		if err := PlotConvergence(r, out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(out)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", name, len(b), err)
		}
		if name == "e.png" {
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if s := img.Bounds().Size(); s.X < 500 || s.Y < 400 {
				t.Errorf("PNG is %v", s)
			}
		}
	}
	// Without ED the second panel shows the variance.
	r.ED = nil
	if err := PlotConvergence(r, filepath.Join(dir, "noed.png")); err != nil {
		t.Fatal(err)
	}
	if err := PlotConvergence(r, filepath.Join(dir, "noext")); err == nil {
		t.Error("a plot without an extension succeeded")
	}
	r.Log = nil
	if err := PlotConvergence(r, filepath.Join(dir, "empty.png")); err == nil {
		t.Error("a plot of an empty log succeeded")
	}
}

// BenchmarkLogIteration measures LogIteration on a file of the vmc layout,
// when every row is flushed (rows slower than the flush budget) and in a
// burst (rows held back and written together).
func BenchmarkLogIteration(b *testing.B) {
	for _, burst := range []bool{false, true} {
		b.Run(fmt.Sprintf("burst=%v", burst), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "run.h5")
			w, err := Create(path, false, sampleMeta(), sampleLattice(b))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !burst {
					w.lastFlush = time.Time{}
				}
				if err := w.LogIteration(sampleRow(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkCheckpoint measures the caller's cost of a checkpoint of 288
// parameters and 16 chains of 16 sites after 200 iterations (the default
// config), the companion written in the background.
func BenchmarkCheckpoint(b *testing.B) {
	path := filepath.Join(b.TempDir(), "run.h5")
	w, err := Create(path, false, sampleMeta(), sampleLattice(b))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		if err := w.LogIteration(sampleRow(i)); err != nil {
			b.Fatal(err)
		}
	}
	ck := &Checkpoint{Iteration: 200, Params: make([]complex128, 288), Driver: vmc.DriverState{Iteration: 200, ShiftBoost: 1}}
	ck.Sampler = &vmc.SamplerState{}
	for range 16 {
		ck.Sampler.Configs = append(ck.Sampler.Configs, make([]int8, 16))
		ck.Sampler.RNG = append(ck.Sampler.RNG, encodePCG(1, 2))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Checkpoint(ck); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
