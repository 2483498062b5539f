package runfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Busy sees an exclusive flock (what HDF5 takes for a writer) held through
// another open file description, and nothing else.
func TestBusy(t *testing.T) {
	name := filepath.Join(t.TempDir(), "run.h5")
	if Busy(name) {
		t.Error("a missing file is busy")
	}
	if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if Busy(name) {
		t.Error("an unlocked file is busy")
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	if Busy(name) {
		t.Error("a file under a shared (reader's) lock is busy")
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if !Busy(name) {
		t.Error("a file under an exclusive (writer's) lock is not busy")
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if Busy(name) {
		t.Error("busy after unlock")
	}
}
