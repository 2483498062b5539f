//go:build !mpi

package mpi

// Enabled reports whether this binary was built with MPI (tag mpi).
const Enabled = false

// Init returns Self: a build without the tag mpi is one process.
func Init() (Comm, error) { return Self{}, nil }

// Finalize does nothing without MPI.
func Finalize() {}

// Abort does nothing without MPI: the caller exits by itself.
func Abort(code int) {}
