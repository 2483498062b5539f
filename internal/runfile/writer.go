package runfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

// Writer writes a run's main file as the run goes, and its checkpoints.
// Its methods must be called from one goroutine.
type Writer struct {
	f    *h5io.File
	path string
	// tmp is the temporary name a new run is written under until its first
	// checkpoint (Create); "" once the file is in place.
	tmp     string
	lock    *runLock
	meta    Meta
	lat     Lattice
	ed      *ED
	rows    []Row // the log so far, also kept for the companion
	written int   // rows[:written] are in the file

	mirrorIter int    // iteration of the last complete checkpoint in the main file; -1 if none
	mirrorTorn bool   // a mirror was started and not completed
	slot       string // the slot holding it; "" if none

	// companion receives the outcome of the companion being written in the
	// background; nil when none is.
	companion chan companionDone
	compStart time.Time     // when the last companion write started
	compCost  time.Duration // how long writing the last one took
	compTotal time.Duration // and all of them

	// The log is written when the last write is older than flushBudget
	// times what one costs (see LogIteration).
	lastFlush time.Time
	flushCost time.Duration // moving average of sync

	logTime, ckptTime time.Duration
}

// flushBudget bounds the share of the run's wall time spent writing the
// log: LogIteration holds rows back while the last write is more recent
// than flushBudget times the cost of a write, so writing costs at most
// about 1/flushBudget of the time, and a row that comes later than
// flushBudget writes (about 100 × 0.25 ms = 25 ms here) goes out at once.
const flushBudget = 100

// Create starts the main file of a new run at path: root attributes,
// lattice and empty log datasets, flushed. The run gets a new run id
// (meta.RunID is replaced), which binds its companion to it.
//
// Create first takes the run's lock (LockPath), so that nothing is
// truncated or replaced while another process writes the run: it fails
// with an error wrapping ErrInUse when another vmc holds the lock (or, for
// a writer that does not take it, HDF5's lock on the main file). Then it
// refuses, with an error wrapping ErrExists, when path or its checkpoint
// companion exists, unless force is set.
//
// The new file is written under a temporary name in the same directory,
// path + ".tmp"; the first Checkpoint renames it over path and only then
// removes an old companion. A Writer closed before its first checkpoint
// (a run that failed in pre-flight) removes the temporary file and leaves
// an old file and its companion as they were.
func Create(path string, force bool, meta Meta, lat Lattice) (w *Writer, err error) {
	lk, err := acquire(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lk.release()
		}
	}()
	comp := CompanionPath(path)
	for _, p := range []string{path, comp} {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(p), pathCause(err))
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(p), h5io.NotRegular(fi))
		case !force:
			return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(p), ErrExists)
		}
	}
	tmp := tmpPath(path)
	for _, p := range []string{tmp, tmpPath(comp)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(p), pathCause(err))
		}
	}
	f, err := h5io.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("runfile: %w", err)
	}
	meta.RunID = newRunID()
	w = &Writer{f: f, path: path, tmp: tmp, lock: lk, meta: meta, lat: lat, mirrorIter: -1}
	if err = writeRun(f, &Run{Meta: meta, Lattice: lat}); err == nil {
		err = f.Flush()
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("runfile: %s: %w", h5io.ShortName(path), err)
	}
	return w, nil
}

// tmpPath is the temporary name under which path is written before it is
// renamed into place.
func tmpPath(path string) string { return path + ".tmp" }

// newRunID returns a random run id: 32 hexadecimal digits.
func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on Linux
	return hex.EncodeToString(b[:])
}

// Resume rebuilds the main file at path from r, a run read by Load, with
// the root attributes meta, and returns a Writer that continues it: the log
// is cut back to the checkpoint's iteration, /result is dropped, and the
// companion is rewritten with the same checkpoint. The run keeps its run
// id (meta.RunID is replaced by r's; a file without one gets a new one).
//
// Resume takes the run's lock first and fails with an error wrapping
// ErrInUse when another process writes the run. Holding it, it reads the
// run again and fails if it changed since r was read (another process
// continued it meanwhile), so that a checkpoint never goes back. The new
// main file is written to a temporary file and renamed over the old one,
// so a main file that a kill -9 left unreadable is replaced and a failure
// leaves it as it was.
func Resume(path string, r *Run, meta Meta) (w *Writer, err error) {
	ck := r.Checkpoint
	if ck == nil {
		return nil, fmt.Errorf("runfile: resume %s: %w", h5io.ShortName(path), ErrNoCheckpoint)
	}
	if len(r.Log) < ck.Iteration {
		return nil, fmt.Errorf("runfile: resume %s: the log has %d rows, the checkpoint is at iteration %d", h5io.ShortName(path), len(r.Log), ck.Iteration)
	}
	lk, err := acquire(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lk.release()
		}
	}()
	now, err := load(path)
	if err != nil {
		return nil, err
	}
	if now.Meta.RunID != r.Meta.RunID || now.Checkpoint.Iteration != ck.Iteration {
		return nil, fmt.Errorf("runfile: resume %s: the run changed since it was read (checkpoint at iteration %d, now %d): another vmc continued it; read it again", h5io.ShortName(path), ck.Iteration, now.Checkpoint.Iteration)
	}
	meta.RunID = r.Meta.RunID
	if meta.RunID == "" {
		meta.RunID = newRunID()
	}
	snap := &Run{
		Meta: meta, Lattice: r.Lattice, ED: r.ED, Log: r.Log[:ck.Iteration:ck.Iteration],
		Checkpoint: ck,
	}
	if _, err := writeRunFile(path, snap); err != nil {
		return nil, err
	}
	if _, err := writeRunFile(CompanionPath(path), snap); err != nil {
		return nil, err
	}
	f, err := h5io.Open(path, false)
	if err != nil {
		return nil, fmt.Errorf("runfile: resume: %w", err)
	}
	return &Writer{
		f: f, path: path, lock: lk, meta: meta, lat: r.Lattice, ed: r.ED,
		rows: append([]Row(nil), snap.Log...), written: len(snap.Log),
		mirrorIter: ck.Iteration, slot: Slots[0],
	}, nil
}

// Path returns the main file's name.
func (w *Writer) Path() string { return w.path }

// Rows returns the number of log rows logged.
func (w *Writer) Rows() int { return len(w.rows) }

// LogSeconds returns the time spent writing and flushing the log.
func (w *Writer) LogSeconds() float64 { return w.logTime.Seconds() }

// CheckpointSeconds returns the time the caller spent in Checkpoint (the
// companion is written in the background and not counted).
func (w *Writer) CheckpointSeconds() float64 { return w.ckptTime.Seconds() }

// CompanionSeconds returns the time the background goroutine spent writing
// the companions that finished so far (their fsyncs excluded).
func (w *Writer) CompanionSeconds() float64 { return w.compTotal.Seconds() }

// CheckpointIteration returns the iteration of the last checkpoint, -1 if
// none was written.
func (w *Writer) CheckpointIteration() int { return w.mirrorIter }

// LogIteration adds r to the log: it appends the row to every /log
// dataset and flushes the file, so that the row survives a kill of the
// process and readers that open the file afterwards see it. When
// iterations are much shorter than a flush (under flushBudget flushes,
// about 25 ms here), rows wait in memory and go out together with a later
// one, which keeps the cost of logging near 1/flushBudget of the run time;
// Checkpoint, WriteED, WriteResult and Close always write them.
func (w *Writer) LogIteration(r Row) error {
	t := time.Now()
	w.rows = append(w.rows, r)
	if t.Sub(w.lastFlush) < flushBudget*w.flushCost {
		w.logTime += time.Since(t)
		return nil
	}
	if err := w.sync(); err != nil {
		return fmt.Errorf("runfile: log iteration %d: %w", r.Iteration, err)
	}
	return nil
}

// WriteED stores the exact-diagonalization result under /ed.
func (w *Writer) WriteED(e ED) error {
	return w.update(func() error {
		if err := writeED(w.f, &e); err != nil {
			return err
		}
		w.ed = &e
		return nil
	})
}

// update runs write on the main file, then writes the pending log rows and
// flushes it; errors read "runfile: ...".
func (w *Writer) update(write func() error) error {
	err := write()
	if err == nil {
		err = w.sync()
	}
	if err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	return nil
}

// Checkpoint saves ck, which must be the state after the last logged row
// (ck.Iteration == Rows()), into /checkpoint of the main file and, in the
// background, into the companion. The Writer keeps ck: the caller must not
// change it afterwards.
//
// The mirror in the main file is written every time: complete = false is
// flushed before any dataset is overwritten, complete = true after all of
// them, so a kill in between leaves a checkpoint that Load ignores.
//
// The companion (a whole run file: a copy of the log included) is written
// by a goroutine, to a temporary file that is fsynced and renamed over the
// companion. It is skipped while the previous one is still being written
// or was started less than companionBudget times its writing time ago, so
// that it never costs more than a small share of the run. An error of the
// background write is returned by a later Checkpoint or by Close. Which
// copy lands first does not matter: Load takes the later complete
// checkpoint of the two.
func (w *Writer) Checkpoint(ck *Checkpoint) error {
	t := time.Now()
	defer func() { w.ckptTime += time.Since(t) }()
	if ck.Iteration != len(w.rows) || ck.Driver.Iteration != ck.Iteration {
		panic(fmt.Sprintf("runfile: checkpoint at iteration %d (driver %d) after %d log rows", ck.Iteration, ck.Driver.Iteration, len(w.rows)))
	}
	// The slot not holding the last checkpoint.
	slot := Slots[0]
	if w.slot == Slots[0] {
		slot = Slots[1]
	}
	g := SlotPath(slot)
	w.mirrorTorn = true
	err := func() error {
		if err := w.f.CreateGroup(g); err != nil {
			return err
		}
		if err := w.f.SetAttrBool(g, "complete", false); err != nil {
			return err
		}
		if err := w.sync(); err != nil { // also writes the pending log rows
			return err
		}
		if err := writeCheckpoint(w.f, g, ck); err != nil {
			return err
		}
		if err := markCurrent(w.f, slot, ck.Iteration); err != nil {
			return err
		}
		return w.f.Flush()
	}()
	if err != nil {
		return fmt.Errorf("runfile: checkpoint in %s: %w", h5io.ShortName(w.path), err)
	}
	w.mirrorIter, w.mirrorTorn, w.slot = ck.Iteration, false, slot
	if w.tmp != "" {
		if err := w.putInPlace(); err != nil {
			return err
		}
	}
	// The companion after the mirror: its HDF5 calls then overlap with the
	// caller's next iteration rather than with the mirror's.
	return w.startCompanion(ck, t)
}

// putInPlace renames the new run's temporary file, which now holds a
// complete checkpoint, over the main file, and then removes the companion
// of the run it replaces.
func (w *Writer) putInPlace() error {
	if err := syncFile(w.tmp); err != nil {
		return fmt.Errorf("runfile: %s: %w", h5io.ShortName(w.tmp), pathCause(err))
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return fmt.Errorf("runfile: %s: %w", h5io.ShortName(w.path), pathCause(err))
	}
	w.tmp = ""
	syncDir(filepath.Dir(w.path))
	if err := os.Remove(CompanionPath(w.path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("runfile: %s: %w", h5io.ShortName(CompanionPath(w.path)), pathCause(err))
	}
	return nil
}

// companionBudget bounds the share of the run spent writing companions:
// a new one starts only when the last one started at least
// companionBudget times its writing time (fsync excluded: it waits for the
// disk without using the processor) ago. With the default config (a
// checkpoint every 10 iterations of ~20 ms, a companion write of ~3 ms)
// every checkpoint reaches the companion.
const companionBudget = 20

// companionDone is the outcome of a background companion write.
type companionDone struct {
	took time.Duration
	err  error
}

// startCompanion starts writing ck to the companion in the background,
// unless one is being written or the budget says to wait.
func (w *Writer) startCompanion(ck *Checkpoint, now time.Time) error {
	if w.companion != nil {
		select {
		case d := <-w.companion:
			if err := w.companionFinished(d); err != nil {
				return err
			}
		default:
			return nil // still writing the previous one
		}
	}
	if !w.compStart.IsZero() && now.Sub(w.compStart) < companionBudget*w.compCost {
		return nil
	}
	k := ck.Iteration
	// Rows [0, k) are never changed: the goroutine may read them while
	// LogIteration appends after them.
	snap := &Run{Meta: w.meta, Lattice: w.lat, ED: w.ed, Log: w.rows[:k:k], Checkpoint: ck}
	done := make(chan companionDone, 1)
	go func() {
		took, err := writeRunFile(CompanionPath(w.path), snap)
		done <- companionDone{took: took, err: err}
	}()
	w.companion, w.compStart = done, now
	return nil
}

func (w *Writer) companionFinished(d companionDone) error {
	w.companion = nil
	w.compCost = d.took
	w.compTotal += d.took
	return d.err
}

// waitCompanion waits for the companion being written, if any.
func (w *Writer) waitCompanion() error {
	if w.companion == nil {
		return nil
	}
	return w.companionFinished(<-w.companion)
}

// WriteResult stores the final parameters in /parameters and the final
// evaluation as attributes of /result.
func (w *Writer) WriteResult(r Result, params []complex128) error {
	return w.update(func() error {
		if err := w.f.WriteComplex128(PathParameters, params); err != nil {
			return err
		}
		return writeResult(w.f, &r)
	})
}

// WriteObservables stores measured observables under /observables, one
// group per observable (see Observable).
func (w *Writer) WriteObservables(obs []Observable) error {
	return w.update(func() error {
		for i := range obs {
			if err := writeObservable(w.f, &obs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// sync appends the rows not yet in the file, flushes it, and updates the
// measured cost of doing so (counted as logging time).
func (w *Writer) sync() error {
	t := time.Now()
	if err := appendRows(w.f, w.rows[w.written:]); err != nil {
		return err
	}
	w.written = len(w.rows)
	if err := w.f.Flush(); err != nil {
		return err
	}
	w.lastFlush = time.Now()
	d := w.lastFlush.Sub(t)
	w.logTime += d
	if w.flushCost == 0 {
		w.flushCost = d
	} else {
		w.flushCost = (7*w.flushCost + d) / 8
	}
	return nil
}

// Close writes the pending log rows, waits for the companion being
// written, closes the main file and releases the run's lock. When the main
// file closed cleanly after its last checkpoint, the companion is
// redundant and removed: the main file alone holds the run. A new run
// closed before its first checkpoint removes its temporary file: a file
// it was to replace stays as it was.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	defer w.lock.release()
	cerr := w.waitCompanion()
	serr := w.sync()
	err := errors.Join(serr, w.f.Close())
	w.f = nil
	if w.tmp != "" {
		if rerr := os.Remove(w.tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
		w.tmp = ""
		if err != nil {
			return fmt.Errorf("runfile: %s: %w", h5io.ShortName(w.path), err)
		}
		return nil
	}
	if err != nil {
		return errors.Join(cerr, fmt.Errorf("runfile: %w", err))
	}
	if cerr != nil {
		return cerr
	}
	if w.mirrorTorn {
		return nil // the companion may hold the only complete checkpoint
	}
	comp := CompanionPath(w.path)
	for _, p := range []string{comp, tmpPath(comp), tmpPath(w.path)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("runfile: %w", err)
		}
	}
	return nil
}

// isLockError reports whether err is HDF5's refusal to open a file that
// another process holds.
func isLockError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to lock file")
}
