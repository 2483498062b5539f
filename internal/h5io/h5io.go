package h5io

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	pathpkg "path"
	"strings"
	"sync"
	"unsafe"
)

// Errors that callers may test for with errors.Is.
var (
	// ErrNotFound: the dataset, group or attribute does not exist.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the File was closed.
	ErrClosed = errors.New("file is closed")
	// ErrReadOnly: a write to a File opened read-only.
	ErrReadOnly = errors.New("file is open read-only")
)

// notFound is a message from the C helpers that means ErrNotFound.
type notFound struct{ msg string }

func (e notFound) Error() string { return e.msg }
func (e notFound) Unwrap() error { return ErrNotFound }

// File is an open HDF5 file.
//
// A File serializes its own methods with a mutex, so it may be shared, but
// HDF5 runs one call at a time anyway: do the I/O from one goroutine.
type File struct {
	mu       sync.Mutex
	id       C.hid_t // -1 once closed
	path     string
	readOnly bool

	// logs holds the datasets that Append keeps open, by path, so that an
	// append costs an extent change and a write into HDF5's chunk cache
	// rather than an open, a lookup and a chunk written out by the close.
	// Flush writes their cached chunks; Close closes them. Operations that
	// may replace or move a dataset first close the logs at or below it.
	logs map[string]openLog
}

// openLog is a dataset kept open for appending values of one type.
type openLog struct {
	ds   C.hid_t
	code C.int
}

// Create creates the HDF5 file at path, truncating any regular file already
// there, and opens it for reading and writing. It refuses anything that
// exists and is not a regular file (a directory, a FIFO, a device).
func Create(path string) (*File, error) { return open("create", path, C.VMC_CREATE) }

// ErrNotRegular: Open or Create was given something that is not a regular
// file (a directory, a FIFO, a device). It is refused before HDF5 opens it:
// opening a FIFO would block until some other process writes to it.
var ErrNotRegular = errors.New("not a regular file")

// NotRegular returns nil for a regular file, else ErrNotRegular wrapped
// with what fi is ("not a regular file (a FIFO)").
func NotRegular(fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	kind := "special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		kind = "directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "FIFO"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	case m&fs.ModeDevice != 0:
		kind = "device"
	}
	return fmt.Errorf("%w (a %s)", ErrNotRegular, kind)
}

// Open opens the existing HDF5 file at path, read-only or for reading and
// writing. It refuses anything that is not a regular file. While a process
// has the file open for writing, HDF5's file locking makes Open fail in
// other processes unless they run with the environment variable
// HDF5_USE_FILE_LOCKING=FALSE.
func Open(path string, readOnly bool) (*File, error) {
	if readOnly {
		return open("open", path, C.VMC_RDONLY)
	}
	return open("open", path, C.VMC_RDWR)
}

// open is Create (mode VMC_CREATE) and Open.
func open(op, path string, mode C.int) (*File, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		err = NotRegular(fi)
	case mode == C.VMC_CREATE:
		err = nil // HDF5 creates it or says why not
	case errors.Is(err, fs.ErrNotExist):
		err = fs.ErrNotExist
	default:
		err = unwrapPath(err)
	}
	if err != nil {
		return nil, fmt.Errorf("h5io: %s %s: %w", op, ShortName(path), err)
	}
	var eb errBuf
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	id := C.vmc_file_open(cp, mode, eb.ptr())
	if id < 0 {
		return nil, fmt.Errorf("h5io: %s %s: %w", op, ShortName(path), eb.result(C.VMC_EFAIL))
	}
	return &File{id: id, path: path, readOnly: mode == C.VMC_RDONLY, logs: make(map[string]openLog)}, nil
}

// unwrapPath drops the (possibly very long) file name of an *fs.PathError.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Close flushes and closes the file. Closing a closed File does nothing.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.id < 0 {
		return nil
	}
	var eb, ec errBuf
	logErr := eb.result(f.dropLogs("/", &eb))
	err := ec.result(C.vmc_file_close(f.id, ec.ptr()))
	f.id = -1
	if err == nil {
		err = logErr
	}
	if err != nil {
		return wrap("close", ShortName(f.path), err)
	}
	return nil
}

// dropLogs closes the open logs at path p or below it. It closes them all
// and reports the first failure (closing writes cached chunks).
func (f *File) dropLogs(p string, eb *errBuf) C.int {
	rc := C.int(C.VMC_OK)
	for lp, l := range f.logs {
		if p == "/" || lp == p || strings.HasPrefix(lp, p+"/") {
			var e errBuf
			if r := C.vmc_dataset_close(l.ds, e.ptr()); r != C.VMC_OK && rc == C.VMC_OK {
				rc = r
				*eb = e
			}
			delete(f.logs, lp)
		}
	}
	return rc
}

// Flush writes HDF5's cached data and metadata to the file (H5Fflush with
// global scope), so that a reader opening the file afterwards, or after the
// writer is killed, sees everything written so far. It hands the data to
// the operating system; it does not fsync.
func (f *File) Flush() error {
	return f.call("flush", ShortName(f.path), false, func(loc C.hid_t, eb *errBuf) C.int {
		return C.vmc_file_flush(loc, eb.ptr())
	})
}

// clean turns name into an absolute, clean HDF5 path ("log/x" → "/log/x").
func clean(name string) (string, error) {
	if err := checkName("path", name); err != nil {
		return "", err
	}
	return pathpkg.Clean("/" + name), nil
}

// checkName refuses an empty name or one with a NUL byte; what says what
// it names ("path", "attribute name").
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return fmt.Errorf("%s contains a NUL byte", what)
	}
	return nil
}

func wrap(op, target string, err error) error {
	return fmt.Errorf("h5io: %s %s: %w", op, target, err)
}

// call runs fn with the lock held on the open file's handle and wraps the
// error it reports as "h5io: op target: ...".
func (f *File) call(op, target string, write bool, fn func(loc C.hid_t, eb *errBuf) C.int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.id < 0 {
		return wrap(op, target, ErrClosed)
	}
	if write && f.readOnly {
		return wrap(op, target, ErrReadOnly)
	}
	var eb errBuf
	if err := eb.result(fn(f.id, &eb)); err != nil {
		return wrap(op, target, err)
	}
	return nil
}

// pathCall cleans path and runs fn inside f.call with the clean path, as a
// Go and as a C string.
func (f *File) pathCall(op, path string, write bool, fn func(loc C.hid_t, p string, cp *C.char, eb *errBuf) C.int) error {
	p, err := clean(path)
	if err != nil {
		return wrap(op, path, err)
	}
	return f.call(op, p, write, func(loc C.hid_t, eb *errBuf) C.int {
		cp := C.CString(p)
		defer C.free(unsafe.Pointer(cp))
		return fn(loc, p, cp, eb)
	})
}

// CreateGroup creates the group at path and any missing parents, like
// os.MkdirAll. An existing group is not an error.
func (f *File) CreateGroup(path string) error {
	return f.pathCall("create group", path, true, func(loc C.hid_t, _ string, cp *C.char, eb *errBuf) C.int {
		return C.vmc_mkgroup(loc, cp, eb.ptr())
	})
}

// IsGroup reports whether path names a group.
func (f *File) IsGroup(path string) bool { return f.kind(path) == C.VMC_KIND_GROUP }

// IsDataset reports whether path names a dataset.
func (f *File) IsDataset(path string) bool { return f.kind(path) == C.VMC_KIND_DATASET }

func (f *File) kind(path string) C.int {
	kind := C.int(C.VMC_KIND_NONE)
	f.pathCall("kind", path, false, func(loc C.hid_t, _ string, cp *C.char, _ *errBuf) C.int {
		kind = C.vmc_kind(loc, cp)
		return C.VMC_OK
	})
	return kind
}

// List returns the names of the links in group path, in name order.
func (f *File) List(path string) ([]string, error) { return f.names("list", path, 0) }

// names returns the link names of the group path (attrs = 0) or the
// attribute names of the object path (attrs = 1), in name order.
func (f *File) names(op, path string, attrs C.int) ([]string, error) {
	names := []string{}
	err := f.pathCall(op, path, false, func(loc C.hid_t, _ string, cp *C.char, eb *errBuf) C.int {
		var (
			out *C.char
			n   C.size_t
		)
		rc := C.vmc_names(loc, cp, attrs, &out, &n, eb.ptr())
		if out != nil {
			block := C.GoStringN(out, C.int(n))
			C.free(unsafe.Pointer(out))
			if block != "" {
				names = strings.Split(strings.TrimSuffix(block, "\x00"), "\x00")
			}
		}
		return rc
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// Shape returns the dimensions of the dataset at path.
func (f *File) Shape(path string) ([]int, error) { return f.shape("shape", path) }

// Len returns the number of rows of the dataset at path, that is its
// first dimension; for a log written with Append, the number of entries.
func (f *File) Len(path string) (int, error) {
	shape, err := f.shape("len", path)
	if err != nil {
		return 0, err
	}
	if len(shape) == 0 {
		p, _ := clean(path)
		return 0, wrap("len", p, errors.New("dataset is a scalar"))
	}
	return shape[0], nil
}

func (f *File) shape(op, path string) (shape []int, err error) {
	err = f.pathCall(op, path, false, func(loc C.hid_t, _ string, cp *C.char, eb *errBuf) C.int {
		var rc C.int
		shape, rc = datasetShape(loc, cp, eb)
		return rc
	})
	if err != nil {
		return nil, err
	}
	return shape, nil
}

// datasetShape returns the shape of a dataset.
func datasetShape(loc C.hid_t, p *C.char, eb *errBuf) ([]int, C.int) {
	var (
		rank C.int
		dims [maxRank]C.hsize_t
	)
	if rc := C.vmc_dset_info(loc, p, &rank, &dims[0], eb.ptr()); rc != C.VMC_OK {
		return nil, rc
	}
	shape := make([]int, int(rank))
	for i := range shape {
		shape[i] = int(dims[i])
	}
	return shape, C.VMC_OK
}

// openLogs returns the number of logs held open. For leak tests.
func (f *File) openLogs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.logs)
}

// openIDs returns the number of open identifiers of the file: files,
// datasets, groups, named datatypes, attributes. For leak tests.
func (f *File) openIDs() ([5]int64, error) {
	var counts [5]C.longlong
	var out [5]int64
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.id < 0 {
		return out, ErrClosed
	}
	if C.vmc_open_ids(f.id, &counts[0]) != C.VMC_OK {
		return out, errors.New("H5Fget_obj_count failed")
	}
	for i, c := range counts {
		out[i] = int64(c)
	}
	return out, nil
}
