package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vmc-lattice/vmc/internal/testutil"
)

// TestMain lets the tests run the test binary as the vmc command
// (VMC_TEST_MAIN=1), for the tests that kill or signal a real process.
func TestMain(m *testing.M) {
	if os.Getenv("VMC_TEST_MAIN") == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

// vmcRun runs a command line in-process and returns the exit code, stdout
// and stderr.
func vmcRun(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := execute(context.Background(), args, env{stdout: &stdout, stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

// smallConfig is a run that takes a fraction of a second: a Heisenberg
// ring of 8 spins (ED dimension 70), RBM alpha = 1 (80 parameters).
const smallConfig = `seed = 3
[lattice]
kind = "chain"
extent = [8]
[hamiltonian]
kind = "heisenberg"
[ansatz]
alpha = 1
[sampler]
chains = 4
samples = 64
burn_in = 8
[optimizer]
iterations = 20
[evaluate]
samples = 256
[output]
checkpoint_every = 3
`

// e0Chain8 is the exact ground-state energy of the Heisenberg ring of 8
// spins in spin units (Bethe ansatz; our ED gives it to 1e-12).
const e0Chain8 = -3.651093408937

func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// oneJSON decodes stdout, which must hold exactly one JSON object.
func oneJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON object:\n%s", stdout)
	}
	return m
}

func requireKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks key %q", k)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := vmcRun(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "vmc ") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("version: code %d, stdout %q", code, stdout)
	}
}

func TestUsageAndConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	bad := writeFile(t, dir, "bad.toml", "[lattice]\nkind = \"chain\"\nextnt = [8]\n")
	out := filepath.Join(dir, "x.h5")
	for i, c := range []struct {
		args   []string
		code   int
		stderr string // a part of the message
	}{
		{nil, exitUsage, "Usage:"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"run", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		// Config errors name the file and the key (the wording is the
		// config package's).
		{[]string{"run", bad}, exitUsage, bad + ": lattice.extnt: unknown key"},
		{[]string{"run", cfg, "--set", "sampler.chains=0"}, exitUsage, cfg + ": sampler.chains: "},
		{[]string{"run", cfg, "--threads", "0"}, exitUsage, "--threads wants an integer from 1 to"},
		{[]string{"run", cfg, "--threads", "100000000"}, exitUsage, "--threads wants an integer from 1 to"},
		{[]string{"ed", cfg, "--threads", "100000000"}, exitUsage, "--threads wants an integer from 1 to"},
		{[]string{"run", cfg, "--seed", "-1"}, exitUsage, "--seed wants an integer from 0 to 2^63−1"},
		{[]string{"run", cfg, "--seed", "18446744073709551615"}, exitUsage, "--seed wants an integer from 0 to 2^63−1 = 9223372036854775807, got \"18446744073709551615\""},
		{[]string{"run", cfg, "--max-memory", "lots"}, exitUsage, "want a positive memory size"},
		// Sizes that validation accepts but no machine holds are refused
		// before anything is allocated, naming the key (issue: they used
		// to crash with "fatal error: out of memory" after the run).
		{[]string{"run", cfg, "--out", out, "--set", "sampler.samples=100000000000"}, exitUsage, cfg + ": sampler.samples: the run needs about"},
		{[]string{"run", cfg, "--out", out, "--set", "evaluate.samples=100000000000"}, exitUsage, cfg + ": evaluate.samples: the run needs about"},
		{[]string{"run", "--out", out, "--set", "ansatz.alpha=100000"}, exitUsage, "configs/default.toml (embedded): ansatz.alpha: the run needs about"},
		{[]string{"run", cfg, "--out", out, "--set", "observables.renyi2_samples=100000000000", "--set", "observables.renyi2_region=[0,1]"}, exitUsage, cfg + ": observables.renyi2_samples: the run needs about"},
		{[]string{"run", cfg, "--out", out, "--max-memory", "1k"}, exitUsage, "more than the 1.0 kB available; lower"},
		{[]string{"check", cfg, "--set", "sampler.samples=100000000000"}, exitUsage, cfg + ": sampler.samples: the run needs about"},
		{[]string{"run", cfg, cfg}, exitUsage, "want at most one CONFIG file"},
		{[]string{"run", "--resume", out}, exitUsage, out + ": no such file"},
		{[]string{"run", "--resume", out, "--seed", "2"}, exitUsage, "--seed cannot be combined with --resume"},
		{[]string{"run", "--resume", out, "--set", "sampler.samples=8"}, exitUsage, "--set sampler.samples cannot be combined with --resume"},
		{[]string{"run", "--resume", out, cfg}, exitUsage, "give no CONFIG"},
		{[]string{"ed", bad}, exitUsage, bad + ": lattice.extnt: unknown key"},
		{[]string{"ed", cfg, "--states", "0"}, exitUsage, "--states wants a positive integer"},
		{[]string{"analyze"}, exitUsage, "analyze wants one FILE.h5"},
		{[]string{"analyze", out}, exitUsage, out + ": no such file"},
		{[]string{"analyze", out, "--plot", "x.gif"}, exitUsage, `--plot wants a file name ending in one of "png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff" (the format), got "x.gif"`},
		{[]string{"version", "x"}, exitUsage, "version takes no arguments"},
	} {
		code, stdout, stderr := vmcRun(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) || (c.args != nil && stdout != "") {
			t.Errorf("case %d: vmc %s: code %d (want %d)\nstderr: %s\nwant it to contain: %s\nstdout: %q",
				i, strings.Join(c.args, " "), code, c.code, stderr, c.stderr, stdout)
		}
	}
}

func TestEDJSON(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "small.toml", smallConfig)
	code, stdout, stderr := vmcRun(t, "ed", cfg, "--json", "--states", "3")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, stderr)
	}
	m := oneJSON(t, stdout)
	requireKeys(t, m, "energy", "energy_per_site", "energies", "dimension", "total_sz", "n_sites", "units", "wall_seconds")
	// 1e-9: Lanczos converges to ~1e-12; the reference has 12 digits.
	if e := m["energy"].(float64); abs(e-e0Chain8) > 1e-9 {
		t.Errorf("energy %v, want %v", e, e0Chain8)
	}
	if len(m["energies"].([]any)) != 3 || m["dimension"].(float64) != 70 || m["total_sz"].(float64) != 0 || m["units"] != "spin" {
		t.Errorf("ed --json: %v", m)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// runKeys are the keys ARCHITECTURE.md requires of run --json.
var runKeys = []string{"energy", "energy_error", "energy_per_site", "variance", "n_sites", "n_parameters",
	"iterations", "units", "ed_energy", "relative_error", "wall_seconds", "samples_per_second", "output"}

func TestRunJSONAndAnalyze(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "run.h5")
	plot := filepath.Join(dir, "energy.png")
	code, stdout, stderr := vmcRun(t, "run", cfg, "--json", "--out", out, "--set", `output.plot="`+plot+`"`)
	if code != exitOK {
		t.Fatalf("run: code %d: %s", code, stderr)
	}
	m := oneJSON(t, stdout)
	requireKeys(t, m, runKeys...)
	if m["output"] != out || m["iterations"].(float64) != 20 || m["n_sites"].(float64) != 8 || m["n_parameters"].(float64) != 80 {
		t.Errorf("run --json: %v", m)
	}
	if m["ed_energy"] == nil || m["relative_error"] == nil || m["plot"] != plot {
		t.Errorf("run --json: ed_energy %v, relative_error %v, plot %v", m["ed_energy"], m["relative_error"], m["plot"])
	}
	if fi, err := os.Stat(plot); err != nil || fi.Size() < 1000 {
		t.Errorf("output.plot: %v", err)
	}
	if _, err := os.Stat(out + ".ckpt"); err == nil {
		t.Errorf("the companion %s.ckpt survived a finished run", out)
	}

	// analyze reads the same numbers back.
	code, stdout, stderr = vmcRun(t, "analyze", out, "--json")
	if code != exitOK {
		t.Fatalf("analyze: code %d: %s", code, stderr)
	}
	a := oneJSON(t, stdout)
	for _, k := range []string{"energy", "energy_error", "energy_per_site", "variance", "ed_energy", "relative_error", "n_sites", "n_parameters", "iterations", "units"} {
		if a[k] != m[k] {
			t.Errorf("analyze %s = %v, run said %v", k, a[k], m[k])
		}
	}
	if a["status"] != "finished" || a["checkpoint_iteration"].(float64) != 20 {
		t.Errorf("analyze: status %v, checkpoint %v", a["status"], a["checkpoint_iteration"])
	}
	plot2 := filepath.Join(dir, "analyze.svg")
	code, stdout, stderr = vmcRun(t, "analyze", out, "--plot", plot2)
	if code != exitOK {
		t.Fatalf("analyze --plot: code %d: %s", code, stderr)
	}
	for _, want := range []string{"finished", "energy ", "exact E0", "relative error", "80 parameters", "per iteration"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("analyze output lacks %q:\n%s", want, stdout)
		}
	}
	if fi, err := os.Stat(plot2); err != nil || fi.Size() < 1000 {
		t.Errorf("analyze --plot: %v", err)
	}

	// The file is not overwritten without --force.
	code, stdout, stderr = vmcRun(t, "run", cfg, "--quiet", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "use --force") || stdout != "" {
		t.Errorf("second run: code %d, stderr %s", code, stderr)
	}
	if code, _, stderr = vmcRun(t, "run", cfg, "--quiet", "--out", out, "--force", "--set", "optimizer.iterations=0"); code != exitOK {
		t.Errorf("run --force: code %d: %s", code, stderr)
	}
}

// TestDocsSnippet runs the h5py example of docs/hdf5.md (its first python
// block) on a real run file.
func TestDocsSnippet(t *testing.T) {
	py := testutil.RequireTool(t, "/usr/bin/python3", "-c", "import h5py")
	doc, err := os.ReadFile("../../docs/hdf5.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```python\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("docs/hdf5.md has no python block")
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "vmc-run.h5")
	runIn(t, "run", cfg, "--quiet", "--out", out)
	script := strings.ReplaceAll(block, `"vmc-run.h5"`, strconv.Quote(out)) + `
assert len(log["energy"]) == 20 and log["iteration"][-1] == 19
assert params.dtype == np.complex128 and params.shape == (80,)
assert isinstance(config, str) and "[lattice]" in config
assert units == "spin" and abs(e0 - result["ed_energy"]) == 0
print("ok")
`
	o, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil || strings.TrimSpace(string(o)) != "ok" {
		t.Fatalf("docs snippet: %v\n%s\nscript:\n%s", err, o, script)
	}
}

// Error messages show a huge file name by its two ends; a name that is not
// UTF-8 is used byte for byte by --out.
func TestLongAndOddNames(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, strings.Repeat("a", 1<<20)+".toml")
	code, _, stderr := vmcRun(t, "run", long)
	if code != exitUsage || len(stderr) > 1000 || !strings.Contains(stderr, "bytes)…") || !strings.Contains(stderr, "cannot read config") {
		t.Errorf("code %d, %d bytes of stderr: %.300s", code, len(stderr), stderr)
	}
	if got := shorten("x " + strings.Repeat("é", 200) + " y"); !strings.HasPrefix(got, "x ") || !strings.HasSuffix(got, " y") || !utf8.ValidString(got) {
		t.Errorf("shorten: %q", got)
	}
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	odd := filepath.Join(dir, "r\xff\xfe.h5")
	if code, _, stderr := vmcRun(t, "run", cfg, "--quiet", "--out", odd, "--set", "optimizer.iterations=2"); code != exitOK {
		t.Fatalf("code %d: %s", code, stderr)
	}
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("the run file is not under its name: %v", err)
	}
}

// J = 0 gives a zero-variance state with E = 0: the V-score is 0/0. --json
// still prints its object (null for the non-finite values), and so does
// analyze --json of the file.
func TestNonFiniteJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	out := filepath.Join(dir, "r.h5")
	code, stdout, stderr := vmcRun(t, "run", cfg, "--quiet", "--json", "--out", out, "--set", "hamiltonian.J=0", "--set", "optimizer.iterations=2", "--set", "ed.mode=\"off\"")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, stderr)
	}
	m := oneJSON(t, stdout)
	if v, ok := m["v_score"]; !ok || v != nil {
		t.Errorf("v_score = %v (present %v), want null", v, ok)
	}
	code, stdout, stderr = vmcRun(t, "analyze", out, "--json")
	if code != exitOK {
		t.Fatalf("analyze: code %d: %s", code, stderr)
	}
	oneJSON(t, stdout)
}

// vmc ed --states above the dimension of the sector is a usage error.
func TestEDStatesAboveDim(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "small.toml", smallConfig)
	code, _, stderr := vmcRun(t, "ed", cfg, "--states", "100")
	if code != exitUsage || !strings.Contains(stderr, "ed: --states 100 is more than the dimension 70 of the sector (S^z_tot = 0)") {
		t.Errorf("code %d: %s", code, stderr)
	}
}
