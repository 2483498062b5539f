package ed

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// cancelCase is one Solve configuration of the cancellation tests, with
// the results of Solve before contexts were added (commit 3389c15): the
// float64 bits of the energies, the number of products and the FNV-1a hash
// of the bits of the ground-state vector (the hash of nothing without
// Options.Vector).
type cancelCase struct {
	name    string
	op      hamiltonian.Operator
	nUp     int
	opt     Options
	bits    []uint64
	matvecs int
	vecHash uint64
}

func cancelCases(t testing.TB) []cancelCase {
	sym := chainSym(t, 16, 1)
	tfi := mustIsing(t, mustLattice(t, lattice.Chain, []int{10}), hamiltonian.IsingParams{J: 1, H: 1})
	const noVec = 0xcbf29ce484222325
	return []cancelCase{
		{"lanczos N=14 K=3 vector", chainHeisenberg(t, 14, 0), 7, Options{K: 3, Vector: true, Threads: 2},
			[]uint64{0xc0190ddfedcdd7a6, 0xc017d3660281cc1f, 0xc016fe04242a3eb2}, 304, 0xf0f699fb858d93f7},
		{"thick-restart N=14 J2=0.3 K=2", chainHeisenberg(t, 14, 0.3), 7, Options{K: 2, Method: ThickRestart, Threads: 2},
			[]uint64{0xc0162b9a0b551346, 0xc0155f77a0421fb4}, 126, noVec},
		{"matrix-free N=12 K=2", chainHeisenberg(t, 12, 0), 6, Options{K: 2, Product: ProductMatrixFree, Threads: 2},
			[]uint64{0xc0158cb03464c748, 0xc014204ce9fde9c4}, 126, noVec},
		{"dense N=8 K=4", chainHeisenberg(t, 8, 0), 4, Options{K: 4},
			[]uint64{0xc00d3570761035e5, 0xc009070092fb29c5, 0xc00598d6a481a0d9, 0xc003ab7f1868f3f1}, 70, noVec},
		{"momentum N=16 k=π K=2", chainHeisenberg(t, 16, 0), 8, Options{K: 2, Symmetry: &sym, Threads: 2},
			[]uint64{0xc01b7d098878d41d, 0xc01ac943ba855560}, 105, noVec},
		{"ising N=10 full space K=2", tfi, Unconstrained, Options{K: 2, Threads: 2},
			[]uint64{0xc02991df41de341a, 0xc029414813ba662c}, 146, noVec},
	}
}

func vectorHash(v []float64) uint64 {
	h := fnv.New64a()
	for _, x := range v {
		h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
	}
	return h.Sum64()
}

// TestSolveContextUnchanged checks that a solve with a live context gives
// bit for bit the results of Solve, and, on amd64 (other architectures may
// fuse multiply-adds in the Go code), the results recorded before
// cancellation existed.
func TestSolveContextUnchanged(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for ci, tc := range cancelCases(t) {
		plain, err := Solve(tc.op, tc.nUp, tc.opt)
		if err != nil {
			t.Fatalf("case %d %s: %v", ci, tc.name, err)
		}
		withCtx, err := SolveContext(ctx, tc.op, tc.nUp, tc.opt)
		if err != nil {
			t.Fatalf("case %d %s: %v", ci, tc.name, err)
		}
		for k := range plain.Energies {
			if a, b := math.Float64bits(plain.Energies[k]), math.Float64bits(withCtx.Energies[k]); a != b {
				t.Errorf("case %d %s: E_%d = %#x with a context, %#x without", ci, tc.name, k, b, a)
			}
		}
		if a, b := vectorHash(plain.Vector), vectorHash(withCtx.Vector); a != b || plain.MatVecs != withCtx.MatVecs {
			t.Errorf("case %d %s: vector hash %#x, %d products with a context; %#x, %d without",
				ci, tc.name, b, withCtx.MatVecs, a, plain.MatVecs)
		}
		if runtime.GOARCH != "amd64" {
			continue
		}
		for k, want := range tc.bits {
			if got := math.Float64bits(withCtx.Energies[k]); got != want {
				t.Errorf("case %d %s: E_%d bits %#x, recorded %#x", ci, tc.name, k, got, want)
			}
		}
		if got := vectorHash(withCtx.Vector); got != tc.vecHash || withCtx.MatVecs != tc.matvecs {
			t.Errorf("case %d %s: vector hash %#x, %d products; recorded %#x, %d",
				ci, tc.name, got, withCtx.MatVecs, tc.vecHash, tc.matvecs)
		}
	}
}

// TestSolveContextCanceledBefore: an already cancelled context stops every
// kind of solve before any product.
func TestSolveContextCanceledBefore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for ci, tc := range cancelCases(t) {
		res, err := SolveContext(ctx, tc.op, tc.nUp, tc.opt)
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("case %d %s: result %v, error %v; want context.Canceled", ci, tc.name, res != nil, err)
		}
	}
}

// TestNilContextPanics: a nil context is a programming error.
func TestNilContextPanics(t *testing.T) {
	op := chainHeisenberg(t, 8, 0)
	a, err := NewCSR(op, mustBasis(t, 8, 4), 1)
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	for i, f := range []func(){
		func() { SolveContext(nilCtx, op, 4, Options{}) },
		func() { LowestContext(nilCtx, a, 1, nil) },
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.HasPrefix(msg, "ed: ") {
					t.Errorf("%d: panic %q, want one starting with \"ed: \"", i, msg)
				}
			}()
			f()
		}()
	}
}

// cancelAt is a Matrix that cancels its context during product number at.
type cancelAt struct {
	Matrix
	at     int
	calls  int
	cancel context.CancelFunc
}

func (m *cancelAt) MulVec(dst, src []float64) {
	m.Matrix.MulVec(dst, src)
	m.calls++
	if m.calls == m.at {
		m.cancel()
	}
}

// TestLowestContextStopsBetweenProducts cancels the context during a given
// product, in the first and second pass of plain Lanczos, in later
// (deflated) runs, in thick restart and in the dense solver: at most the
// explicit residual check of a finished run follows the cancelling
// product.
func TestLowestContextStopsBetweenProducts(t *testing.T) {
	a12, err := NewCSR(chainHeisenberg(t, 12, 0), mustBasis(t, 12, 6), 2)
	if err != nil {
		t.Fatal(err)
	}
	a10, err := NewCSR(chainHeisenberg(t, 10, 0), mustBasis(t, 10, 5), 2)
	if err != nil {
		t.Fatal(err)
	}
	for ci, set := range []Settings{
		{Method: Lanczos},
		{Method: Lanczos, NoVectors: true},
		{Method: ThickRestart, BasisSize: 12},
		{Method: Dense},
	} {
		const k = 2
		var a Matrix = a12
		if set.Method == Dense {
			a = a10 // 252 columns
		}
		full := &cancelAt{Matrix: a, cancel: func() {}}
		if _, err := Lowest(full, k, &set); err != nil {
			t.Fatalf("case %d (%s): %v", ci, set.Method, err)
		}
		for _, at := range []int{1, full.calls / 3, full.calls / 2, full.calls - 2} {
			ctx, cancel := context.WithCancel(context.Background())
			m := &cancelAt{Matrix: a, at: at, cancel: cancel}
			res, err := LowestContext(ctx, m, k, &set)
			if !errors.Is(err, context.Canceled) || res != nil {
				t.Errorf("case %d (%s) cancelled at product %d of %d: result %v, error %v",
					ci, set.Method, at, full.calls, res != nil, err)
			}
			if m.calls > at+1 {
				t.Errorf("case %d (%s) cancelled at product %d: %d products", ci, set.Method, at, m.calls)
			}
			cancel()
		}
	}
}

// cancelOp is an operator that cancels a context at its at-th Connected
// call and counts the calls.
type cancelOp struct {
	hamiltonian.Operator
	at     int64
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (o *cancelOp) Connected(x []int8, visit func(flips []int, mel float64)) {
	if o.calls.Add(1) == o.at {
		o.cancel()
	}
	o.Operator.Connected(x, visit)
}

// TestSolveContextStopsBuild cancels during the construction of the CSR
// matrix (S^z sector and momentum sector) and of the matrix-free products:
// at most the blocks of rows in progress are finished.
func TestSolveContextStopsBuild(t *testing.T) {
	defer func(b int) { rowBlock = b }(rowBlock)
	rowBlock = 64
	const threads = 2
	sym := chainSym(t, 16, 0)
	for ci, opt := range []Options{
		{Product: ProductCSR},
		{Product: ProductMatrixFree},
		{Symmetry: &sym},
	} {
		opt.Threads = threads
		ctx, cancel := context.WithCancel(context.Background())
		// NewPlan calls Connected on nnzSamples rows first.
		at := int64(nnzSamples + 500)
		op := &cancelOp{Operator: chainHeisenberg(t, 16, 0), at: at, cancel: cancel}
		res, err := SolveContext(ctx, op, 8, opt)
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("case %d: result %v, error %v; want context.Canceled", ci, res != nil, err)
		}
		if calls := op.calls.Load(); calls > at+threads*int64(rowBlock) {
			t.Errorf("case %d: %d calls of Connected, cancelled at %d", ci, calls, at)
		}
		cancel()
	}
}

// cancelLatency bounds the time from cancelling to the return of a solve.
// A block of 4096 rows or one product of an N = 24 sector takes tens of
// milliseconds; the bound leaves room for a loaded machine and -race.
const cancelLatency = time.Second

// TestSolveContextPrompt cancels a solve of the Heisenberg chain N = 24
// (S^z = 0, several seconds) while the matrix is built, and a Lanczos run
// on N = 20 that cannot converge (Tol below rounding) by a deadline.
func TestSolveContextPrompt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // time.Now().UnixNano() at cancel
	time.AfterFunc(200*time.Millisecond, func() {
		cancelled.Store(time.Now().UnixNano())
		cancel()
	})
	res, err := SolveContext(ctx, chainHeisenberg(t, 24, 0), 12, Options{Threads: 2, Product: ProductCSR})
	lat := time.Duration(time.Now().UnixNano() - cancelled.Load())
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("N=24: result %v, error %v; want context.Canceled", res != nil, err)
	}
	t.Logf("N=24: returned %v after the cancel (%v)", lat, err)
	if lat > cancelLatency {
		t.Errorf("N=24: returned %v after the cancel, want ≤ %v", lat, cancelLatency)
	}

	a, err := NewCSR(chainHeisenberg(t, 20, 0), mustBasis(t, 20, 10), 2)
	if err != nil {
		t.Fatal(err)
	}
	const deadline = 100 * time.Millisecond
	ctx2, cancel2 := context.WithTimeout(context.Background(), deadline)
	defer cancel2()
	t0 := time.Now()
	eig, err := LowestContext(ctx2, a, 1, &Settings{Tol: 1e-17, Threads: 2})
	lat = time.Since(t0) - deadline
	if !errors.Is(err, context.DeadlineExceeded) || eig != nil {
		t.Fatalf("N=20 Lanczos: result %v, error %v; want context.DeadlineExceeded", eig != nil, err)
	}
	t.Logf("N=20 Lanczos: returned %v after the deadline (%v)", lat, err)
	if lat > cancelLatency {
		t.Errorf("N=20 Lanczos: returned %v after the deadline, want ≤ %v", lat, cancelLatency)
	}
}
