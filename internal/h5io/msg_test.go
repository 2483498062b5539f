package h5io

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Messages from HDF5 become one short line: no time, descriptor, buffer
// address or byte counts, the system's cause kept.
func TestTidy(t *testing.T) {
	for i, c := range []struct{ in, want string }{
		{"unable to open file: file read failed: time = Fri Dec  4 14:52:00 2026\n, filename = 'd.h5', file descriptor = 5, errno = 21, error message = 'Is a directory', buf = 0x7fbb3e99d400, total read size = 8, bytes this sub-read = 8, bytes actually read = 18446744073",
			"unable to open file: file read failed: Is a directory"},
		{"close dataset: can't decrement count on dataset ID: file write failed: time = Fri Dec  4 14:52:01 2026\n, filename = 'big.h5', file descriptor = 5, errno = 27, error message = 'File too large', buf = 0x7fa2b400aed0, total write size = 8808",
			"close dataset: can't decrement count on dataset ID: file write failed: File too large"},
		{"unable to open file: truncated file: eof = 5000, sblock->base_addr = 0, stored_eof = 165920",
			"unable to open file: truncated file (5000 of 165920 bytes)"},
		{"unable to open file: unable to lock file, errno = 11, error message = 'Resource temporarily unavailable'",
			"unable to open file: unable to lock file: Resource temporarily unavailable"},
		{"unable to create file: unable to open file: name = '/x/y.h5', tent_flags = 13", "unable to create file: unable to open file"},
		{"write: stored type is float, want int64", "write: stored type is float, want int64"},
	} {
		if got := tidy(c.in); got != c.want {
			t.Errorf("case %d: tidy\n got %q\nwant %q", i, got, c.want)
		}
	}
	if got := tidy(strings.Repeat("x", 10000)); len(got) > maxMsg {
		t.Errorf("tidy kept %d bytes", len(got))
	}
}

func TestShortName(t *testing.T) {
	if s := ShortName("run.h5"); s != "run.h5" {
		t.Errorf("ShortName(run.h5) = %q", s)
	}
	long := strings.Repeat("é", 1<<20) + "/run.h5"
	s := ShortName(long)
	if len(s) > maxName || !strings.HasSuffix(s, "/run.h5") || !strings.Contains(s, "...") {
		t.Errorf("ShortName of a %d-byte name: %d bytes, %q", len(long), len(s), s)
	}
}

// A directory, a FIFO and a long name: Open and Create refuse anything that
// is not a regular file before HDF5 touches it (a FIFO would block the
// open), and every message is one line with the name shortened.
func TestOpenNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.h5")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, fifo} {
		if _, err := Open(p, true); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Open(%s): %v, want ErrNotRegular", p, err)
		}
		if _, err := Create(p); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Create(%s): %v, want ErrNotRegular", p, err)
		}
	}
	long := filepath.Join(dir, strings.Repeat("n", 200))
	if err := os.Mkdir(long, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(long, strings.Repeat("m", 200)+".h5")
	if err := os.WriteFile(name, []byte("not hdf5"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(name, true)
	if err == nil || len(err.Error()) > 300 || strings.Contains(err.Error(), "\n") {
		t.Errorf("Open of a long junk name: %v", err)
	}
	_, err = Create(filepath.Join(dir, "no", "such", "dir.h5"))
	if err == nil || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "0x") {
		t.Errorf("Create in a missing directory: %q", err)
	}
	t.Log(err)
}
