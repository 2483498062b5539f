// Package runfile owns the layout of vmc's output file: one self-describing
// HDF5 file per run, written as the run goes, and a checkpoint companion
// from which an interrupted or killed run continues exactly. It writes and
// reads through package h5io; docs/hdf5.md is the user's reference.
//
// # Layout
//
//	/                  attrs: program, version, commit, layout_version, created,
//	                   resumed, resumes, config (TOML as run, overrides applied),
//	                   config_name, seed, units, model, lattice, ansatz,
//	                   optimizer, n_sites, n_parameters, n_chains, n_samples,
//	                   iterations
//	/lattice/positions float64 [N, d]   attrs: kind, dim, n_sites
//	/lattice/edges     int64   [E, 2]
//	/lattice/orders    int64   [E]
//	/log/<column>      [T] one row per iteration (Row lists the columns)
//	/parameters        complex128 [P] current parameters (final at the end)
//	/checkpoint        attrs: current (slot name), iteration
//	/checkpoint/a, /checkpoint/b   two slots, written alternately; attrs:
//	                   complete, iteration, adam_t, shift_boost, wall_seconds,
//	                   sampler, burned_in; datasets: parameters complex128 [P],
//	                   adam_m, adam_v float64 [2P] (Adam), chains int8 [C, N]
//	                   and rng uint64 [C, 2] (Metropolis)
//	/ed/energies       float64 [K]   attrs: dimension, total_sz, wall_seconds
//	/result            attrs: energy, energy_error, ..., see Result
//	/observables/<name>/mean, error [shape], labels [n, k], exact [shape]
//
// Complex numbers are the compound {float64 r; float64 i} that h5py reads
// as complex128; text is in attributes (variable-length UTF-8 strings).
//
// # Durability
//
// A Writer appends each iteration's row to the log and flushes the main
// file, so a killed run keeps every row it reported; when rows come faster
// than a flush budget allows, they are written together with a later one
// (see LogIteration). A checkpoint is written twice:
//
//  1. into the main file, in the slot that does not hold the previous
//     checkpoint, overwriting its datasets in place (the file does not
//     grow): complete = false is flushed before any dataset is written and
//     complete = true after all of them, so a kill in between leaves the
//     other slot as the latest complete checkpoint;
//  2. in the background, to the companion FILE.h5.ckpt: a complete run file
//     of the same layout (attributes, lattice, ED, the log up to the
//     checkpoint, the checkpoint in slot a), written to FILE.h5.ckpt.tmp,
//     fsynced and renamed over the companion, so that the companion is the
//     previous or the new one, never a torn one. It protects against a main
//     file left unreadable by a kill in the middle of an HDF5 flush, and is
//     written only as often as keeps its cost small (companionBudget).
//
// Load reads both files and keeps the latest complete checkpoint (the
// companion on a tie); Resume rebuilds the main file from it through a
// temporary file and an atomic rename, so a main file that a kill -9 left
// unreadable is replaced. A Writer closed cleanly removes the companion:
// the main file then holds the last checkpoint itself.
//
// # Concurrency
//
// HDF5 locks a file that a process has open for writing: Read, Load and
// Resume of a file that another process writes fail with ErrInUse. A
// Writer's methods must be called from one goroutine; the companion
// goroutine it starts only reads data that the Writer no longer changes.
package runfile
