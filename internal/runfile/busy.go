package runfile

import (
	"errors"
	"os"
	"syscall"
)

// Busy reports whether another process holds the file at path open for
// writing through HDF5. HDF5 (1.10 and later, POSIX drivers) takes an
// exclusive flock on a file it opens for writing and a shared one on a
// file it reads, unless file locking is turned off in that process; Busy
// asks for a shared lock without waiting and reports whether an exclusive
// holder refused it. A writer that runs with HDF5_USE_FILE_LOCKING=FALSE
// takes no lock and is not seen.
func Busy(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(fd, syscall.LOCK_UN)
	return false
}
