package runfile

import (
	"errors"
	"time"

	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// LayoutVersion is stored in the root attribute layout_version; it changes
// when a name or a meaning in the layout changes. Version 2 added the root
// attribute run_id; files of version 1 are still read.
const LayoutVersion = 2

// Paths of the groups and datasets of the layout.
const (
	GroupLog        = "/log"
	GroupLattice    = "/lattice"
	GroupCheckpoint = "/checkpoint"
	GroupED         = "/ed"
	GroupResult     = "/result"
	GroupObservable = "/observables"

	PathParameters = "/parameters"
	PathPositions  = "/lattice/positions"
	PathEdges      = "/lattice/edges"
	PathOrders     = "/lattice/orders"
	PathEnergies   = "/ed/energies"
)

// Checkpoints live in two slots, /checkpoint/a and /checkpoint/b, written
// alternately, so that a kill in the middle of writing one leaves the
// other complete. These are the datasets of a slot.
const (
	CkptParameters = "parameters" // complex128 [P]
	CkptAdamM      = "adam_m"     // float64 [2P], Adam only
	CkptAdamV      = "adam_v"     // float64 [2P], Adam only
	CkptSpring     = "spring"     // complex128 [P], SR with SPRING momentum only
	CkptChains     = "chains"     // int8 [C, N], Metropolis only
	CkptRNG        = "rng"        // uint64 [C, 2], Metropolis only
)

// Slots are the names of the checkpoint slots under /checkpoint.
var Slots = []string{"a", "b"}

// SlotPath returns the group of a checkpoint slot ("/checkpoint/a").
func SlotPath(slot string) string { return GroupCheckpoint + "/" + slot }

// CompanionSuffix is appended to the main file's name to name the
// checkpoint companion (FILE.h5.ckpt).
const CompanionSuffix = ".ckpt"

// CompanionPath returns the checkpoint companion of the main file path.
func CompanionPath(path string) string { return path + CompanionSuffix }

// rngFormat describes /checkpoint/rng (attribute rng_format).
const rngFormat = "math/rand/v2 PCG (PCG-DXSM, 128-bit LCG state): columns hi, lo"

// Errors that callers may test for with errors.Is.
var (
	// ErrExists: Create refused to overwrite a file.
	ErrExists = errors.New("file exists")
	// ErrNoCheckpoint: neither the file nor its companion holds a complete
	// checkpoint.
	ErrNoCheckpoint = errors.New("no complete checkpoint")
	// ErrInUse: another process holds the file open for writing.
	ErrInUse = errors.New("file is in use by another process")
	// ErrNotRunFile: the file is not a vmc run file (not HDF5, not written
	// by vmc, or of a layout this version does not read).
	ErrNotRunFile = errors.New("not a vmc run file")
	// ErrForeignCompanion: the checkpoint companion belongs to another run
	// than its main file (their run ids differ).
	ErrForeignCompanion = errors.New("the checkpoint companion belongs to another run")
	// ErrInvalid: a dataset or attribute does not have the type, shape or
	// value the layout says.
	ErrInvalid = errors.New("invalid run file")
)

// Meta is what the root attributes say about a run.
type Meta struct {
	Program string // "vmc"
	// RunID identifies the run (32 hex digits): Create draws it, Resume
	// keeps it, and the companion carries it, so that a companion is used
	// only with its own main file. "" in files of layout version 1.
	RunID   string
	Version string
	Commit  string    // VCS revision of the binary, "" when unknown
	Created time.Time // when the run started
	Resumed time.Time // when it was last resumed; zero if never
	Resumes int       // how many times it was resumed

	Config     string // the configuration as run: TOML, every key resolved
	ConfigName string // where the configuration came from
	Seed       int64
	Units      string // energy unit: "spin" (S = σ/2) or "pauli" (σ)
	Model      string // one-line description of the Hamiltonian
	Lattice    string // one-line description of the lattice
	Ansatz     string // one-line description of the wavefunction
	Optimizer  string

	NSites      int
	NParameters int // complex parameters P
	NChains     int // Markov chains (0 for exact summation)
	NSamples    int // samples per iteration, all chains together
	Iterations  int // optimization steps the configuration asks for
}

// Lattice is the geometry stored under /lattice.
type Lattice struct {
	Kind      string
	Dim       int
	Positions []float64 // N×Dim, row-major
	Edges     []int64   // E×2, row-major: sites i < j
	Orders    []int64   // E: neighbour order of each edge (1, 2)
}

// NumSites returns the number of sites N.
func (l *Lattice) NumSites() int {
	if l.Dim == 0 {
		return 0
	}
	return len(l.Positions) / l.Dim
}

// LatticeOf returns the stored form of l.
func LatticeOf(l *lattice.Lattice) Lattice {
	n, d := l.NumSites(), l.Dim()
	out := Lattice{Kind: string(l.Kind()), Dim: d, Positions: make([]float64, 0, n*d)}
	for i := range n {
		out.Positions = append(out.Positions, l.Position(i)...)
	}
	for _, e := range l.Edges() {
		out.Edges = append(out.Edges, int64(e.I), int64(e.J))
		out.Orders = append(out.Orders, int64(e.Order))
	}
	return out
}

// Row is one iteration of the log: the energy statistics of the samples
// drawn with the parameters before the step.
type Row struct {
	Iteration   int     // 0-based step index (/log/iteration)
	Energy      float64 // ⟨E_loc⟩, real part, total (/log/energy)
	EnergyError float64 // standard error of Energy, autocorrelation included
	EnergyImag  float64 // imaginary part of ⟨E_loc⟩ (zero in exact arithmetic)
	Variance    float64 // variance of E_loc over the samples
	Acceptance  float64 // Metropolis acceptance rate (1 for exact sums)
	TauCorr     float64 // integrated autocorrelation time; NaN if unknown
	RHat        float64 // split-chain Gelman–Rubin R̂; NaN if unknown
	Retries     int     // rejected attempts (non-finite) before the step
	WallSeconds float64 // cumulative run time at the end of the step, s
}

// columns lists the log datasets in the order of Row's fields.
var columns = []string{"iteration", "energy", "energy_error", "energy_imag", "variance",
	"acceptance", "tau_corr", "r_hat", "retries", "wall_seconds"}

// fields returns the fields of r in the order of columns: *int for the
// columns stored as int64, *float64 for the float64 ones.
func (r *Row) fields() []any {
	return []any{&r.Iteration, &r.Energy, &r.EnergyError, &r.EnergyImag, &r.Variance,
		&r.Acceptance, &r.TauCorr, &r.RHat, &r.Retries, &r.WallSeconds}
}

// ED is the exact-diagonalization result stored under /ed.
type ED struct {
	Energies    []float64 // lowest eigenvalues, ascending
	Dimension   int64     // dimension of the sector
	TotalSz     *float64  // S^z_tot of the sector; nil when unconstrained
	WallSeconds float64
}

// Result is the final evaluation, stored as attributes of /result. Energies
// are totals in the units of the root attribute units; times are seconds.
type Result struct {
	Energy        float64
	EnergyError   float64
	EnergyImag    float64
	EnergyPerSite float64
	Variance      float64
	VScore        float64 // N·Var(E)/E²
	TauCorr       float64 // NaN when unknown
	RHat          float64 // NaN when unknown
	// EDEnergy and RelativeError = |E − E_ED|/|E_ED| are nil when ED did
	// not run.
	EDEnergy      *float64
	RelativeError *float64

	Iterations        int // optimization steps done
	EvaluationSamples int
	SamplesPerSecond  float64 // of the final evaluation

	WallSeconds         float64 // whole run, resumes included
	OptimizationSeconds float64
	EvaluationSeconds   float64
	EDSeconds           float64
	LogSeconds          float64 // writing and flushing the log
	CheckpointSeconds   float64 // writing checkpoints (the caller's part)
	CompanionSeconds    float64 // writing companions in the background
}

// Checkpoint is everything a run needs to continue exactly where it was.
type Checkpoint struct {
	// Iteration is the number of completed steps; the log holds that many
	// rows.
	Iteration int
	Params    []complex128
	Driver    vmc.DriverState
	// Sampler is the state of the Metropolis chains; nil for a run that
	// sums exactly over the sector.
	Sampler *vmc.SamplerState
	// WallSeconds is the cumulative run time at the checkpoint.
	WallSeconds float64
}

// Observable is a measured quantity stored under /observables/<Name>: the
// estimates (dataset mean) and their standard errors (error), of shape
// Shape, row-major; optional labels, one row per element (the distance of
// a distance class, the momentum q of S(q)), and exact values (exact).
type Observable struct {
	Name   string
	Shape  []int
	Mean   []float64
	Error  []float64
	Labels [][]float64 // nil, or one row of equal length per element
	Exact  []float64   // nil, or the exact value of each element
}
