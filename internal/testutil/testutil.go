// Package testutil holds helpers shared by the tests of several packages.
// Only test files import it.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// InCI reports whether the tests run under continuous integration: the
// environment variable CI holds a true value for strconv.ParseBool ("true",
// "1", ...). .ci/run sets CI=true.
func InCI() bool {
	ok, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ok
}

// RequireTool returns the path of the external program name (looked up as
// exec.LookPath does). With check, it also runs `name check...` and requires
// it to succeed, for example "-c", "import h5py" for a Python module.
//
// A missing or failing tool skips the test, except under CI (see InCI),
// where it fails the test: a test that proves an external tool reads our
// files must not pass silently where the tool should be installed.
// scripts/deps.sh installs the tools the tests use (hdf5-tools for h5dump
// and h5ls, python3-h5py for /usr/bin/python3 with h5py).
func RequireTool(t testing.TB, name string, check ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil && len(check) > 0 {
		if out, cerr := exec.Command(path, check...).CombinedOutput(); cerr != nil {
			err = fmt.Errorf("%s %s: %v: %s", path, strings.Join(check, " "), cerr, strings.TrimSpace(string(out)))
		}
	}
	if err != nil {
		msg := fmt.Sprintf("%s unavailable (%v): install it with scripts/deps.sh (Debian packages hdf5-tools, python3-h5py)", name, err)
		if InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}
