package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

// Issue #11, item 5: --resume of a file whose /ed/energies is empty
// panicked; it is refused with one line naming the file and the dataset.
func TestResumeEmptyEnergies(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "run.h5")
	runIn(t, "run", cfg, "--quiet", "--out", out, "--set", "optimizer.iterations=3")
	f, err := h5io.Open(out, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteFloat64("/ed/energies", []float64{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := vmcRun(t, "run", "--quiet", "--resume", out, "--set", "optimizer.iterations=5")
	if code != exitFailed || !strings.Contains(stderr, "/ed/energies") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--resume with empty /ed/energies: code %d, stderr %q", code, stderr)
	}
}

// Issue #11, item 10: a FILE that is not a vmc run file (text, a FIFO, a
// directory) is the same clear error with the same exit code (2) for
// analyze and run --resume, and a FIFO does not hang either.
func TestNotRunFileExitCodes(t *testing.T) {
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.h5", "not a run\n")
	fifo := filepath.Join(dir, "fifo.h5")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub.h5")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{notes, fifo, sub} {
		for _, args := range [][]string{{"analyze", p}, {"run", "--quiet", "--resume", p}} {
			done := make(chan bool, 1)
			go func() {
				code, _, stderr := vmcRun(t, args...)
				if code != exitUsage || !strings.Contains(stderr, "not a vmc run file") || strings.Contains(stderr, "--force") ||
					strings.Count(stderr, "\n") != 1 {
					t.Errorf("vmc %s: code %d, stderr %q", strings.Join(args, " "), code, stderr)
				}
				done <- true
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("vmc %s hangs", strings.Join(args, " "))
			}
		}
	}
}
