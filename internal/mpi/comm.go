package mpi

import (
	"fmt"
	"unsafe"
)

// Comm is a group of ranks that take part in the same run.
type Comm interface {
	// Rank returns this rank's index in [0, Size()).
	Rank() int
	// Size returns the number of ranks.
	Size() int
	// Allgatherv gathers in place: buf is the concatenation, in rank
	// order, of every rank's part, counts[r] bytes for rank r. On entry
	// this rank's part holds its data; on return every part holds the
	// data of its rank. counts must be the same on every rank.
	Allgatherv(buf []byte, counts []int)
	// Any returns whether flag is true on at least one rank (an
	// all-reduce with logical or).
	Any(flag bool) bool
	// Barrier returns when every rank has called it.
	Barrier()
}

// Self is the communicator of a single process: rank 0 of 1.
type Self struct{}

// Rank returns 0.
func (Self) Rank() int { return 0 }

// Size returns 1.
func (Self) Size() int { return 1 }

// Allgatherv checks the counts; the only part is already in place.
func (Self) Allgatherv(buf []byte, counts []int) { checkCounts(buf, counts, 1) }

// Any returns flag.
func (Self) Any(flag bool) bool { return flag }

// Barrier returns at once.
func (Self) Barrier() {}

// Block returns the contiguous block [lo, hi) of n items that rank owns
// out of size ranks,
//
//	lo = ⌊rank·n/size⌋, hi = ⌊(rank+1)·n/size⌋,
//
// so that the blocks of ranks 0, 1, ... cover [0, n) in order and differ in
// length by at most one. A rank may own nothing when n < size.
func Block(n, rank, size int) (lo, hi int) {
	if size < 1 || rank < 0 || rank >= size || n < 0 {
		panic(fmt.Sprintf("mpi: Block(%d, %d, %d)", n, rank, size))
	}
	return rank * n / size, (rank + 1) * n / size
}

// Counts returns the part sizes of Block for every rank, each multiplied by
// unit (bytes or elements per item).
func Counts(n, size, unit int) []int {
	c := make([]int, size)
	for r := range c {
		lo, hi := Block(n, r, size)
		c[r] = (hi - lo) * unit
	}
	return c
}

// Bytes returns the memory of s as bytes (no copy), for Allgatherv of
// numeric slices; ranks share one architecture, so no conversion is
// needed.
func Bytes[T int8 | int64 | float64 | complex128](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}

// AllgatherOf is Allgatherv for a slice of numbers: counts are in elements.
func AllgatherOf[T int8 | int64 | float64 | complex128](c Comm, buf []T, counts []int) {
	var z T
	size := int(unsafe.Sizeof(z))
	b := make([]int, len(counts))
	for r, n := range counts {
		b[r] = n * size
	}
	c.Allgatherv(Bytes(buf), b)
}

// checkCounts panics unless counts has one non-negative entry per rank and
// they add up to len(buf).
func checkCounts(buf []byte, counts []int, size int) {
	if len(counts) != size {
		panic(fmt.Sprintf("mpi: Allgatherv with %d counts for %d ranks", len(counts), size))
	}
	t := 0
	for _, n := range counts {
		if n < 0 {
			panic(fmt.Sprintf("mpi: Allgatherv with a negative count %d", n))
		}
		t += n
	}
	if t != len(buf) {
		panic(fmt.Sprintf("mpi: Allgatherv counts add up to %d bytes, the buffer has %d", t, len(buf)))
	}
}
