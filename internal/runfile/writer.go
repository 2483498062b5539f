package runfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

// Writer writes a run's main file as the run goes, and its checkpoints.
// Its methods must be called from one goroutine.
type Writer struct {
	f       *h5io.File
	path    string
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

// Create creates the main file at path for a new run: root attributes,
// lattice and empty log datasets, flushed. It refuses, with an error
// wrapping ErrExists, when path or its checkpoint companion exists, unless
// force is set; with force it replaces the file and removes the companion.
func Create(path string, force bool, meta Meta, lat Lattice) (*Writer, error) {
	comp := CompanionPath(path)
	if !force {
		for _, p := range []string{path, comp} {
			if _, err := os.Stat(p); err == nil {
				return nil, fmt.Errorf("runfile: %s: %w", p, ErrExists)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("runfile: %w", err)
			}
		}
	}
	f, err := h5io.Create(path)
	if err != nil {
		if isLockError(err) {
			return nil, fmt.Errorf("runfile: %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("runfile: %w", err)
	}
	// The file is ours now (HDF5 locks it): a companion left by an earlier
	// run of the same name would be taken for this run's checkpoint.
	for _, p := range []string{comp, comp + ".tmp", path + ".tmp"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			_ = f.Close()
			return nil, fmt.Errorf("runfile: %w", err)
		}
	}
	w := &Writer{f: f, path: path, meta: meta, lat: lat, mirrorIter: -1}
	err = func() error {
		if err := writeMeta(f, meta); err != nil {
			return err
		}
		if err := writeLattice(f, lat); err != nil {
			return err
		}
		if err := appendRows(f, nil); err != nil {
			return err
		}
		return f.Flush()
	}()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("runfile: %w", err)
	}
	return w, nil
}

// Resume rebuilds the main file at path from r, a run read by Load, with
// the root attributes meta, and returns a Writer that continues it: the log
// is cut back to the checkpoint's iteration, /result is dropped, and the
// companion is rewritten with the same checkpoint. The new main file is
// written to a temporary file and renamed over the old one, so a main file
// that a kill -9 left unreadable is replaced and a failure leaves it as it
// was. Resume fails with an error wrapping ErrInUse when another process
// has the file open for writing.
func Resume(path string, r *Run, meta Meta) (*Writer, error) {
	ck := r.Checkpoint
	if ck == nil {
		return nil, fmt.Errorf("runfile: resume %s: %w", path, ErrNoCheckpoint)
	}
	if len(r.Log) < ck.Iteration {
		return nil, fmt.Errorf("runfile: resume %s: the log has %d rows, the checkpoint is at iteration %d", path, len(r.Log), ck.Iteration)
	}
	if f, err := h5io.Open(path, false); err == nil {
		_ = f.Close()
	} else if isLockError(err) {
		return nil, fmt.Errorf("runfile: resume %s: %w", path, ErrInUse)
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
		f: f, path: path, meta: meta, lat: r.Lattice, ed: r.ED,
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
	if err := writeED(w.f, &e); err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	w.ed = &e
	if err := w.sync(); err != nil {
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
		return fmt.Errorf("runfile: checkpoint in %s: %w", w.path, err)
	}
	w.mirrorIter, w.mirrorTorn, w.slot = ck.Iteration, false, slot
	// The companion after the mirror: its HDF5 calls then overlap with the
	// caller's next iteration rather than with the mirror's.
	return w.startCompanion(ck, t)
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
	if err := w.f.WriteComplex128(PathParameters, params); err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	if err := writeResult(w.f, &r); err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	if err := w.sync(); err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	return nil
}

// WriteObservables stores measured observables under /observables, one
// group per observable (see Observable).
func (w *Writer) WriteObservables(obs []Observable) error {
	for i := range obs {
		if err := writeObservable(w.f, &obs[i]); err != nil {
			return fmt.Errorf("runfile: %w", err)
		}
	}
	if err := w.sync(); err != nil {
		return fmt.Errorf("runfile: %w", err)
	}
	return nil
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
// written and closes the main file. When the main file closed cleanly
// after its last checkpoint, the companion is redundant and removed: the
// main file alone holds the run.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	cerr := w.waitCompanion()
	serr := w.sync()
	err := errors.Join(serr, w.f.Close())
	w.f = nil
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
	for _, p := range []string{comp, comp + ".tmp", w.path + ".tmp"} {
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
