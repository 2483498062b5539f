package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestEvolveResumeAndAnalyze runs vmc evolve to t = 0.2, extends it with
// --resume to t = 0.4, and reads the file with vmc analyze (JSON and
// plot); it also checks the usage errors of --resume.
func TestEvolveResumeAndAnalyze(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join("..", "..", "run", "testdata", "evolve-small.toml")
	out := filepath.Join(dir, "q.h5")
	code, stdout, stderr := vmcRun(t, "evolve", cfg, "--quiet", "--threads", "1", "--out", out, "--set", "dynamics.t_end=0.2", "--set", "dynamics.every=0.1")
	if code != 0 {
		t.Fatalf("evolve: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = vmcRun(t, "evolve", "--resume", out, "--quiet", "--json", "--set", "dynamics.t_end=0.4")
	if code != 0 {
		t.Fatalf("evolve --resume: exit %d\n%s%s", code, stdout, stderr)
	}
	m := oneJSON(t, stdout)
	if m["t_end"] != 0.4 || m["resumed_from"] != 0.2 || m["resumes"] != 1.0 || m["times"] != 5.0 {
		t.Errorf("resumed summary %v", m)
	}
	png := filepath.Join(dir, "q.png")
	code, stdout, stderr = vmcRun(t, "analyze", out, "--json", "--plot", png)
	if code != 0 {
		t.Fatalf("analyze: exit %d\n%s%s", code, stdout, stderr)
	}
	m = oneJSON(t, stdout)
	requireKeys(t, m, "deviation", "energy_drift", "plot")
	if m["kind"] != "dynamics" || m["status"] != "finished" || m["t_end"] != 0.4 {
		t.Errorf("analyze summary %v", m)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"evolve", "--resume", out, cfg}, "drop the CONFIG argument"},
		{[]string{"evolve", "--resume", out, "--out", filepath.Join(dir, "x.h5")}, "would name another file"},
		{[]string{"evolve", "--resume", filepath.Join(dir, "none.h5")}, "no such file"},
		{[]string{"evolve", "--resume", cfg}, "not a vmc run file"},
		{[]string{"evolve", "--resume", out}, "already reached t = 0.4"},
		{[]string{"evolve", "--resume", out, "--set", "dynamics.every=0.05"}, "dynamics.every: cannot change on --resume"},
	} {
		code, _, stderr := vmcRun(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
