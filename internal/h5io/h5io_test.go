package h5io

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmc-lattice/vmc/internal/testutil"
)

// newFile creates a file in a temporary directory, closed at the end of the
// test after checking that no HDF5 object was left open.
func newFile(t testing.TB) (*File, string) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "test.h5")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f.id >= 0 {
			checkNoOpenObjects(t, f)
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	})
	return f, name
}

// checkNoOpenObjects fails if anything but the file itself and the logs
// that it keeps open for appending is open.
func checkNoOpenObjects(t testing.TB, f *File) {
	t.Helper()
	ids, err := f.openIDs()
	if err != nil {
		t.Fatal(err)
	}
	if want := [5]int64{1, int64(f.openLogs()), 0, 0, 0}; ids != want {
		t.Errorf("open identifiers (files, datasets, groups, types, attributes) = %v, want %v", ids, want)
	}
}

func TestRoundTripDatasets(t *testing.T) {
	f, _ := newFile(t)
	nan := math.NaN()
	for i, c := range []struct {
		path string
		data any
		dims []int
	}{
		{"/a/f1", []float64{1, -2.5, math.Inf(1), math.SmallestNonzeroFloat64, math.MaxFloat64}, nil},
		{"/a/f2", []float64{1, 2, 3, 4, 5, 6}, []int{2, 3}},
		{"f3", []float64{0, 1, 2, 3, 4, 5, 6, 7}, []int{2, 2, 2}},
		{"/a/empty", []float64{}, nil},
		{"/a/empty2", []float64{}, []int{0, 4}},
		{"/b/i1", []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}, nil},
		{"/b/i2", []int64{1, 2, 3, 4, 5, 6}, []int{3, 2}},
		{"/checkpoint/chains", []int8{1, -1, 1, 1, -1, -1, 1, -1}, []int{2, 4}},
		{"/checkpoint/rng", []uint64{0, 1, math.MaxUint64, 0x9e3779b97f4a7c15}, nil},
		{"/parameters", []complex128{1 + 2i, -0.5i, complex(math.Inf(-1), 3), 0}, nil},
		{"/c2", []complex128{1, 2i, 3, 4i}, []int{2, 2}},
		{"/nan", []float64{nan, 1}, nil},
	} {
		var err error
		switch d := c.data.(type) {
		case []float64:
			err = f.WriteFloat64(c.path, d, c.dims...)
		case []int64:
			err = f.WriteInt64(c.path, d, c.dims...)
		case []int8:
			err = f.WriteInt8(c.path, d, c.dims...)
		case []uint64:
			err = f.WriteUint64(c.path, d, c.dims...)
		case []complex128:
			err = f.WriteComplex128(c.path, d, c.dims...)
		}
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var (
			got  any
			dims []int
		)
		switch c.data.(type) {
		case []float64:
			got, dims, err = f.ReadFloat64(c.path)
		case []int64:
			got, dims, err = f.ReadInt64(c.path)
		case []int8:
			got, dims, err = f.ReadInt8(c.path)
		case []uint64:
			got, dims, err = f.ReadUint64(c.path)
		case []complex128:
			got, dims, err = f.ReadComplex128(c.path)
		}
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		wantDims := c.dims
		if wantDims == nil {
			wantDims = []int{reflect.ValueOf(c.data).Len()}
		}
		if !reflect.DeepEqual(dims, wantDims) {
			t.Errorf("case %d: dims = %v, want %v", i, dims, wantDims)
		}
		if c.path == "/nan" {
			g := got.([]float64)
			if !math.IsNaN(g[0]) || g[1] != 1 {
				t.Errorf("case %d: got %v", i, g)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.data) {
			t.Errorf("case %d: got %v, want %v", i, got, c.data)
		}
	}
	if shape, err := f.Shape("/a/f2"); err != nil || !reflect.DeepEqual(shape, []int{2, 3}) {
		t.Errorf("Shape = %v, %v", shape, err)
	}
	checkNoOpenObjects(t, f)
}

func TestOverwrite(t *testing.T) {
	f, _ := newFile(t)
	const p = "/x"
	steps := []struct {
		data []float64
		dims []int
	}{
		{[]float64{1, 2, 3}, nil},
		{[]float64{4, 5, 6}, nil},             // same shape: in place
		{[]float64{7, 8, 9, 10}, []int{2, 2}}, // new shape: replaced
		{[]float64{11}, nil},
	}
	for i, s := range steps {
		if err := f.WriteFloat64(p, s.data, s.dims...); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, _, err := f.ReadFloat64(p)
		if err != nil || !reflect.DeepEqual(got, s.data) {
			t.Fatalf("step %d: got %v, %v; want %v", i, got, err, s.data)
		}
	}
	// A different type replaces the dataset too.
	if err := f.WriteInt64(p, []int64{42}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := f.ReadInt64(p); err != nil || got[0] != 42 {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, _, err := f.ReadComplex128(p); err == nil || !strings.Contains(err.Error(), "want complex128") {
		t.Errorf("reading int64 as complex128: err = %v", err)
	}
	// Attributes of an object overwritten in place survive.
	if err := f.SetAttrString(p, "unit", "J"); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteInt64(p, []int64{43}); err != nil {
		t.Fatal(err)
	}
	if s, err := f.AttrString(p, "unit"); err != nil || s != "J" {
		t.Errorf("attribute after in-place write = %q, %v", s, err)
	}
	checkNoOpenObjects(t, f)
}

func TestWritePanicsOnBadDims(t *testing.T) {
	f, _ := newFile(t)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "dims [2 3] hold 6 values, data has 5") {
			t.Errorf("recover() = %v", r)
		}
	}()
	_ = f.WriteFloat64("/x", make([]float64, 5), 2, 3)
}

func TestAttributes(t *testing.T) {
	f, _ := newFile(t)
	if err := f.WriteFloat64("/log/energy", []float64{1}); err != nil {
		t.Fatal(err)
	}
	config := "[model]\nkind = \"rbm\"\nalpha = 2 # ψ, α\n"
	for _, obj := range []string{"/", "/log", "/log/energy"} {
		sets := []error{
			f.SetAttrString(obj, "config", config),
			f.SetAttrString(obj, "empty", ""),
			f.SetAttrInt64(obj, "seed", math.MinInt64),
			f.SetAttrFloat64(obj, "energy", -8.904386529921),
			f.SetAttrFloat64s(obj, "q", []float64{0, math.Pi, -1e300}),
			f.SetAttrFloat64s(obj, "none", nil),
			f.SetAttrInt64s(obj, "sizes", []int64{4, 4}),
			f.SetAttrBool(obj, "yes", true),
			f.SetAttrBool(obj, "no", false),
		}
		for i, err := range sets {
			if err != nil {
				t.Fatalf("%s: set %d: %v", obj, i, err)
			}
		}
		if s, err := f.AttrString(obj, "config"); err != nil || s != config {
			t.Errorf("%s: config = %q, %v", obj, s, err)
		}
		if s, err := f.AttrString(obj, "empty"); err != nil || s != "" {
			t.Errorf("%s: empty = %q, %v", obj, s, err)
		}
		if v, err := f.AttrInt64(obj, "seed"); err != nil || v != math.MinInt64 {
			t.Errorf("%s: seed = %v, %v", obj, v, err)
		}
		if v, err := f.AttrFloat64(obj, "energy"); err != nil || v != -8.904386529921 {
			t.Errorf("%s: energy = %v, %v", obj, v, err)
		}
		if v, err := f.AttrFloat64s(obj, "q"); err != nil || !reflect.DeepEqual(v, []float64{0, math.Pi, -1e300}) {
			t.Errorf("%s: q = %v, %v", obj, v, err)
		}
		if v, err := f.AttrFloat64s(obj, "none"); err != nil || len(v) != 0 {
			t.Errorf("%s: none = %v, %v", obj, v, err)
		}
		if v, err := f.AttrInt64s(obj, "sizes"); err != nil || !reflect.DeepEqual(v, []int64{4, 4}) {
			t.Errorf("%s: sizes = %v, %v", obj, v, err)
		}
		if v, err := f.AttrBool(obj, "yes"); err != nil || !v {
			t.Errorf("%s: yes = %v, %v", obj, v, err)
		}
		if v, err := f.AttrBool(obj, "no"); err != nil || v {
			t.Errorf("%s: no = %v, %v", obj, v, err)
		}
		names, err := f.AttrNames(obj)
		want := []string{"config", "empty", "energy", "no", "none", "q", "seed", "sizes", "yes"}
		if err != nil || !reflect.DeepEqual(names, want) {
			t.Errorf("%s: AttrNames = %q, %v; want %q", obj, names, err, want)
		}
		if !f.HasAttr(obj, "seed") || f.HasAttr(obj, "nope") {
			t.Errorf("%s: HasAttr wrong", obj)
		}
	}

	// Replacing an attribute with one of another type.
	if err := f.SetAttrString("/", "seed", "not a number"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AttrInt64("/", "seed"); err == nil || !strings.Contains(err.Error(), `h5io: read attribute "seed" of /: stored type is string, want int64`) {
		t.Errorf("reading a string as int64: err = %v", err)
	}
	if _, err := f.AttrString("/", "energy"); err == nil || !strings.Contains(err.Error(), "stored type is float, want string") {
		t.Errorf("reading a float as string: err = %v", err)
	}
	if _, err := f.AttrFloat64("/", "q"); err == nil || !strings.Contains(err.Error(), "holds 3 values, want 1") {
		t.Errorf("reading 3 values as one: err = %v", err)
	}
	// A bool is an enum of int8 (or a plain int8), nothing wider.
	if v, err := f.AttrBool("/", "sizes"); err == nil {
		t.Errorf("AttrBool of a 2-element attribute = %v, want an error", v)
	}
	if err := f.SetAttrInt64("/", "flag", 2); err != nil {
		t.Fatal(err)
	}
	if v, err := f.AttrBool("/", "flag"); err == nil {
		t.Errorf("AttrBool(int64 2) = %v, want an error", v)
	}
	if _, err := f.AttrInt64("/", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing attribute: err = %v, want ErrNotFound", err)
	}
	if err := f.SetAttrInt64("/nowhere", "x", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("attribute of a missing object: err = %v, want ErrNotFound", err)
	}
	if err := f.SetAttrString("/", "x", "a\x00b"); err == nil {
		t.Error("string with NUL accepted")
	}
	if names, err := f.AttrNames("/nowhere"); !errors.Is(err, ErrNotFound) {
		t.Errorf("AttrNames of a missing object = %v, %v", names, err)
	}
	if err := f.CreateGroup("/bare"); err != nil {
		t.Fatal(err)
	}
	if names, err := f.AttrNames("/bare"); err != nil || names == nil || len(names) != 0 {
		t.Errorf("AttrNames of a bare group = %#v, %v", names, err)
	}
	checkNoOpenObjects(t, f)
}

func TestAppend(t *testing.T) {
	f, _ := newFile(t)
	const n = 1000
	for i := range n {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if err := f.AppendInt64("/log/iteration", int64(i)); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	got, dims, err := f.ReadFloat64("/log/energy")
	if err != nil || !reflect.DeepEqual(dims, []int{n}) {
		t.Fatalf("dims %v, err %v", dims, err)
	}
	for i, v := range got {
		if v != energy(i) {
			t.Fatalf("energy[%d] = %v, want %v", i, v, energy(i))
		}
	}
	it, _, err := f.ReadInt64("/log/iteration")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range it {
		if v != int64(i) {
			t.Fatalf("iteration[%d] = %v", i, v)
		}
	}
	// Several rows at once, and none.
	if err := f.AppendFloat64("/log/energy", 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendFloat64("/log/energy"); err != nil {
		t.Fatal(err)
	}
	if l, err := f.Len("/log/energy"); err != nil || l != n+3 {
		t.Errorf("Len = %d, %v; want %d", l, err, n+3)
	}
	// An empty append creates an empty log.
	if err := f.AppendFloat64("/log/r_hat"); err != nil {
		t.Fatal(err)
	}
	if l, err := f.Len("/log/r_hat"); err != nil || l != 0 {
		t.Errorf("Len of declared log = %d, %v", l, err)
	}
	// An appended log can be overwritten whole and appended again.
	if err := f.WriteFloat64("/log/r_hat", []float64{}); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendFloat64("/log/r_hat", 1.01); err != nil {
		t.Fatal(err)
	}
	checkNoOpenObjects(t, f)
}

func energy(i int) float64 { return -0.5*float64(i) + 0.25 }

func TestAppendErrors(t *testing.T) {
	f, _ := newFile(t)
	if err := f.AppendFloat64("/log/energy", 1); err != nil {
		t.Fatal(err)
	}
	err := f.AppendInt64("/log/energy", 1)
	if want := "h5io: append /log/energy: stored type is float, want int64"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if err := f.WriteFloat64("/fixed", []float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	err = f.AppendFloat64("/fixed", 3)
	if want := "h5io: append /fixed: is not extendable (maximum 2 rows)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if err := f.WriteFloat64("/m", []float64{1, 2, 3, 4}, 2, 2); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendFloat64("/m", 3); err == nil || !strings.Contains(err.Error(), "not one-dimensional") {
		t.Errorf("append to a matrix: err = %v", err)
	}
	if err := f.AppendFloat64("/log", 3); err == nil || !strings.Contains(err.Error(), "h5io: append /log: exists and is not a dataset") {
		t.Errorf("append to a group: err = %v", err)
	}
	err = f.AppendFloat64("/fixed/x", 3)
	if want := "h5io: append /fixed/x: parent /fixed is not a group"; err == nil || err.Error() != want {
		t.Errorf("append below a dataset: err = %v, want %q", err, want)
	}
	if err := f.WriteInt8("/fixed/y/z", []int8{1}); err == nil || !strings.Contains(err.Error(), "parent /fixed is not a group") {
		t.Errorf("write below a dataset: err = %v", err)
	}
	if err := f.CreateGroup("/fixed/g"); err == nil || !strings.Contains(err.Error(), "parent /fixed is not a group") {
		t.Errorf("group below a dataset: err = %v", err)
	}
	if l, err := f.Len("/fixed"); err != nil || l != 2 {
		t.Errorf("failed append changed /fixed: Len = %d, %v", l, err)
	}
	checkNoOpenObjects(t, f)
}

func TestReopenAndAppend(t *testing.T) {
	name := filepath.Join(t.TempDir(), "run.h5")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetAttrInt64("/", "seed", 7); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := f.AppendFloat64("/log/energy", 0); !errors.Is(err, ErrClosed) {
		t.Errorf("append after Close: err = %v", err)
	}
	if err := f.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: err = %v", err)
	}

	f, err = Open(name, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 15; i++ {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
	}
	checkNoOpenObjects(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	f, err = Open(name, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _, err := f.ReadFloat64("/log/energy")
	if err != nil || len(got) != 15 {
		t.Fatalf("got %d rows, %v", len(got), err)
	}
	for i, v := range got {
		if v != energy(i) {
			t.Errorf("energy[%d] = %v", i, v)
		}
	}
	if v, err := f.AttrInt64("/", "seed"); err != nil || v != 7 {
		t.Errorf("seed = %v, %v", v, err)
	}
	if err := f.AppendFloat64("/log/energy", 1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("append to read-only: err = %v", err)
	}
	if err := f.SetAttrInt64("/", "seed", 1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("attribute on read-only: err = %v", err)
	}
	checkNoOpenObjects(t, f)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.h5"), true)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open missing: err = %v", err)
	}
	junk := filepath.Join(dir, "junk.h5")
	if err := os.WriteFile(junk, []byte("not hdf5"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(junk, true)
	if err == nil || !strings.HasPrefix(err.Error(), "h5io: open "+junk+": ") || strings.Contains(err.Error(), "code -1") {
		t.Errorf("open junk: err = %v", err)
	}
	t.Logf("open junk: %v", err)
	_, err = Create(filepath.Join(dir, "no/such/dir/x.h5"))
	if err == nil || !strings.HasPrefix(err.Error(), "h5io: create ") {
		t.Errorf("create in a missing directory: err = %v", err)
	}
	t.Logf("create in a missing directory: %v", err)
}

func TestGroups(t *testing.T) {
	f, _ := newFile(t)
	if err := f.CreateGroup("/checkpoint/chains"); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateGroup("checkpoint/chains/"); err != nil {
		t.Errorf("creating an existing group: %v", err)
	}
	for _, p := range []string{"/", "/checkpoint", "/checkpoint/chains", "checkpoint//chains"} {
		if !f.IsGroup(p) || f.IsDataset(p) {
			t.Errorf("%s: IsGroup %v IsDataset %v", p, f.IsGroup(p), f.IsDataset(p))
		}
	}
	for _, p := range []string{"/nope", "/checkpoint/nope", "/nope/nope/nope", ""} {
		if f.IsGroup(p) || f.IsDataset(p) {
			t.Errorf("%q exists", p)
		}
	}
	if err := f.WriteFloat64("/checkpoint/parameters", []float64{1}); err != nil {
		t.Fatal(err)
	}
	if !f.IsDataset("/checkpoint/parameters") {
		t.Error("IsDataset = false")
	}
	if f.IsDataset("/checkpoint/parameters/x") || f.IsGroup("/checkpoint/parameters/x") {
		t.Error("an object below a dataset")
	}
	if err := f.CreateGroup("/checkpoint/parameters"); err == nil || !strings.Contains(err.Error(), "exists and is not a group") {
		t.Errorf("group over a dataset: err = %v", err)
	}
	if err := f.WriteFloat64("/checkpoint", []float64{1}); err == nil || !strings.Contains(err.Error(), "exists and is not a dataset") {
		t.Errorf("dataset over a group: err = %v", err)
	}
	names, err := f.List("/checkpoint")
	if err != nil || !reflect.DeepEqual(names, []string{"chains", "parameters"}) {
		t.Errorf("List = %v, %v", names, err)
	}
	if _, err := f.List("/checkpoint/parameters"); err == nil {
		t.Error("List of a dataset succeeded")
	}
	if _, err := f.List("/missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("List missing: err = %v", err)
	}

	if _, _, err := f.ReadFloat64("/nope"); !errors.Is(err, ErrNotFound) || err.Error() != "h5io: read /nope: not found" {
		t.Errorf("read missing: err = %v", err)
	}
	checkNoOpenObjects(t, f)
}

// writeSample writes a file with the pieces of the vmc layout that the
// external-tool tests look at.
func writeSample(t *testing.T, f *File) {
	t.Helper()
	params := make([]complex128, 12)
	for k := range params {
		params[k] = complex(0.5*float64(k), -float64(k))
	}
	chains := []int8{1, -1, 1, -1, -1, 1, -1, 1}
	errs := []error{
		f.SetAttrString("/", "program", "vmc"),
		f.SetAttrString("/", "config", "[model]\nkind = \"rbm\" # α ψ\n"),
		f.SetAttrInt64("/", "seed", 1234),
		f.SetAttrBool("/", "sign_rule", true),
		f.SetAttrFloat64s("/", "q", []float64{0, 0.5}),
		f.WriteComplex128("/parameters", params),
		f.WriteInt8("/checkpoint/chains", chains, 2, 4),
		f.WriteUint64("/checkpoint/rng", []uint64{math.MaxUint64, 1}),
		f.WriteFloat64("/lattice/positions", []float64{0, 0, 1, 0, 0, 1}, 3, 2),
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for i := range 100 {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
		if err := f.AppendInt64("/log/iteration", int64(i)); err != nil {
			t.Fatal(err)
		}
	}
}

const pyCheck = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    p = f["parameters"][()]
    assert p.dtype == np.complex128, p.dtype
    k = np.arange(12)
    assert np.array_equal(p, 0.5*k - 1j*k), p
    a = f.attrs
    assert isinstance(a["program"], str) and a["program"] == "vmc", repr(a["program"])
    assert a["config"] == '[model]\nkind = "rbm" # α ψ\n', repr(a["config"])
    assert a["seed"] == 1234 and a["seed"].dtype == np.int64, repr(a["seed"])
    assert a["sign_rule"] is np.True_ or a["sign_rule"] == True, repr(a["sign_rule"])
    assert a["sign_rule"].dtype == np.bool_, a["sign_rule"].dtype
    assert np.array_equal(a["q"], [0, 0.5])
    e = f["log/energy"]
    assert e.maxshape == (None,), e.maxshape
    assert np.array_equal(e[()], -0.5*np.arange(100) + 0.25), e[()]
    assert np.array_equal(f["log/iteration"][()], np.arange(100))
    c = f["checkpoint/chains"]
    assert c.dtype == np.int8 and c.shape == (2, 4), (c.dtype, c.shape)
    assert np.array_equal(c[()], [[1, -1, 1, -1], [-1, 1, -1, 1]])
    r = f["checkpoint/rng"][()]
    assert r.dtype == np.uint64 and r[0] == 2**64 - 1 and r[1] == 1, r
    assert f["lattice/positions"].shape == (3, 2)
print("OK")
`

func TestH5py(t *testing.T) {
	py := testutil.RequireTool(t, "/usr/bin/python3", "-c", "import h5py")
	name := filepath.Join(t.TempDir(), "run.h5")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	writeSample(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", pyCheck, name).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("h5py check: %v\n%s", err, out)
	}

	// And the other way: data written by h5py reads here.
	name2 := filepath.Join(t.TempDir(), "py.h5")
	script := `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["z"] = np.array([1+2j, -3j], dtype=np.complex128)
    f["z64"] = np.array([0.5+0.25j], dtype=np.complex64)
    f["f32"] = np.array([1.5, 2.5], dtype=np.float32)
    f["i32"] = np.array([[1, 2], [3, 4]], dtype=np.int32)
    f["i8"] = np.array([-1, 1], dtype=np.int8)
    f["i64"] = np.array([1, 2], dtype=np.int64)
    f.attrs["s"] = "hello"
    f.attrs["fixed"] = np.bytes_(b"fixed  ")
    f.attrs["b"] = np.bool_(True)
    f.attrs["x"] = 2.5
`
	if out, err := exec.Command(py, "-c", script, name2).CombinedOutput(); err != nil {
		t.Fatalf("h5py write: %v\n%s", err, out)
	}
	g, err := Open(name2, true)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if z, _, err := g.ReadComplex128("/z"); err != nil || !reflect.DeepEqual(z, []complex128{1 + 2i, -3i}) {
		t.Errorf("z = %v, %v", z, err)
	}
	// Types other than the ones written are refused, not converted.
	if z, _, err := g.ReadComplex128("/z64"); err == nil {
		t.Errorf("complex64 read as complex128: %v", z)
	}
	if v, _, err := g.ReadFloat64("/f32"); err == nil || !strings.Contains(err.Error(), "4-byte float, want float64") {
		t.Errorf("float32 read as float64: %v, %v", v, err)
	}
	if v, _, err := g.ReadInt64("/i32"); err == nil {
		t.Errorf("int32 read as int64: %v", v)
	}
	if v, _, err := g.ReadInt8("/i8"); err != nil || !reflect.DeepEqual(v, []int8{-1, 1}) {
		t.Errorf("i8 = %v, %v", v, err)
	}
	if v, _, err := g.ReadUint64("/i8"); err == nil || !strings.Contains(err.Error(), "1-byte integer, want uint64") {
		t.Errorf("int8 read as uint64: %v, %v", v, err)
	}
	if v, _, err := g.ReadUint64("/i64"); err == nil {
		t.Errorf("int64 read as uint64: %v", v)
	}
	if s, err := g.AttrString("/", "s"); err != nil || s != "hello" {
		t.Errorf("s = %q, %v", s, err)
	}
	if s, err := g.AttrString("/", "fixed"); err != nil || s != "fixed  " {
		t.Errorf("fixed = %q, %v", s, err)
	}
	if b, err := g.AttrBool("/", "b"); err != nil || !b {
		t.Errorf("b = %v, %v", b, err)
	}
	if x, err := g.AttrFloat64("/", "x"); err != nil || x != 2.5 {
		t.Errorf("x = %v, %v", x, err)
	}
	checkNoOpenObjects(t, g)
}

// normalize collapses runs of white space, to match h5dump output.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestH5dump(t *testing.T) {
	h5dump := testutil.RequireTool(t, "h5dump")
	h5ls := testutil.RequireTool(t, "h5ls")
	name := filepath.Join(t.TempDir(), "run.h5")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	writeSample(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(h5dump, "-H", name).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump -H: %v\n%s", err, out)
	}
	dump := normalize(string(out))
	for _, want := range []string{
		`DATASET "energy" { DATATYPE H5T_IEEE_F64LE DATASPACE SIMPLE { ( 100 ) / ( H5S_UNLIMITED ) } }`,
		`DATASET "iteration" { DATATYPE H5T_STD_I64LE DATASPACE SIMPLE { ( 100 ) / ( H5S_UNLIMITED ) } }`,
		`DATASET "parameters" { DATATYPE H5T_COMPOUND { H5T_IEEE_F64LE "r"; H5T_IEEE_F64LE "i"; } DATASPACE SIMPLE { ( 12 ) / ( 12 ) } }`,
		`DATASET "chains" { DATATYPE H5T_STD_I8LE DATASPACE SIMPLE { ( 2, 4 ) / ( 2, 4 ) } }`,
		`DATASET "rng" { DATATYPE H5T_STD_U64LE`,
		`ATTRIBUTE "program" { DATATYPE H5T_STRING { STRSIZE H5T_VARIABLE; STRPAD H5T_STR_NULLTERM; CSET H5T_CSET_UTF8; CTYPE H5T_C_S1; } DATASPACE SCALAR }`,
		`ATTRIBUTE "sign_rule" { DATATYPE H5T_ENUM { H5T_STD_I8LE; "FALSE" 0; "TRUE" 1; } DATASPACE SCALAR }`,
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("h5dump -H output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("h5dump -H:\n%s", out)
	}
	out, err = exec.Command(h5dump, "-a", "/program", name).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"vmc"`) {
		t.Errorf("h5dump -a /program: %v\n%s", err, out)
	}
	out, err = exec.Command(h5ls, "-r", name).CombinedOutput()
	if err != nil {
		t.Fatalf("h5ls -r: %v\n%s", err, out)
	}
	ls := normalize(string(out))
	for _, want := range []string{
		"/log/energy Dataset {100/Inf}",
		"/parameters Dataset {12}",
		"/checkpoint/chains Dataset {2, 4}",
	} {
		if !strings.Contains(ls, want) {
			t.Errorf("h5ls -r output lacks %q:\n%s", want, out)
		}
	}
}

// TestLiveReader reads the file with h5py while the writer holds it open.
func TestLiveReader(t *testing.T) {
	py := testutil.RequireTool(t, "/usr/bin/python3", "-c", "import h5py")
	f, name := newFile(t)
	read := func(env ...string) (string, error) {
		cmd := exec.Command(py, "-c", `
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    e = f["log/energy"][()]
    print(len(e), e[-1], f.attrs["program"])
`, name)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if err := f.SetAttrString("/", "program", "vmc"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	out, err := read("HDF5_USE_FILE_LOCKING=FALSE")
	if err != nil || out != fmt.Sprint(10, " ", energy(9), " vmc") {
		t.Fatalf("reader after first flush: %v: %s", err, out)
	}
	for i := 10; i < 25; i++ {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	out, err = read("HDF5_USE_FILE_LOCKING=FALSE")
	if err != nil || out != fmt.Sprint(25, " ", energy(24), " vmc") {
		t.Fatalf("reader after second flush: %v: %s", err, out)
	}
	// Without the variable, HDF5's lock keeps readers out.
	out, err = read("HDF5_USE_FILE_LOCKING=TRUE")
	lines := strings.Split(out, "\n")
	t.Logf("reader with file locking: err %v: %s", err, lines[len(lines)-1])
	if err == nil {
		t.Log("note: the reader was not locked out (file locking unsupported on this file system?)")
	}
}

// TestCrashKeepsFlushedData kills a writer with SIGKILL after a Flush and
// checks that the file still opens with every flushed row.
func TestCrashKeepsFlushedData(t *testing.T) {
	if os.Getenv("H5IO_CRASH_CHILD") != "" {
		t.Skip("child")
	}
	name := filepath.Join(t.TempDir(), "crash.h5")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "H5IO_CRASH_CHILD="+name)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if sc.Text() == "READY" {
				ok = true
				break
			}
		}
		ready <- ok
		for sc.Scan() {
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			_ = cmd.Wait()
			t.Fatal("child exited before READY")
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("child timed out")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	f, err := Open(name, false)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer f.Close()
	got, _, err := f.ReadFloat64("/log/energy")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 200 {
		t.Fatalf("%d rows survived, want at least the 200 flushed", len(got))
	}
	for i, v := range got {
		if v != energy(i) {
			t.Fatalf("energy[%d] = %v, want %v", i, v, energy(i))
		}
	}
	t.Logf("%d rows survived (200 flushed, 50 more appended unflushed)", len(got))
	if s, err := f.AttrString("/", "program"); err != nil || s != "vmc" {
		t.Errorf("program = %q, %v", s, err)
	}
}

// TestCrashChild is the writer of TestCrashKeepsFlushedData.
func TestCrashChild(t *testing.T) {
	name := os.Getenv("H5IO_CRASH_CHILD")
	if name == "" {
		t.Skip("run by TestCrashKeepsFlushedData")
	}
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetAttrString("/", "program", "vmc"); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
		if i%20 == 19 {
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 200; i < 250; i++ {
		if err := f.AppendFloat64("/log/energy", energy(i)); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("READY")
	time.Sleep(time.Minute) // killed long before
}

func TestNoLeakOnErrors(t *testing.T) {
	f, _ := newFile(t)
	for range 3 {
		_ = f.WriteFloat64("/d", []float64{1, 2})
		_, _, _ = f.ReadInt64("/nope")
		_, _, _ = f.ReadComplex128("/d")
		_ = f.AppendInt64("/d", 1)
		_ = f.AppendFloat64("/d/x", 1)
		_, _ = f.AttrInt64("/d", "nope")
		_ = f.SetAttrString("/d", "s", "x")
		_, _ = f.AttrFloat64("/d", "s")
		_, _ = f.AttrString("/nope", "s")
		_, _ = f.AttrNames("/d")
		_, _ = f.List("/")
		_, _ = f.List("/d")
		_ = f.CreateGroup("/d")
		_, _ = f.Shape("/nope")
		_ = f.IsDataset("/d/x")
	}
	checkNoOpenObjects(t, f)
}

// BenchmarkLogIteration measures the cost of logging one VMC iteration:
// eight float64 scalars and the iteration number, with and without the
// Flush that makes them durable.
func BenchmarkLogIteration(b *testing.B) {
	cols := []string{"energy", "energy_error", "variance", "acceptance", "tau_corr", "r_hat", "wall_seconds", "energy_per_site"}
	for _, flush := range []bool{false, true} {
		b.Run(fmt.Sprintf("flush=%v", flush), func(b *testing.B) {
			f, _ := newFile(b)
			paths := make([]string, len(cols))
			for i, c := range cols {
				paths[i] = "/log/" + c
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := f.AppendInt64("/log/iteration", int64(i)); err != nil {
					b.Fatal(err)
				}
				for j, p := range paths {
					if err := f.AppendFloat64(p, float64(i+j)); err != nil {
						b.Fatal(err)
					}
				}
				if flush {
					if err := f.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkAppendFloat64 measures one AppendFloat64 call.
func BenchmarkAppendFloat64(b *testing.B) {
	f, _ := newFile(b)
	for i := 0; i < b.N; i++ {
		if err := f.AppendFloat64("/log/energy", float64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleFile() {
	dir, err := os.MkdirTemp("", "h5io")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	f, err := Create(filepath.Join(dir, "run.h5"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	check(f.SetAttrString("/", "program", "vmc"))
	check(f.WriteComplex128("/parameters", []complex128{1 + 2i, 3 - 4i}))
	for it, e := range []float64{-1.5, -1.75, -1.8} {
		check(f.AppendInt64("/log/iteration", int64(it)))
		check(f.AppendFloat64("/log/energy", e))
		check(f.Flush()) // every row on disk before the next iteration
	}

	e, dims, err := f.ReadFloat64("/log/energy")
	check(err)
	p, _, err := f.ReadComplex128("/parameters")
	check(err)
	fmt.Println(e, dims, p)
	_, _, err = f.ReadFloat64("/log/missing")
	fmt.Println(err, errors.Is(err, ErrNotFound))
	// Output:
	// [-1.5 -1.75 -1.8] [3] [(1+2i) (3-4i)]
	// h5io: read /log/missing: not found true
}
