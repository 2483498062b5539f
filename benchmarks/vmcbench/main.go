// Command vmcbench measures the standard performance cases of vmc and prints
// a markdown table: per-proposal log-ratio cost, local-energy cost, sampling
// throughput (samples/s with the local energy on every sample, one sample per
// sweep, no gradients: the same work as the reference figures of the
// Carleo–Troyer code), a whole SR iteration (1,000 samples with
// log-derivatives and the SR solve), and thread scaling.
//
//	go run ./benchmarks/vmcbench [-threads 1,2] [-quick]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/run"
	"github.com/vmc-lattice/vmc/vmc"
)

type benchCase struct {
	name   string
	toml   string
	alpha  int
	refSPS float64 // Carleo–Troyer samples/s on this machine kind (issue figures), 0 if none
	refSR  float64 // NetKet 1.0 seconds per SR iteration, 0 if none
}

const (
	heis40  = "[lattice]\nkind=\"chain\"\nextent=[40]\n[hamiltonian]\nkind=\"heisenberg\"\n"
	ising40 = "[lattice]\nkind=\"chain\"\nextent=[40]\n[hamiltonian]\nkind=\"ising\"\nh=1.0\n"
	heis10  = "[lattice]\nkind=\"square\"\nextent=[10,10]\n[hamiltonian]\nkind=\"heisenberg\"\n"
)

var cases = []benchCase{
	{"Heisenberg chain N=40", heis40, 1, 7874, 1.07},
	{"Heisenberg chain N=40", heis40, 2, 4029, 0},
	{"Heisenberg chain N=40", heis40, 4, 1941, 0},
	{"Ising chain N=40, h=1", ising40, 1, 5160, 1.58},
	{"Heisenberg 10×10", heis10, 1, 908, 4.74},
	{"Heisenberg 10×10", heis10, 4, 213, 0},
}

func main() {
	threadList := flag.String("threads", "1,2", "comma-separated thread counts for the throughput and scaling columns")
	quick := flag.Bool("quick", false, "fewer samples (for a smoke test)")
	flag.Parse()
	var threads []int
	for _, s := range strings.Split(*threadList, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 {
			fmt.Fprintf(os.Stderr, "vmcbench: bad -threads %q\n", *threadList)
			os.Exit(2)
		}
		threads = append(threads, t)
	}
	scale := 1
	if *quick {
		scale = 8
	}
	fmt.Printf("# vmc benchmarks\n\n%s\n\n", machine())
	fmt.Printf("| case | α | params | log-ratio (ns/flip) | local energy (µs) |")
	for _, t := range threads {
		fmt.Printf(" samples/s %dT |", t)
	}
	fmt.Printf(" ratio to C–T (1T) | scaling %d→%dT | SR iteration 1T (s) | SR iteration %dT (s) | vs NetKet 1.0 |\n", threads[0], threads[len(threads)-1], threads[len(threads)-1])
	fmt.Printf("|---|---|---|---|---|")
	for range threads {
		fmt.Printf("---|")
	}
	fmt.Printf("---|---|---|---|---|\n")
	for _, c := range cases {
		row(c, threads, scale)
	}
}

func row(c benchCase, threads []int, scale int) {
	// 16 chains burnt in for 20 sweeps, one sample per sweep.
	sets := []string{fmt.Sprintf("ansatz.alpha=%d", c.alpha), "ansatz.init_scale=0.05", "sampler.chains=16", "sampler.burn_in=20", "sampler.discard=0"}
	load := func(samples int) *run.Problem {
		p, err := run.Parse("bench", []byte(c.toml), append(sets, fmt.Sprintf("sampler.samples=%d", samples)))
		check(err)
		return p
	}
	p := load(8192 / scale)
	psi, err := p.NewAnsatz()
	check(err)

	ratio, eloc := microCosts(psi, p, p.NumSites())
	var sps []float64
	for _, t := range threads {
		sps = append(sps, throughput(p, t))
	}
	sr1 := srIteration(load(1000/scale), threads[0])
	srT := srIteration(load(1000/scale), threads[len(threads)-1])

	fmt.Printf("| %s | %d | %d | %.0f | %.2f |", c.name, c.alpha, psi.NumParams(), ratio, eloc)
	for _, s := range sps {
		fmt.Printf(" %.0f |", s)
	}
	rel := "—"
	if c.refSPS > 0 {
		rel = fmt.Sprintf("%.2f×", sps[0]/c.refSPS)
	}
	nk := "—"
	if c.refSR > 0 {
		nk = fmt.Sprintf("%.1f× faster", c.refSR/srT)
	}
	fmt.Printf(" %s | %.2f× | %.3f | %.3f | %s |\n", rel, sps[len(sps)-1]/sps[0], sr1, srT, nk)
}

// microCosts returns the mean cost of one single-flip log-ratio (ns) and of
// one local energy (µs) over random configurations of the sector.
func microCosts(psi ansatz.Ansatz, p *run.Problem, n int) (float64, float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(1 - 2*(i%2))
	}
	rng.Shuffle(n, func(i, j int) { x[i], x[j] = x[j], x[i] })
	c := psi.NewCache(x)
	flips := make([][]int, 1024)
	for k := range flips {
		flips[k] = []int{rng.IntN(n)}
	}
	const reps = 200000
	var sink complex128
	t := time.Now()
	for r := 0; r < reps; r++ {
		sink += c.LogRatio(flips[r&1023])
	}
	ratio := float64(time.Since(t).Nanoseconds()) / reps
	var s vmc.LocalScratch
	const lreps = 2000
	t = time.Now()
	for r := 0; r < lreps; r++ {
		sink += vmc.LocalEnergy(p.Op, c, &s)
	}
	eloc := float64(time.Since(t).Nanoseconds()) / lreps / 1e3
	_ = sink
	return ratio, eloc
}

// throughput returns samples per second of a burned-in sampler: one sample
// per sweep, local energy on every sample, no log-derivatives.
func throughput(p *run.Problem, threads int) float64 {
	e, err := run.NewEngine(p, threads)
	check(err)
	var b vmc.Batch
	e.Chains.Sample(&b, false) // burn-in and warm-up
	t := time.Now()
	e.Chains.Sample(&b, false)
	return float64(b.Ns) / time.Since(t).Seconds()
}

// srIteration returns the wall time of one whole SR iteration (sampling with
// log-derivatives and the SR solve) with the samples of p.
func srIteration(p *run.Problem, threads int) float64 {
	e, err := run.NewEngine(p, threads)
	check(err)
	_, err = e.Step() // burn-in, warm-up
	check(err)
	t := time.Now()
	const reps = 3
	for r := 0; r < reps; r++ {
		_, err = e.Step()
		check(err)
	}
	return time.Since(t).Seconds() / reps
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	commit := "unknown"
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("Machine: %s, %d logical CPUs (GOMAXPROCS %d); %s %s/%s; commit %s; %s.",
		cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, commit, time.Now().UTC().Format("2006-01-02"))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmcbench:", err)
		os.Exit(1)
	}
}
