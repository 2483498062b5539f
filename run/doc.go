// Package run is the pipeline of `vmc run` as a library: from a
// configuration to a finished run file.
//
// # Steps
//
//	config text ──Parse/Load──▶ Problem ──NewEngine──▶ Engine ──New/Resume──▶ Job ──Run──▶ Summary
//
// A Problem is a validated configuration with its physical system built:
// the lattice, the Hamiltonian (an operator for ED and VMC alike), the
// magnetization sector (NUp, −1 when unconstrained) and the resolved move
// rule. Every check that needs the lattice or the Hamiltonian runs when the
// problem is built (internal/config checks each key on its own), so a
// problem that builds can run; errors are *config.Error values that name
// the file and the key. A Problem also makes what the run needs: the ansatz
// with its seeded initial parameters (NewAnsatz; the initial parameters
// come from the PCG stream (seed, "ansatz"), the chains from (seed, chain)),
// the symmetry group of a symmetric ansatz, the sampler, driver and
// observable options, the ED momentum sector, and SolveED.
//
// An Engine is the in-memory part of a run: ansatz, sampler (Markov chains,
// or the exact sum over the sector with sampler.exact) and the optimization
// driver. Step runs one iteration, Evaluate draws the final fresh samples.
// It writes nothing: benchmarks and studies use it directly.
//
// A Job is an Engine with the HDF5 run file (docs/hdf5.md): Run does exact
// diagonalization where [ed] asks for it, saves a checkpoint at iteration 0
// and every output.checkpoint_every iterations, logs every iteration,
// evaluates, measures the observables (compared with the ED ground state
// when there is one), writes the result and the plot, and returns the
// Summary (the --json object of `vmc run`). Resume continues a run from
// its last checkpoint, bit for bit: the trajectory is the one an
// uninterrupted run would have followed. A cancelled context stops the
// optimization between iterations with a checkpoint (ErrInterrupted).
//
// Check reports on a problem without running it (`vmc check`): sizes, ED
// plan, memory, and physics warnings whose criteria live next to the
// physics (hamiltonian's Stoquastic, sr.MemoryBytes).
//
// # Reproducibility
//
// Nothing in Options changes the numbers: the same configuration and seed
// give bit-identical runs for any Threads, and a resumed run equals an
// uninterrupted one.
package run
