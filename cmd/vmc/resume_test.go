package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/run"
)

// variants are the optimizer and sampler set-ups whose state a checkpoint
// must carry: SR with Metropolis chains (RNG, configurations, burn-in),
// Adam (moments), SR with SPRING momentum (the previous direction), and
// exact summation (no chains), with a real RBM.
var variants = []struct {
	name string
	sets []string
}{
	{"sr", nil},
	{"adam", []string{`optimizer.kind="adam"`, "optimizer.learning_rate=0.01"}},
	{"spring", []string{"optimizer.momentum=0.9"}},
	{"exact-real", []string{"sampler.exact=true", `ansatz.dtype="real"`, `optimizer.kind="sgd"`}},
}

// runIn runs vmc in-process and fails the test unless it exits with 0.
func runIn(t *testing.T, args ...string) {
	t.Helper()
	if code, _, stderr := vmcRun(t, args...); code != exitOK {
		t.Fatalf("vmc %s: code %d\n%s", strings.Join(args, " "), code, stderr)
	}
}

func setArgs(sets []string) []string {
	var a []string
	for _, s := range sets {
		a = append(a, "--set", s)
	}
	return a
}

func readRunFile(t *testing.T, path string) *runfile.Run {
	t.Helper()
	r, err := runfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameRun fails unless the two runs computed the same numbers, bit for
// bit: every log column but the wall time, the parameters, the final
// checkpoint and the final result.
func sameRun(t *testing.T, got, want *runfile.Run) {
	t.Helper()
	if len(got.Log) != len(want.Log) {
		t.Fatalf("%d log rows, want %d", len(got.Log), len(want.Log))
	}
	for i := range want.Log {
		g, w := got.Log[i], want.Log[i]
		g.WallSeconds, w.WallSeconds = 0, 0
		if fmt.Sprintf("%v", g) != fmt.Sprintf("%v", w) { // %v: NaN prints equal to NaN
			t.Fatalf("log row %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if fmt.Sprint(got.Parameters) != fmt.Sprint(want.Parameters) {
		t.Errorf("final parameters differ")
	}
	gc, wc := got.Checkpoint, want.Checkpoint
	if gc.Iteration != wc.Iteration || fmt.Sprint(gc.Params) != fmt.Sprint(wc.Params) ||
		fmt.Sprint(gc.Driver) != fmt.Sprint(wc.Driver) || (gc.Sampler == nil) != (wc.Sampler == nil) ||
		(gc.Sampler != nil && fmt.Sprint(*gc.Sampler) != fmt.Sprint(*wc.Sampler)) {
		t.Errorf("final checkpoints differ (iterations %d and %d)", gc.Iteration, wc.Iteration)
	}
	if got.Result == nil || want.Result == nil {
		t.Fatal("a run has no result")
	}
	gr, wr := got.Result, want.Result
	if gr.Energy != wr.Energy || gr.EnergyError != wr.EnergyError || gr.Variance != wr.Variance || gr.Iterations != wr.Iterations {
		t.Errorf("results differ: %v ± %v (var %v) vs %v ± %v (var %v)", gr.Energy, gr.EnergyError, gr.Variance, wr.Energy, wr.EnergyError, wr.Variance)
	}
}

// TestResumeBitIdentical: a run of 2k iterations equals a run of k
// iterations resumed for k more, whether the first part ended normally
// (iterations = k, then --resume with iterations = 2k) or was interrupted
// after k iterations (the signal path, in-process), with another thread
// count for the second part.
func TestResumeBitIdentical(t *testing.T) {
	const k = 10
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "small.toml", smallConfig)
			iters2k := fmt.Sprintf("optimizer.iterations=%d", 2*k)
			full := filepath.Join(dir, "full.h5")
			runIn(t, append([]string{"run", cfg, "--quiet", "--out", full, "--set", iters2k}, setArgs(v.sets)...)...)
			want := readRunFile(t, full)

			// k iterations, then --resume with 2k.
			split := filepath.Join(dir, "split.h5")
			runIn(t, append([]string{"run", cfg, "--quiet", "--out", split, "--set", fmt.Sprintf("optimizer.iterations=%d", k)}, setArgs(v.sets)...)...)
			runIn(t, "run", "--quiet", "--resume", split, "--threads", "1", "--set", iters2k)
			got := readRunFile(t, split)
			sameRun(t, got, want)
			if got.Meta.Resumes != 1 || !strings.Contains(got.Meta.Config, "iterations = 20") {
				t.Errorf("resumed file: resumes %d, config\n%s", got.Meta.Resumes, got.Meta.Config)
			}

			// Interrupted after k iterations.
			stopped := filepath.Join(dir, "stopped.h5")
			p, err := run.Parse(cfg, []byte(smallConfig), append([]string{iters2k}, v.sets...))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			job, err := run.New(p, stopped, run.Options{Threads: 2, AfterStep: func(it int) {
				if it == k-1 {
					cancel()
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = job.Run(ctx)
			if !errors.Is(err, errInterrupted) {
				t.Fatalf("interrupted run: %v, want errInterrupted", err)
			}
			mid := readRunFile(t, stopped)
			if mid.Checkpoint == nil || mid.Checkpoint.Iteration != k || len(mid.Log) != k || mid.Result != nil {
				t.Fatalf("after the interrupt: checkpoint %v, %d rows, result %v", mid.Checkpoint, len(mid.Log), mid.Result)
			}
			runIn(t, "run", "--quiet", "--resume", stopped, "--threads", "1")
			sameRun(t, readRunFile(t, stopped), want)
		})
	}
}

// vmcProcess starts the test binary as vmc with args.
func vmcProcess(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VMC_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, bufio.NewScanner(stderr)
}

// waitFor reads stderr until a line starts with prefix, then drains the
// rest in the background into lines.
func waitFor(t *testing.T, sc *bufio.Scanner, prefix string) <-chan string {
	t.Helper()
	found := make(chan bool, 1)
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		ok := false
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if !ok && strings.HasPrefix(sc.Text(), prefix) {
				ok = true
				found <- true
			}
		}
		if !ok {
			found <- false
		}
		rest <- b.String()
	}()
	select {
	case ok := <-found:
		if !ok {
			t.Fatalf("vmc exited before printing %q:\n%s", prefix, <-rest)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("vmc printed no %q in 60 s", prefix)
	}
	return rest
}

// TestSignalCheckpoint: SIGINT or SIGTERM in the middle of a run gives exit
// code 130, a complete checkpoint in the main file (after the last logged
// iteration) and no companion; the resumed run equals an uninterrupted
// one.
func TestSignalCheckpoint(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "small.toml", smallConfig)
			out := filepath.Join(dir, "run.h5")
			// Many iterations: the run is still going when the signal comes;
			// no periodic checkpoint: the one in the file is the signal's.
			cmd, sc := vmcProcess(t, "run", cfg, "--out", out, "--set", "optimizer.iterations=10000000", "--set", "output.checkpoint_every=0")
			rest := waitFor(t, sc, "iter ")
			time.Sleep(100 * time.Millisecond)
			if sig == syscall.SIGINT && os.Getenv("HDF5_USE_FILE_LOCKING") != "FALSE" {
				// While it runs, analyze shows the companion's checkpoint and
				// --resume refuses to take the file over.
				code, stdout, stderr := vmcRun(t, "analyze", out, "--json")
				if code != exitOK || oneJSON(t, stdout)["read_from"] != runfile.CompanionPath(out) || !strings.Contains(stderr, "being written by a running vmc") {
					t.Errorf("analyze of a live run: code %d, stdout %s, stderr %s", code, stdout, stderr)
				}
				code, _, stderr = vmcRun(t, "run", "--resume", out)
				if code != exitFailed || !strings.Contains(stderr, "a running vmc is writing it") {
					t.Errorf("--resume of a live run: code %d, stderr %s", code, stderr)
				}
				// The command itself (a process of its own) reads the live
				// file, not the companion: at least the checkpoint written at
				// the start (log rows may still be held back for a later
				// flush when iterations are this fast).
				live := exec.Command(os.Args[0], "analyze", out, "--json")
				live.Env = append(os.Environ(), "VMC_TEST_MAIN=1")
				liveOut, err := live.Output()
				if err != nil {
					t.Errorf("vmc analyze of a live run (own process): %v", err)
				} else if s := oneJSON(t, string(liveOut)); s["read_from"] != out || s["status"] != "running" || s["checkpoint_iteration"] == nil {
					t.Errorf("vmc analyze of a live run (own process): %s", liveOut)
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			// Read stderr to its end before Wait, which closes the pipe.
			stderr := <-rest
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want code %d\n%s", err, exitInterrupted, stderr)
			}
			if !strings.Contains(stderr, "vmc: interrupted; state saved") || !strings.Contains(stderr, "--resume "+out) {
				t.Errorf("stderr:\n%s", stderr)
			}
			if _, err := os.Stat(runfile.CompanionPath(out)); err == nil {
				t.Error("the companion survived a clean interrupt")
			}
			r := readRunFile(t, out)
			if r.Checkpoint == nil || r.Checkpoint.Iteration != len(r.Log) || len(r.Log) == 0 || r.Result != nil {
				t.Fatalf("after %v: checkpoint %v, %d log rows, result %v", sig, r.Checkpoint != nil, len(r.Log), r.Result)
			}
			k := r.Checkpoint.Iteration
			t.Logf("stopped at iteration %d", k)
			// Finish with 3 more iterations, and compare with a run of k+3.
			iters := "optimizer.iterations=" + strconv.Itoa(k+3)
			runIn(t, "run", "--quiet", "--resume", out, "--set", iters)
			full := filepath.Join(dir, "full.h5")
			runIn(t, "run", cfg, "--quiet", "--out", full, "--set", iters)
			sameRun(t, readRunFile(t, out), readRunFile(t, full))
		})
	}
}

// h5pyCheck is run on the file that --resume will use after a kill.
const h5pyCheck = `
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["log/energy"][:]
ck = f["checkpoint"][f["checkpoint"].attrs["current"]]
p = ck["parameters"][:]
assert p.dtype == np.complex128
assert isinstance(f.attrs["config"], str)
assert len(e) >= int(ck.attrs["iteration"])
print(len(e))
`

// TestKillResume kills a run with SIGKILL a few times over, resuming it
// after each kill: at a random moment; while the companion is being
// written (its temporary file exists); and at a random moment followed by
// tearing the main file (cut to half its size, as a kill in the middle of
// an HDF5 flush might leave it). Each time the file that --resume picks
// reads in h5py, and the finished run equals an uninterrupted one bit for
// bit. The run checkpoints every iteration and computes little, so most
// kills land while something is being written.
func TestKillResume(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "run.h5")
	// 2000 iterations take about 2 s here: every kill below (at most
	// 150 ms into a process) lands before the run ends.
	sets := []string{"--set", "optimizer.iterations=2000", "--set", "output.checkpoint_every=1", "--set", "sampler.samples=16"}
	py, pyErr := exec.LookPath("/usr/bin/python3")
	if pyErr == nil && exec.Command(py, "-c", "import h5py").Run() != nil {
		pyErr = errors.New("no h5py")
	}
	if pyErr != nil {
		msg := "h5py unavailable: install python3-h5py (scripts/deps.sh)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Log(msg, "; skipping the h5py checks")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	started, last := false, -1
	resumes := 0 // kills after which a checkpoint was resumed from
	for cycle := range 6 {
		mode := []string{"random", "companion", "torn"}[cycle%3]
		args := append([]string{"run", cfg, "--quiet", "--out", out, "--force"}, sets...)
		if started {
			args = []string{"run", "--quiet", "--resume", out}
		}
		cmd, _ := vmcProcess(t, args...)
		switch mode {
		case "companion":
			// The third write of the companion by this process (a resume
			// writes it, and the first checkpoint after it at once).
			tmp := runfile.CompanionPath(out) + ".tmp"
			seen, present := 0, false
			for deadline := time.Now().Add(5 * time.Second); seen < 3 && time.Now().Before(deadline); {
				_, err := os.Stat(tmp)
				if now := err == nil; now != present {
					present = now
					if now {
						seen++
					}
				}
				if seen < 3 {
					time.Sleep(20 * time.Microsecond)
				}
			}
		default:
			time.Sleep(time.Duration(30+rng.IntN(120)) * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if err == nil || !errors.As(err, &ee) {
			// A finished run has a complete file and no companion: killing
			// and tearing later processes would test nothing more.
			t.Logf("cycle %d: the run finished before the kill (%v)", cycle, err)
			started = true
			break
		}
		tmp := ""
		for _, p := range []string{out + ".tmp", runfile.CompanionPath(out) + ".tmp"} {
			if _, err := os.Stat(p); err == nil {
				tmp += " " + filepath.Base(p)
			}
		}
		if mode == "torn" {
			if fi, err := os.Stat(out); err == nil {
				if err := os.Truncate(out, fi.Size()/2); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, mainErr := runfile.Read(out)
		r, err := runfile.Load(out)
		if err != nil {
			if !started && (errors.Is(err, runfile.ErrNoCheckpoint) || errors.Is(err, os.ErrNotExist)) {
				t.Logf("cycle %d (%s): killed before the first checkpoint: %v", cycle, mode, err)
				continue
			}
			t.Fatalf("cycle %d (%s): Load after kill -9: %v (main file: %v)", cycle, mode, err, mainErr)
		}
		started = true
		resumes++
		k := r.Checkpoint.Iteration
		if mode != "torn" && k < last {
			t.Fatalf("cycle %d: checkpoint went back from %d to %d", cycle, last, k)
		}
		last = k
		t.Logf("cycle %d (%s): resuming from %s at iteration %d; main file readable: %v; temporary files:%s",
			cycle, mode, filepath.Base(r.Path), k, mainErr == nil, tmp)
		if pyErr == nil {
			if o, err := exec.Command(py, "-c", h5pyCheck, r.Path).CombinedOutput(); err != nil {
				t.Fatalf("cycle %d: h5py cannot read %s: %v\n%s", cycle, r.Path, err, o)
			}
		}
	}
	if resumes == 0 {
		// Every process finished or died before its first checkpoint: the
		// test would have tested nothing of kill and resume.
		t.Fatal("no kill-resume cycle happened")
	}
	if started {
		runIn(t, "run", "--quiet", "--resume", out)
	} else {
		runIn(t, append([]string{"run", cfg, "--quiet", "--out", out, "--force"}, sets...)...)
	}
	full := filepath.Join(dir, "full.h5")
	runIn(t, append([]string{"run", cfg, "--quiet", "--out", full}, sets...)...)
	sameRun(t, readRunFile(t, out), readRunFile(t, full))
}

// A run file moved away from the directory its config named (which is
// gone) resumes where it is: the output goes to the resumed file, and the
// stored output.file is not checked.
func TestResumeMovedFile(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	runIn(t, "run", cfg, "--quiet", "--out", filepath.Join(sub, "r.h5"), "--set", "optimizer.iterations=5")
	moved := filepath.Join(dir, "moved.h5")
	if err := os.Rename(filepath.Join(sub, "r.h5"), moved); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(sub); err != nil {
		t.Fatal(err)
	}
	runIn(t, "run", "--quiet", "--resume", moved, "--set", "optimizer.iterations=8")
	if r := readRunFile(t, moved); len(r.Log) != 8 || r.Result == nil || r.Meta.Resumes != 1 {
		t.Errorf("resumed moved file: %d rows, result %v, resumes %d", len(r.Log), r.Result != nil, r.Meta.Resumes)
	}
}

// TestSignalDuringED: SIGINT stops exact diagonalization promptly, in
// `vmc ed` and in the ED step of `vmc run` (exit 130, no result; the run
// leaves nothing to resume and says so). Before, ED ran to its end first.
func TestSignalDuringED(t *testing.T) {
	dir := t.TempDir()
	// N = 24 Heisenberg ring, S^z = 0: dimension 2.7 million, seconds of ED.
	cfg := writeFile(t, dir, "ring24.toml", "[lattice]\nkind = \"chain\"\nextent = [24]\n[hamiltonian]\nkind = \"heisenberg\"\n[ed]\nmode = \"on\"\nmax_dim = 10000000\n")
	for _, args := range [][]string{
		{"ed", cfg, "--threads", "1"},
		{"run", cfg, "--threads", "1", "--out", filepath.Join(dir, "r.h5")},
	} {
		t.Run(args[0], func(t *testing.T) {
			cmd, sc := vmcProcess(t, args...)
			rest := make(chan string, 1)
			go func() {
				var b strings.Builder
				for sc.Scan() {
					b.WriteString(sc.Text() + "\n")
				}
				rest <- b.String()
			}()
			time.Sleep(700 * time.Millisecond) // well inside the basis or matrix build
			start := time.Now()
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			stderr := <-rest
			err := cmd.Wait()
			took := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want code %d\n%s", err, exitInterrupted, stderr)
			}
			if took > 3*time.Second {
				t.Errorf("stopped %v after the signal", took)
			}
			want := "exact diagonalization stopped by a signal"
			if args[0] == "run" {
				want = "during exact diagonalization, before the first checkpoint: nothing to resume"
			}
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr, want)
			}
			t.Logf("%s: stopped %v after SIGINT", args[0], took.Round(time.Millisecond))
		})
	}
}

// TestSecondSignal: a second signal that comes 50 ms after the first ends
// the run at once. The first lands in the final evaluation, which a first
// signal lets finish (about a minute here: 2 million samples of 40 sites),
// so only the second can explain a prompt exit, whatever the load.
func TestSecondSignal(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "slow.toml", "[lattice]\nkind = \"chain\"\nextent = [40]\n[hamiltonian]\nkind = \"heisenberg\"\n[ansatz]\nalpha = 1\n[optimizer]\niterations = 0\n[evaluate]\nsamples = 2000000\n[observables]\ncorrelations = \"none\"\nstructure_factor = false\nmagnetization = false\n[ed]\nmode = \"off\"\n")
	cmd, sc := vmcProcess(t, "run", cfg, "--threads", "1", "--out", filepath.Join(dir, "r.h5"))
	rest := waitFor(t, sc, "vmc: ansatz")
	time.Sleep(500 * time.Millisecond) // inside the evaluation
	start := time.Now()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stderr := <-rest
	err := cmd.Wait()
	took := time.Since(start)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want code %d\n%s", err, exitInterrupted, stderr)
	}
	if !strings.Contains(stderr, "second signal") || took > 10*time.Second {
		t.Errorf("stopped %v after the first signal; stderr:\n%s", took, stderr)
	}
}
