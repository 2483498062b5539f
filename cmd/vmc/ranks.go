package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/vmc-lattice/vmc/internal/mpi"
)

// executeRanks runs one command line as this process's part of the job:
// the whole job in the default build, or one rank of an MPI job in a
// binary built with the tag mpi and started by mpirun (docs/mpi.md).
//
// With several ranks, `run` is spread over them; rank 0 writes the run
// file, the progress and the --json summary, the other ranks write
// nothing but their own failures. Any other command runs on rank 0 alone.
// Ranks that stop together (success, or an interrupt they agreed on) end
// MPI normally; a rank that fails ends the whole job (MPI_Abort) with its
// exit code, so that no rank waits for it forever.
func executeRanks(ctx context.Context, args []string) int {
	comm, err := mpi.Init()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmc:", err)
		return exitFailed
	}
	e := env{stdout: os.Stdout, stderr: os.Stderr}
	if comm.Size() == 1 {
		code := execute(ctx, args, e)
		mpi.Finalize()
		return code
	}
	distributed := len(args) > 0 && args[0] == "run"
	var errs bytes.Buffer
	if comm.Rank() != 0 {
		if !distributed {
			mpi.Finalize()
			return exitOK
		}
		e.stdout, e.stderr = io.Discard, &errs
	}
	if distributed {
		e.comm = comm
	}
	code := execute(ctx, args, e)
	if code == exitOK || code == exitInterrupted {
		mpi.Finalize()
		return code
	}
	if comm.Rank() != 0 && code == exitFailed {
		// Usage and configuration errors are rank 0's to report (every
		// rank finds the same); a failure may be this rank's own.
		fmt.Fprintf(os.Stderr, "vmc (rank %d): %s", comm.Rank(), errs.String())
	}
	mpi.Abort(code)
	return code
}
