package run

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/vmc-lattice/vmc/internal/mpi"
	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/vmc"
)

// distConfig has 5 chains, so that 2 and 3 ranks get blocks of unequal
// length, and observables, so that rank 0's extra work is exercised.
const distConfig = `
seed = 7
[lattice]
kind = "chain"
extent = [8]
[hamiltonian]
kind = "heisenberg"
[ansatz]
alpha = 1
[sampler]
chains = 5
samples = 60
burn_in = 4
[optimizer]
iterations = 6
[evaluate]
samples = 100
[observables]
correlations = "distance"
[output]
checkpoint_every = 2
`

// runRanks runs one Job per rank of an in-process communicator (each rank
// a goroutine with its own Problem and Engine, as MPI processes would be)
// and returns every rank's summary and error. resume, when not empty, is
// the run file to continue; cancelAt, when ≥ 0, cancels the context of
// the last rank only after that iteration.
func runRanks(t *testing.T, ranks, threads int, out, resume string, cancelAt int) ([]*Summary, []error) {
	t.Helper()
	comms := mpi.NewLocal(ranks)
	sums := make([]*Summary, ranks)
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := Options{Threads: threads, Comm: c, Force: true}
			if cancelAt >= 0 && r == ranks-1 {
				o.AfterStep = func(it int) {
					if it == cancelAt {
						cancel()
					}
				}
			}
			var job *Job
			var err error
			if resume != "" {
				job, err = Resume(resume, nil, o)
			} else {
				var p *Problem
				if p, err = Parse("dist.toml", []byte(distConfig), nil); err == nil {
					job, err = New(p, out, o)
				}
			}
			if err != nil {
				errs[r] = err
				return
			}
			sums[r], errs[r] = job.Run(ctx)
		})
	}
	wg.Wait()
	return sums, errs
}

// sameRuns compares two finished run files bit for bit: every log column
// except the wall time, the result, the parameters and the checkpoint.
func sameRuns(a, b *runfile.Run) error {
	bits := math.Float64bits
	if len(a.Log) != len(b.Log) {
		return fmt.Errorf("%d vs %d log rows", len(a.Log), len(b.Log))
	}
	for i := range a.Log {
		x, y := a.Log[i], b.Log[i]
		x.WallSeconds, y.WallSeconds = 0, 0
		if fmt.Sprintf("%#v", x) != fmt.Sprintf("%#v", y) {
			return fmt.Errorf("log row %d: %+v vs %+v", i, x, y)
		}
	}
	if a.Result == nil || b.Result == nil {
		return errors.New("no result")
	}
	if bits(a.Result.Energy) != bits(b.Result.Energy) || bits(a.Result.EnergyError) != bits(b.Result.EnergyError) || bits(a.Result.Variance) != bits(b.Result.Variance) {
		return fmt.Errorf("result %+v vs %+v", *a.Result, *b.Result)
	}
	if !slices.Equal(a.Parameters, b.Parameters) || !slices.Equal(a.Checkpoint.Params, b.Checkpoint.Params) {
		return errors.New("parameters differ")
	}
	sa, sb := a.Checkpoint.Sampler, b.Checkpoint.Sampler
	for c := range sa.Configs {
		if !slices.Equal(sa.Configs[c], sb.Configs[c]) || !slices.Equal(sa.RNG[c], sb.RNG[c]) {
			return fmt.Errorf("chain %d of the checkpoint differs", c)
		}
	}
	if len(a.Observables) != len(b.Observables) {
		return errors.New("observables differ")
	}
	for k := range a.Observables {
		if !slices.Equal(a.Observables[k].Mean, b.Observables[k].Mean) {
			return fmt.Errorf("observable %s differs", a.Observables[k].Name)
		}
	}
	return nil
}

// TestRanksIdentical runs the same configuration on one process and on 2
// and 3 in-process ranks (5 chains: unequal blocks) and requires the run
// files to agree bit for bit; then a 2-rank run stopped by a cancel on its
// last rank only (all ranks must stop after the same iteration, with a
// checkpoint) is resumed on 3 ranks and must end as the uninterrupted run.
func TestRanksIdentical(t *testing.T) {
	dir := t.TempDir()
	read := func(path string) *runfile.Run {
		t.Helper()
		r, err := runfile.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ref := filepath.Join(dir, "ref.h5")
	sums, errs := runRanks(t, 1, 2, ref, "", -1)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	want := read(ref)
	if sums[0].Ranks != 0 {
		t.Errorf("one process reports %d ranks, want the key omitted", sums[0].Ranks)
	}
	for _, tc := range []struct{ ranks, threads int }{{2, 1}, {3, 2}} {
		out := filepath.Join(dir, fmt.Sprintf("r%d.h5", tc.ranks))
		sums, errs := runRanks(t, tc.ranks, tc.threads, out, "", -1)
		for r, err := range errs {
			if err != nil {
				t.Fatalf("%d ranks: rank %d: %v", tc.ranks, r, err)
			}
			if math.Float64bits(sums[r].Energy) != math.Float64bits(want.Result.Energy) || sums[r].Ranks != tc.ranks {
				t.Errorf("%d ranks: rank %d: summary energy %v (ranks %d), want %v", tc.ranks, r, sums[r].Energy, sums[r].Ranks, want.Result.Energy)
			}
		}
		if err := sameRuns(want, read(out)); err != nil {
			t.Errorf("%d ranks × %d threads vs one process: %v", tc.ranks, tc.threads, err)
		}
	}

	out := filepath.Join(dir, "resumed.h5")
	_, errs = runRanks(t, 2, 1, out, "", 2)
	for r, err := range errs {
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("interrupted 2-rank run: rank %d returned %v, want ErrInterrupted", r, err)
		}
	}
	if ck := read(out).Checkpoint; ck == nil || ck.Iteration != 3 {
		t.Fatalf("interrupted run: checkpoint %+v, want iteration 3", ck)
	}
	_, errs = runRanks(t, 3, 1, "", out, -1)
	for r, err := range errs {
		if err != nil {
			t.Fatalf("resume on 3 ranks: rank %d: %v", r, err)
		}
	}
	if err := sameRuns(want, read(out)); err != nil {
		t.Errorf("2 ranks interrupted, resumed on 3 vs one process: %v", err)
	}
}

// TestRanksDiverged makes rank 1 see a slightly different batch (as a node
// with other rounding would compute a different step): every rank must
// stop with the same error at the first iteration, not run on apart.
func TestRanksDiverged(t *testing.T) {
	comms := mpi.NewLocal(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Go(func() {
			o := Options{Threads: 1, Comm: c, Force: true}
			if r == 1 {
				o.BatchHook = func(iter, attempt int, b *vmc.Batch) { b.E[0] += 1e-9 }
			}
			p, err := Parse("dist.toml", []byte(distConfig), []string{"ed.mode=\"off\""})
			if err != nil {
				errs[r] = err
				return
			}
			job, err := New(p, filepath.Join(t.TempDir(), "d.h5"), o)
			if err != nil {
				errs[r] = err
				return
			}
			_, errs[r] = job.Run(context.Background())
		})
	}
	wg.Wait()
	for r, err := range errs {
		if !errors.Is(err, errDiverged) {
			t.Errorf("rank %d: %v, want the divergence error", r, err)
		}
	}
}
