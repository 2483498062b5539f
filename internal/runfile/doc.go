// Package runfile owns the layout of vmc's output file: one self-describing
// HDF5 file per run, written as the run goes, and a checkpoint companion
// from which an interrupted or killed run continues exactly. It writes and
// reads through package h5io; docs/hdf5.md is the user's reference and
// docs/reliability.md lists the faults the tests reproduce.
//
// # API
//
//	Create(path, force, meta, lat) (*Writer, error)  a new run (lock, FILE.tmp)
//	Resume(path, run, meta) (*Writer, error)         continue a run read by Load
//	Load(path) (*Run, error)                         latest complete checkpoint
//	Read(path) (*Run, error)                         one file, checked
//	Busy(path) bool                                  is a process writing it?
//	Writer: LogIteration, WriteED, Checkpoint, WriteObservables,
//	        WriteResult, Close
//
// Errors wrap ErrExists, ErrInUse, ErrNotRunFile, ErrInvalid,
// ErrForeignCompanion, ErrNoCheckpoint or fs.ErrNotExist, and are one line
// that names the file (shortened when long) and the cause.
//
// # Layout
//
//	/                  attrs: program, run_id, version, commit, layout_version, created,
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
//	                   adam_m, adam_v float64 [2P] (Adam), spring complex128 [P]
//	                   (SR with optimizer.momentum), chains int8 [C, N]
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
// A new run (Create) is written to FILE.h5.tmp and renamed over FILE.h5 by
// its first Checkpoint, which only then removes an old companion; closed
// before that, it removes the temporary file and leaves an old run as it
// was. The root attribute run_id, drawn by Create and kept by Resume, is in
// the companion too: Load refuses a companion whose run id differs from its
// readable main file's (ErrForeignCompanion).
//
// # Reading
//
// Read checks the file against the layout before anything uses it: the
// HDF5 signature (what is not a regular HDF5 file is never opened, so a
// FIFO cannot block), program and layout_version (ErrNotRunFile), the
// exact type of every dataset (h5io refuses conversions) and its shape
// against the root attributes n_sites, n_parameters, n_chains, spins ±1,
// edges within the lattice, a non-empty /ed/energies (ErrInvalid).
//
// Each attribute of the layout is named once: tables (attrs.go) bind every
// name to the field that holds it, and the writer (setAttrs) and the
// reader (getAttrs) both go through them; so do the log columns
// (Row.fields). Datasets of a known shape are read by readShaped, which
// checks type and shape in one step.
//
// # Concurrency
//
// A Writer holds an exclusive flock on the lock file FILE.h5.lock from
// Create or Resume to Close; it is taken before anything is truncated,
// renamed or replaced, and does not depend on HDF5's file locking (which
// readers turn off with HDF5_USE_FILE_LOCKING=FALSE). Create, Resume and
// Load of a run that another process writes fail with ErrInUse; Resume,
// holding the lock, reads the run again and refuses it if it changed since
// Load. Read of a file under HDF5's write lock fails with ErrInUse too,
// unless HDF5's locking is off in this process. A Writer's methods must be
// called from one goroutine; the companion goroutine it starts only reads
// data that the Writer no longer changes.
//
// # HDF5 layer
//
// Decision (issue #12): h5io's own C shim is the only layer over HDF5. The
// four calls it made through gonum.org/v1/hdf5 (file create, open, flush,
// close) and the listing of a group moved into the shim, and the
// dependency was dropped: one layer, errors read on the thread of the
// failed call, no LockOSThread dance, one module less. h5io also lost the
// operations nothing uses since a resume rewrites its file whole
// (Truncate, Move, Delete).
//
// Kept as it is, for now: the checkpoint scheme (two slots in the main file
// plus a whole-run companion written in the background). A checkpoint in a
// small file of its own, written tmp + fsync + rename on the run's own
// goroutine, would be less code, but it would put an fsync on the critical
// path of every checkpoint (the background companion keeps the run's share
// near 0.2%, docs/hdf5.md), and a main file torn by a kill in the middle of
// an HDF5 flush would then lose its log and attributes unless they were
// copied into that file too, which is what the companion is. The scheme is
// what TestKillResume (random kills, kills during the companion's write, a
// torn main file) checks; changing it is a change of the layout users read
// (/checkpoint/a, /checkpoint/b, FILE.h5.ckpt) and deserves its own issue.
package runfile
