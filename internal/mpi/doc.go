// Package mpi is the thin communication layer that spreads one `vmc run`
// over processes (ranks): a Comm with the few collective operations the
// run needs, in three implementations.
//
//   - Self, the single process of the default build (no MPI at all);
//   - NewLocal, ranks that are goroutines of one process, so that the
//     distributed code paths are tested in the default build;
//   - World, MPI_COMM_WORLD of OpenMPI through cgo, only in builds with
//     the tag mpi (`make build-mpi`); without the tag World is Self.
//
// # Determinism
//
// Every operation moves bytes, never adds floating-point numbers: an
// Allgatherv puts each rank's part at its place in rank order, and Any is a
// logical or. The caller splits work into contiguous blocks (Block) whose
// results land in fixed places, so what every rank holds after a gather is
// bit-identical to what one process computes alone, for any number of
// ranks.
//
// # Threads
//
// Calls on one Comm must not overlap (MPI_THREAD_SERIALIZED); they may come
// from any goroutine. Every rank must make the same sequence of collective
// calls.
package mpi
