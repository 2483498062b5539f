package h5io

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// Attributes live on an object named by its path: "/" for the root, or a
// group or dataset. Setting an attribute replaces any attribute of that
// name, whatever its type.

// SetAttrString sets a string attribute, stored as a variable-length UTF-8
// string (h5py returns str). v must not contain NUL bytes.
func (f *File) SetAttrString(obj, name, v string) error {
	if strings.IndexByte(v, 0) >= 0 {
		return wrap("write", attrTarget(obj, name), errors.New("string contains a NUL byte"))
	}
	return f.attrCall("write", obj, name, true, func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int {
		cv := C.CString(v)
		defer C.free(unsafe.Pointer(cv))
		return C.vmc_attr_write(loc, o, n, C.VMC_STR, 0, 1, unsafe.Pointer(&cv), eb.ptr())
	})
}

// SetAttrInt64 sets a scalar int64 attribute.
func (f *File) SetAttrInt64(obj, name string, v int64) error {
	return setAttr(f, obj, name, 0, []int64{v})
}

// SetAttrFloat64 sets a scalar float64 attribute.
func (f *File) SetAttrFloat64(obj, name string, v float64) error {
	return setAttr(f, obj, name, 0, []float64{v})
}

// SetAttrBool sets a boolean attribute, stored as h5py stores numpy bools:
// an enum of int8 with FALSE = 0 and TRUE = 1 (h5py returns numpy.bool_,
// h5dump prints the names).
func (f *File) SetAttrBool(obj, name string, v bool) error {
	var b boolean
	if v {
		b = 1
	}
	return setAttr(f, obj, name, 0, []boolean{b})
}

// SetAttrFloat64s sets a one-dimensional float64 attribute. Attributes are
// kept in the object header (at most 64 KiB in all): store long arrays as
// datasets.
func (f *File) SetAttrFloat64s(obj, name string, v []float64) error {
	return setAttr(f, obj, name, 1, v)
}

// SetAttrInt64s sets a one-dimensional int64 attribute; see SetAttrFloat64s.
func (f *File) SetAttrInt64s(obj, name string, v []int64) error {
	return setAttr(f, obj, name, 1, v)
}

// AttrString returns a string attribute, variable-length or fixed-length
// (trailing padding removed).
func (f *File) AttrString(obj, name string) (string, error) {
	var s string
	err := f.attrCall("read", obj, name, false, func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int {
		var out *C.char
		rc := C.vmc_attr_read_str(loc, o, n, &out, eb.ptr())
		if out != nil {
			s = C.GoString(out)
			C.free(unsafe.Pointer(out))
		}
		return rc
	})
	return s, err
}

// AttrInt64 returns an integer attribute holding one value.
func (f *File) AttrInt64(obj, name string) (int64, error) {
	return one(getAttr[int64](f, obj, name, false))
}

// AttrFloat64 returns a floating-point attribute holding one value.
func (f *File) AttrFloat64(obj, name string) (float64, error) {
	return one(getAttr[float64](f, obj, name, false))
}

// AttrBool returns a boolean attribute: the enum written by SetAttrBool or
// h5py, or a one-byte integer (non-zero is true).
func (f *File) AttrBool(obj, name string) (bool, error) {
	v, err := one(getAttr[boolean](f, obj, name, false))
	return v != 0, err
}

// AttrFloat64s returns a floating-point attribute as a slice.
func (f *File) AttrFloat64s(obj, name string) ([]float64, error) {
	return getAttr[float64](f, obj, name, true)
}

// AttrInt64s returns an integer attribute as a slice.
func (f *File) AttrInt64s(obj, name string) ([]int64, error) {
	return getAttr[int64](f, obj, name, true)
}

// HasAttr reports whether obj exists and has an attribute called name.
func (f *File) HasAttr(obj, name string) bool {
	var np C.hsize_t
	return f.attrCall("read", obj, name, false, func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int {
		return C.vmc_attr_len(loc, o, n, &np, eb.ptr())
	}) == nil
}

// AttrNames returns the names of the attributes of obj, in name order.
func (f *File) AttrNames(obj string) ([]string, error) { return f.names("list attributes of", obj, 1) }

func attrTarget(obj, name string) string {
	return fmt.Sprintf("attribute %q of %s", name, obj)
}

// attrCall validates obj and name and runs fn inside f.call.
func (f *File) attrCall(op, obj, name string, write bool, fn func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int) error {
	p, err := clean(obj)
	if err != nil {
		return wrap(op, attrTarget(obj, name), err)
	}
	if err := checkName("attribute name", name); err != nil {
		return wrap(op, attrTarget(p, name), err)
	}
	return f.call(op, attrTarget(p, name), write, func(loc C.hid_t, eb *errBuf) C.int {
		var cs cstrings
		defer cs.free()
		return fn(loc, cs.add(p), cs.add(name), eb)
	})
}

// setAttr writes a scalar (rank 0, one value) or a one-dimensional
// attribute.
func setAttr[T elem](f *File, obj, name string, rank int, v []T) error {
	return f.attrCall("write", obj, name, true, func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int {
		return C.vmc_attr_write(loc, o, n, codeOf[T](), C.int(rank), C.hsize_t(len(v)), ptr(v), eb.ptr())
	})
}

// getAttr reads a numeric attribute; unless many, it must hold one value.
func getAttr[T elem](f *File, obj, name string, many bool) ([]T, error) {
	var v []T
	err := f.attrCall("read", obj, name, false, func(loc C.hid_t, o, n *C.char, eb *errBuf) C.int {
		var np C.hsize_t
		if rc := C.vmc_attr_len(loc, o, n, &np, eb.ptr()); rc != C.VMC_OK {
			return rc
		}
		if !many && np != 1 {
			return eb.set(C.VMC_EFAIL, fmt.Sprintf("holds %d values, want 1", np))
		}
		v = make([]T, int(np))
		return C.vmc_attr_read(loc, o, n, codeOf[T](), ptr(v), np, eb.ptr())
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// one returns the single value of v.
func one[T any](v []T, err error) (T, error) {
	var z T
	if err != nil {
		return z, err
	}
	return v[0], nil
}
