package h5io

// #include "shim.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// appendChunk is the chunk length, in rows, of datasets created by Append:
// 8 KiB of float64, small for a short log and cheap to extend for a long one.
const appendChunk = 1024

// WriteFloat64 writes data as a float64 dataset at path, creating missing
// parent groups. dims gives the shape, row-major (dims = rows, cols for a
// matrix stored as a flat slice); no dims means one dimension of len(data).
// An existing dataset of the same type and shape is overwritten in place;
// any other object at path that is a dataset is replaced.
//
// WriteFloat64 panics if the product of dims differs from len(data).
func (f *File) WriteFloat64(path string, data []float64, dims ...int) error {
	return writeData(f, "WriteFloat64", path, data, dims)
}

// WriteInt64 writes an int64 dataset; see WriteFloat64.
func (f *File) WriteInt64(path string, data []int64, dims ...int) error {
	return writeData(f, "WriteInt64", path, data, dims)
}

// WriteInt8 writes an int8 dataset (spin configurations); see WriteFloat64.
func (f *File) WriteInt8(path string, data []int8, dims ...int) error {
	return writeData(f, "WriteInt8", path, data, dims)
}

// WriteUint64 writes a uint64 dataset (RNG states); see WriteFloat64.
func (f *File) WriteUint64(path string, data []uint64, dims ...int) error {
	return writeData(f, "WriteUint64", path, data, dims)
}

// WriteComplex128 writes a complex128 dataset, stored as the compound type
// {float64 r; float64 i} that h5py reads as numpy complex128; see
// WriteFloat64.
func (f *File) WriteComplex128(path string, data []complex128, dims ...int) error {
	return writeData(f, "WriteComplex128", path, data, dims)
}

// ReadFloat64 reads the dataset at path, which must hold 8-byte floats,
// and returns its values in row-major order and its shape. Like every Read
// method it refuses any other stored type rather than converting it.
func (f *File) ReadFloat64(path string) (data []float64, dims []int, err error) {
	return readData[float64](f, path)
}

// ReadInt64 reads an int64 dataset; see ReadFloat64.
func (f *File) ReadInt64(path string) (data []int64, dims []int, err error) {
	return readData[int64](f, path)
}

// ReadInt8 reads an int8 dataset; see ReadFloat64.
func (f *File) ReadInt8(path string) (data []int8, dims []int, err error) {
	return readData[int8](f, path)
}

// ReadUint64 reads a uint64 dataset; see ReadFloat64.
func (f *File) ReadUint64(path string) (data []uint64, dims []int, err error) {
	return readData[uint64](f, path)
}

// ReadComplex128 reads a dataset of compound type with members "r" and "i"
// (as written by WriteComplex128 or by h5py) as complex128; see ReadFloat64.
func (f *File) ReadComplex128(path string) (data []complex128, dims []int, err error) {
	return readData[complex128](f, path)
}

// AppendFloat64 appends the values v as new rows of the one-dimensional
// float64 dataset at path. The first call creates it, chunked and with no
// maximum length (missing parent groups too). Each call extends the dataset
// (H5Dset_extent) and writes the new rows through a hyperslab selection.
// The File keeps the dataset open between appends, so rows accumulate in
// HDF5's chunk cache: call Flush to make them visible to other processes
// and safe from a crash.
func (f *File) AppendFloat64(path string, v ...float64) error { return appendData(f, path, v) }

// AppendInt64 appends rows to a one-dimensional int64 dataset; see
// AppendFloat64.
func (f *File) AppendInt64(path string, v ...int64) error { return appendData(f, path, v) }

// shapeOf returns the shape for len(data) values and dims, or panics.
func shapeOf(fn, path string, n int, dims []int) []int {
	if len(dims) == 0 {
		return []int{n}
	}
	if len(dims) > maxRank {
		panic(fmt.Sprintf("h5io: %s %s: %d dimensions, at most %d", fn, path, len(dims), maxRank))
	}
	size := 1
	for _, d := range dims {
		if d < 0 {
			panic(fmt.Sprintf("h5io: %s %s: negative dimension in %v", fn, path, dims))
		}
		size *= d
	}
	if size != n {
		panic(fmt.Sprintf("h5io: %s %s: dims %v hold %d values, data has %d", fn, path, dims, size, n))
	}
	return dims
}

// ptr returns the address of the first element of s, or nil.
func ptr[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.SliceData(s))
}

// writeData writes data with the shape dims (see WriteFloat64).
func writeData[T elem](f *File, fn, path string, data []T, dims []int) error {
	shape := shapeOf(fn, path, len(data), dims)
	return f.pathCall("write", path, true, func(loc C.hid_t, p string, cp *C.char, eb *errBuf) C.int {
		if rc := f.dropLogs(p, eb); rc != C.VMC_OK {
			return rc
		}
		var cdims [maxRank]C.hsize_t
		for i, d := range shape {
			cdims[i] = C.hsize_t(d)
		}
		return C.vmc_dset_write(loc, cp, codeOf[T](), C.int(len(shape)), &cdims[0], ptr(data), eb.ptr())
	})
}

// readData reads a dataset into a new []T and returns it with its shape.
func readData[T elem](f *File, path string) (data []T, shape []int, err error) {
	err = f.pathCall("read", path, false, func(loc C.hid_t, _ string, cp *C.char, eb *errBuf) C.int {
		var rc C.int
		if shape, rc = datasetShape(loc, cp, eb); rc != C.VMC_OK {
			return rc
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		data = make([]T, n)
		return C.vmc_dset_read(loc, cp, codeOf[T](), ptr(data), C.hsize_t(n), eb.ptr())
	})
	if err != nil {
		return nil, nil, err
	}
	return data, shape, nil
}

// appendData appends the values v as rows (see AppendFloat64).
func appendData[T elem](f *File, path string, v []T) error {
	code := codeOf[T]()
	if p, err := clean(path); err == nil && p == "/" {
		return wrap("append", p, errors.New("the root is a group"))
	}
	return f.pathCall("append", path, true, func(loc C.hid_t, p string, cp *C.char, eb *errBuf) C.int {
		l, ok := f.logs[p]
		if ok && l.code != code {
			// Reopen, to check the stored type against the new one.
			if rc := f.dropLogs(p, eb); rc != C.VMC_OK {
				return rc
			}
			ok = false
		}
		if !ok {
			var rc C.int
			ds := C.vmc_log_open(loc, cp, code, appendChunk, &rc, eb.ptr())
			if rc != C.VMC_OK {
				return rc
			}
			l = openLog{ds: ds, code: code}
			f.logs[p] = l
		}
		rc := C.vmc_log_append(l.ds, code, ptr(v), C.hsize_t(len(v)), eb.ptr())
		if rc != C.VMC_OK {
			var ignored errBuf // the append's message matters more
			f.dropLogs(p, &ignored)
		}
		return rc
	})
}
