//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <stdlib.h>
#include <mpi.h>

// OpenMPI installs handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT
// (opal_signal) that would replace the Go runtime's; an empty list keeps
// Go's, unless the user set the parameter.
static int vmc_mpi_init(int *provided) {
	setenv("OMPI_MCA_opal_signal", "", 0);
	return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
}
static int vmc_mpi_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int vmc_mpi_size(int *n) { return MPI_Comm_size(MPI_COMM_WORLD, n); }
static int vmc_mpi_allgatherv(void *buf, const int *counts, const int *displs) {
	return MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, MPI_BYTE, MPI_COMM_WORLD);
}
static int vmc_mpi_bcast(void *buf, int n, int root) {
	return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD);
}
static int vmc_mpi_lor(int *flag) {
	return MPI_Allreduce(MPI_IN_PLACE, flag, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
}
static int vmc_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int vmc_mpi_finalize(void) { return MPI_Finalize(); }
static void vmc_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// Enabled reports whether this binary was built with MPI (tag mpi).
const Enabled = true

// world is MPI_COMM_WORLD.
type world struct{ rank, size int }

var initialized *world

// Init initializes MPI (MPI_Init_thread with MPI_THREAD_SERIALIZED: calls
// may come from any OS thread, one at a time) and returns MPI_COMM_WORLD.
// A process started without mpirun is rank 0 of 1 (singleton).
func Init() (Comm, error) {
	if initialized != nil {
		return initialized, nil
	}
	var provided C.int
	if rc := C.vmc_mpi_init(&provided); rc != 0 {
		return nil, fmt.Errorf("mpi: MPI_Init_thread failed (error %d)", int(rc))
	}
	if provided < C.MPI_THREAD_SERIALIZED {
		return nil, fmt.Errorf("mpi: the MPI library provides thread level %d, vmc needs MPI_THREAD_SERIALIZED", int(provided))
	}
	var r, n C.int
	check(C.vmc_mpi_rank(&r), "MPI_Comm_rank")
	check(C.vmc_mpi_size(&n), "MPI_Comm_size")
	initialized = &world{rank: int(r), size: int(n)}
	return initialized, nil
}

// Finalize ends MPI (MPI_Finalize) after a successful Init.
func Finalize() {
	if initialized != nil {
		C.vmc_mpi_finalize()
		initialized = nil
	}
}

// Abort ends every rank of the job with the exit code (MPI_Abort). It is
// what a rank calls when it fails alone, so that the others do not wait
// for it in a collective forever.
func Abort(code int) {
	if initialized != nil {
		C.vmc_mpi_abort(C.int(code))
	}
}

// check panics on an MPI error code. With the default error handler
// (MPI_ERRORS_ARE_FATAL) MPI ends the job before a call returns one.
func check(rc C.int, what string) {
	if rc != 0 {
		panic(fmt.Sprintf("mpi: %s failed (error %d)", what, int(rc)))
	}
}

func (w *world) Rank() int { return w.rank }
func (w *world) Size() int { return w.size }
func (w *world) Barrier()  { check(C.vmc_mpi_barrier(), "MPI_Barrier") }

func (w *world) Any(flag bool) bool {
	f := C.int(0)
	if flag {
		f = 1
	}
	check(C.vmc_mpi_lor(&f), "MPI_Allreduce")
	return f != 0
}

// bcastChunk bounds one MPI_Bcast of the large-buffer path (int counts).
const bcastChunk = 1 << 30

// Allgatherv is MPI_Allgatherv in place (MPI_IN_PLACE, MPI_BYTE). A buffer
// beyond what int counts and displacements address (2 GiB) goes as a
// broadcast of every rank's part, in rank order and in chunks of 1 GiB.
func (w *world) Allgatherv(buf []byte, counts []int) {
	checkCounts(buf, counts, w.size)
	if len(buf) == 0 {
		return
	}
	if len(buf) <= math.MaxInt32 {
		cs := make([]C.int, 2*w.size) // counts, then displacements
		off := 0
		for r, n := range counts {
			cs[r], cs[w.size+r] = C.int(n), C.int(off)
			off += n
		}
		check(C.vmc_mpi_allgatherv(unsafe.Pointer(&buf[0]), &cs[0], &cs[w.size]), "MPI_Allgatherv")
		return
	}
	off := 0
	for r, n := range counts {
		for k := 0; k < n; k += bcastChunk {
			m := min(bcastChunk, n-k)
			check(C.vmc_mpi_bcast(unsafe.Pointer(&buf[off+k]), C.int(m), C.int(r)), "MPI_Bcast")
		}
		off += n
	}
}
