// Package h5io is the small, safe layer over the HDF5 C library (through a
// C shim of its own, shim.c) through which vmc writes and reads its output
// file.
//
// Every HDF5 call goes through that one C layer, which reads the error
// stack on the thread that failed; the module does not depend on
// gonum.org/v1/hdf5 (whose defects are listed in the project's DEPS.md).
// The shim has one function per operation (write, read, append a dataset;
// write, read an attribute) for every element type: values travel as a
// buffer with a type code, and a table in shim.c maps each code to its
// HDF5 type, its name in messages and the stored types that read as it.
// On the Go side the code follows from the element type (codeOf over the
// constraint elem), so the exported per-type methods are one-line wrappers
// of generic ones.
//
// # Model
//
// A File is opened with Create (truncates) or Open (read-only or
// read-write). Both refuse anything that is not a regular file before HDF5
// opens it (ErrNotRegular): opening a FIFO would block. Objects are named
// by slash paths from the root: "/log/energy", "/checkpoint/chains"; a
// relative path is taken from the root. Writing a dataset or group creates
// the missing parent groups. Every method opens the HDF5 objects it needs
// and closes them before it returns, on error paths too. The one exception
// is the logs: a File keeps each dataset it appends to open until Close
// (or until a write replaces it), which makes an append a few microseconds
// instead of tens. Close releases everything, and HDF5 then releases the
// file.
//
// # Types
//
//	Go            HDF5 (in the file)                        h5py reads
//	float64       H5T_IEEE_F64LE                            float64
//	int64         H5T_STD_I64LE                             int64
//	int8          H5T_STD_I8LE                              int8
//	uint64        H5T_STD_U64LE                             uint64
//	complex128    compound {F64LE "r" at 0; F64LE "i" at 8}  complex128
//	string        variable-length UTF-8 string (attributes)  str
//	bool          enum of int8 {FALSE = 0, TRUE = 1}         numpy.bool_
//	              (attributes; h5py's own encoding)
//
// Datasets are whole arrays of any of the numeric types, in row-major order
// with an explicit shape (WriteFloat64(path, data, rows, cols)). Strings
// are kept in attributes only: gonum/hdf5 crashes on string datasets, and
// text (the run's TOML config) belongs next to the data it describes.
// Reading refuses any stored type but the one written (same class, size
// and signedness; only the byte order may differ): float32 data are not
// read as float64, nor int8 data as uint64. A file whose types differ is
// not one this package wrote, and converting would hide that.
//
// Logs are one-dimensional, chunked datasets with no maximum length, grown
// one row (or a few) at a time by AppendFloat64 and AppendInt64. (A
// resumed run rewrites its file from the checkpoint rather than cutting the
// log back, so there is no Truncate, nor Move or Delete.)
//
// # Errors
//
// Errors name the operation and the object and carry the HDF5 error
// stack's own message, made one line: the system's cause replaces HDF5's
// dump of a failed read or write (time, descriptor, buffer address, sizes),
// and file names longer than 120 bytes are shortened (ShortName):
//
//	h5io: append /log/energy: stored type is float, want int64
//	h5io: open run.h5: open file: unable to open file: unable to lock file: Resource temporarily unavailable
//	h5io: open run.h5: open file: unable to open file: truncated file (5000 of 165920 bytes)
//
// ErrNotFound, ErrClosed, ErrReadOnly and ErrNotRegular can be tested with
// errors.Is.
// Programmer errors (dims that do not match the data) panic.
//
// # Durability and concurrent readers
//
// HDF5 caches metadata and chunks in memory. Flush (H5Fflush) writes them
// to the file: after a Flush the file on disk is a consistent HDF5 file that
// holds every row appended so far, even if the process is killed before
// Close (the tests kill a writer with SIGKILL to check this). Flush does
// not fsync, so it protects against a crash of the program, not of the
// machine.
//
// While a writer has the file open, HDF5's file locking makes other
// processes fail to open it ("unable to lock file") unless they set
// HDF5_USE_FILE_LOCKING=FALSE. With that setting a reader that opens the
// file after a Flush sees the flushed data. This is not SWMR: a reader that
// keeps the file open does not see later rows, and one that opens it while
// the writer is between an append and its Flush can see a stale or torn
// state. Readers of a live run should reopen after each iteration's Flush
// and tolerate an occasional failure.
//
// # Threads
//
// The HDF5 library serializes all calls (Debian builds it thread-safe), and
// a File serializes its own methods, so sharing a File between goroutines
// is safe but never faster: do the I/O from one goroutine.
package h5io
