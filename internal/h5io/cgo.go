package h5io

// The flags find Debian's serial HDF5 on linux (or one in /usr/local)
// without needing pkg-config; they are those gonum.org/v1/hdf5 used when
// this package went through it.

// #cgo LDFLAGS: -lhdf5
// #cgo darwin CFLAGS: -I/usr/local/include
// #cgo darwin LDFLAGS: -L/usr/local/lib
// #cgo linux,!arm64 CFLAGS: -I/usr/local/include -I/usr/lib/x86_64-linux-gnu/hdf5/serial/include
// #cgo linux,!arm64 LDFLAGS: -L/usr/local/lib -L/usr/lib/x86_64-linux-gnu/hdf5/serial/
// #cgo linux,arm64 CFLAGS: -I/usr/local/include -I/usr/lib/aarch64-linux-gnu/hdf5/serial/include
// #cgo linux,arm64 LDFLAGS: -L/usr/local/lib -L/usr/lib/aarch64-linux-gnu/hdf5/serial/
// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"errors"
	"unsafe"
)

// elem lists the Go types of dataset and attribute values; codeOf maps
// each to its type code in shim.h, so that the type is chosen in one place.
type elem interface {
	float64 | int64 | int8 | uint64 | complex128 | boolean
}

// boolean is a bool as stored: 0 or 1 in one byte, in the file the enum of
// int8 that h5py writes for numpy bools.
type boolean int8

func codeOf[T elem]() C.int {
	var z T
	switch any(z).(type) {
	case float64:
		return C.VMC_F64
	case int64:
		return C.VMC_I64
	case int8:
		return C.VMC_I8
	case uint64:
		return C.VMC_U64
	case complex128:
		return C.VMC_C128
	default: // boolean
		return C.VMC_BOOL
	}
}

const maxRank = C.VMC_MAXRANK

// errBuf receives a message from the C helpers.
type errBuf [C.VMC_ERRLEN]C.char

func (b *errBuf) ptr() *C.char { return &b[0] }

// result turns a C helper's return code and message into an error.
func (b *errBuf) result(rc C.int) error {
	switch rc {
	case C.VMC_OK:
		return nil
	case C.VMC_ENOTFOUND:
		return notFound{C.GoString(b.ptr())}
	default:
		return errors.New(tidy(C.GoString(b.ptr())))
	}
}

// cstrings converts Go strings to C strings; free releases them all.
type cstrings []*C.char

func (cs *cstrings) add(s string) *C.char {
	p := C.CString(s)
	*cs = append(*cs, p)
	return p
}

func (cs cstrings) free() {
	for _, p := range cs {
		C.free(unsafe.Pointer(p))
	}
}

// set stores msg as the message and returns rc, for Go code running inside
// File.call.
func (b *errBuf) set(rc C.int, msg string) C.int {
	n := min(len(msg), len(b)-1)
	for i := 0; i < n; i++ {
		b[i] = C.char(msg[i])
	}
	b[n] = 0
	return rc
}
