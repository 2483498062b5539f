package runfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

// LockSuffix is appended to the main file's name to name its lock file
// (FILE.h5.lock). A Writer holds an exclusive flock on it from Create or
// Resume to Close; the lock file is removed when the Writer releases it.
// This lock is vmc's own: it does not depend on HDF5's file locking, which
// readers are told to turn off (HDF5_USE_FILE_LOCKING=FALSE).
const LockSuffix = ".lock"

// LockPath returns the lock file of the main file path.
func LockPath(path string) string { return path + LockSuffix }

// runLock is a held lock on a run.
type runLock struct{ f *os.File }

// lockTries and lockWait bound how long acquire waits for a lock that a
// process holds only briefly (Busy takes a shared lock for a moment).
const (
	lockTries = 5
	lockWait  = 20 * time.Millisecond
)

// acquire takes the exclusive lock of the run whose main file is path. It
// fails with an error wrapping ErrInUse when another process holds it, or
// holds the main file under HDF5's lock (a writer that does not take ours).
//
// The holder removes the lock file before it unlocks, so a process that
// opened the old file and got its lock afterwards holds a lock on a file
// that no longer has the name: acquire checks that the file it locked is
// the one the name points to, and starts again if not.
func acquire(path string) (*runLock, error) {
	lp := LockPath(path)
	for try := 0; ; try++ {
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("runfile: %s: cannot create the lock file: %w", h5io.ShortName(path), pathCause(err))
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			held, herr := f.Stat()
			named, nerr := os.Stat(lp)
			if herr == nil && nerr == nil && os.SameFile(held, named) {
				lk := &runLock{f: f}
				if flocked(path) {
					lk.release()
					return nil, inUse(path)
				}
				return lk, nil
			}
			_ = f.Close()
			if try < lockTries {
				continue
			}
		} else {
			_ = f.Close()
			if !errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("runfile: %s: cannot lock %s: %w", h5io.ShortName(path), filepath.Base(lp), err)
			}
		}
		if try >= lockTries {
			return nil, inUse(path)
		}
		time.Sleep(lockWait)
	}
}

// inUse is the error for a run that another process writes.
func inUse(path string) error {
	return fmt.Errorf("runfile: %s: %w (a running vmc is writing it: stop it with SIGINT first)", h5io.ShortName(path), ErrInUse)
}

// release removes the lock file and unlocks it. Releasing a nil or
// released lock does nothing.
func (l *runLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = os.Remove(l.f.Name())
	_ = l.f.Close()
	l.f = nil
}

// Busy reports whether another process writes the run whose main file is
// path: it holds the run's lock file, or holds the main file itself under
// HDF5's exclusive lock (a writer that runs with HDF5's file locking on,
// which is the default). It only tests the locks, taking a shared lock for
// a moment and releasing it.
func Busy(path string) bool {
	return flocked(LockPath(path)) || flocked(path)
}

// flocked reports whether some process holds an exclusive flock on the file
// at path.
func flocked(path string) bool {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false // and a FIFO is never opened: that would block
	}
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

// pathCause drops the file name of an *os.PathError (the message names the
// file already, shortened).
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
