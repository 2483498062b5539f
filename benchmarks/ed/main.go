// Command ed-bench times exact diagonalization of a spin chain with package
// ed and reports wall and CPU time, products, and peak memory.
//
//	go run ./benchmarks/ed -n 24                      # Heisenberg chain, S^z = 0
//	go run ./benchmarks/ed -n 28 -product matrix-free
//	go run ./benchmarks/ed -n 20 -model tfi -h 1      # Ising chain, full space
//	go run ./benchmarks/ed -n 28 -momentum gs         # k sector of the ground state
//
// -momentum 0 or pi restricts the solve to the translation sector k = 0 or
// k = π (ed.Options.Symmetry); gs picks the sector of the Heisenberg ground
// state: k = 0 when N/2 is even or with -signrule, k = π otherwise.
//
// Peak memory is the process's VmHWM from /proc/self/status (Linux).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

func main() {
	var (
		n       = flag.Int("n", 20, "number of sites of the periodic chain")
		model   = flag.String("model", "heisenberg", "heisenberg | tfi")
		j2      = flag.Float64("j2", 0, "next-nearest-neighbour coupling (heisenberg)")
		field   = flag.Float64("h", 1, "transverse field (tfi)")
		k       = flag.Int("k", 1, "number of eigenvalues")
		vector  = flag.Bool("vector", false, "also compute the ground-state vector")
		product = flag.String("product", "auto", "auto | csr | matrix-free")
		method  = flag.String("method", "auto", "auto | dense | lanczos | thick-restart")
		threads = flag.Int("threads", 0, "goroutines (0: GOMAXPROCS)")
		budget  = flag.Int64("budget", 0, "memory budget in bytes (0: ed.DefaultMemoryBudget(), half the physical memory)")
		asJSON  = flag.Bool("json", false, "print one JSON object")
	)
	flag.StringVar(&momentum, "momentum", "", "translation sector: 0 | pi | gs (ground-state sector); empty: no translation symmetry")
	flag.BoolVar(&signRule, "signrule", false, "apply the Marshall sign rule (heisenberg)")
	flag.Parse()
	if err := run(*n, *model, *j2, *field, *k, *vector, *product, *method, *threads, *budget, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "ed-bench:", err)
		os.Exit(1)
	}
}

var (
	momentum string
	signRule bool
)

func run(n int, model string, j2, field float64, k int, vector bool, product, method string, threads int, budget int64, asJSON bool) error {
	l, err := lattice.New(lattice.Chain, []int{n}, []bool{true})
	if err != nil {
		return err
	}
	var op hamiltonian.Operator
	nUp := ed.Unconstrained
	switch model {
	case "heisenberg":
		op, err = hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, J2: j2, Delta: 1, SignRule: signRule})
		nUp = n / 2
	case "tfi":
		op, err = hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: 1, H: field})
	default:
		err = fmt.Errorf("unknown model %q", model)
	}
	if err != nil {
		return err
	}
	var sym *ed.Symmetry
	switch momentum {
	case "":
	case "0", "pi", "gs":
		pi := momentum == "pi"
		if momentum == "gs" {
			pi = (n/2)%2 == 1 && !signRule
		}
		perms := l.Translations()
		chars := make([]int8, len(perms))
		for g := range chars {
			chars[g] = 1
			if pi && g%2 == 1 {
				chars[g] = -1
			}
		}
		sym = &ed.Symmetry{Perms: perms, Chars: chars}
		momentum = "0"
		if pi {
			momentum = "pi"
		}
	default:
		return fmt.Errorf("unknown momentum %q (want 0, pi or gs)", momentum)
	}
	load := loadAvg()
	t0 := time.Now()
	r, err := ed.Solve(op, nUp, ed.Options{
		K: k, Vector: vector, Threads: threads, MemoryBudget: budget,
		Product: ed.Product(product), Method: ed.Method(method), Symmetry: sym,
	})
	if err != nil {
		return err
	}
	wall := time.Since(t0)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	out := map[string]any{
		"model": model, "n_sites": n, "j2": j2, "h": field, "dimension": r.Dimension,
		"nnz_offdiag": r.NNZ, "product": r.Product, "method": r.Method, "k": k, "vector": vector,
		"energies": r.Energies, "energy_per_site": r.Energies[0] / float64(n), "residuals": r.Residuals,
		"matvecs": r.MatVecs, "build_seconds": r.BuildTime.Seconds(), "solve_seconds": r.SolveTime.Seconds(),
		"wall_seconds": wall.Seconds(), "cpu_user_seconds": tv(ru.Utime), "cpu_sys_seconds": tv(ru.Stime),
		"peak_rss_bytes": peakRSS(), "plan": r.Plan.String(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"load_average_at_start": load, "momentum": momentum, "sign_rule": signRule,
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	if momentum != "" {
		fmt.Printf("translation sector k = %s\n", momentum)
	}
	fmt.Printf("%s chain N=%d: dimension %d, %d off-diagonal elements, %s/%s\n", model, n, r.Dimension, r.NNZ, r.Product, r.Method)
	fmt.Printf("E = %.12f (E/N = %.12f), residual %.2g\n", r.Energies[0], r.Energies[0]/float64(n), r.Residuals[0])
	if k > 1 {
		fmt.Printf("energies %v\n", r.Energies)
	}
	fmt.Printf("products %d; build %.2fs, solve %.2fs, wall %.2fs; CPU user %.2fs sys %.2fs on GOMAXPROCS=%d (load average at start %s)\n",
		r.MatVecs, r.BuildTime.Seconds(), r.SolveTime.Seconds(), wall.Seconds(), tv(ru.Utime), tv(ru.Stime), runtime.GOMAXPROCS(0), load)
	fmt.Printf("peak RSS %.3f GB (plan: %s)\n", float64(peakRSS())/1e9, r.Plan)
	return nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// peakRSS returns VmHWM from /proc/self/status in bytes, or -1.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb * 1024
		}
	}
	return -1
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
