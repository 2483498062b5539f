package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	code, stdout, stderr := vmcRun(t, "check", cfg, "--json")
	if code != exitOK {
		t.Fatalf("check: code %d: %s", code, stderr)
	}
	m := oneJSON(t, stdout)
	requireKeys(t, m, "n_sites", "n_edges", "sector_dimension", "ed_feasible", "n_parameters", "sr_memory_by_solver", "warnings")
	if m["sector_dimension"].(float64) != 70 || m["n_parameters"].(float64) != 80 || m["ed_feasible"] != true {
		t.Errorf("check --json: %v", m)
	}
	// 64 samples on 4 chains in a 70-state sector: exact summation is suggested.
	if w := m["warnings"].([]any); len(w) == 0 || !strings.Contains(w[0].(string), "sampler.exact") {
		t.Errorf("warnings %v", w)
	}

	// A real RBM without the sign rule on a frustrated lattice is flagged.
	frus := writeFile(t, dir, "tri.toml", "[lattice]\nkind = \"triangular\"\nextent = [3, 3]\n[hamiltonian]\nkind = \"heisenberg\"\ntotal_sz = 0.5\n[ansatz]\ndtype = \"real\"\n")
	code, stdout, stderr = vmcRun(t, "check", frus)
	if code != exitOK || !strings.Contains(stdout, "real positive wavefunction cannot represent") {
		t.Errorf("check tri: code %d\n%s%s", code, stdout, stderr)
	}

	// rbm-symm: the group size is reported; a symmetric ansatz is flagged
	// where nothing guarantees a symmetric ground state (no sign rule on a
	// frustrated lattice) and not where Perron–Frobenius does (sign rule).
	for _, tc := range []struct {
		lattice string
		group   float64
		warn    bool
	}{
		{"kind = \"square\"\nextent = [4, 4]", 128, false},
		{"kind = \"triangular\"\nextent = [3, 3]", 1296, true}, // 9·12 space group; the 3×3 torus has 12 times more bond symmetries
	} {
		f := writeFile(t, dir, "symm.toml", "[lattice]\n"+tc.lattice+"\n[hamiltonian]\nkind = \"heisenberg\"\n[ansatz]\nkind = \"rbm-symm\"\nsymmetries = \"automorphisms\"\n")
		code, stdout, stderr = vmcRun(t, "check", f, "--json")
		if code != exitOK {
			t.Fatalf("check %s: code %d: %s", tc.lattice, code, stderr)
		}
		m := oneJSON(t, stdout)
		warned := strings.Contains(fmt.Sprint(m["warnings"]), "a symmetric ansatz represents only states invariant under every lattice symmetry")
		if m["symmetry_group_size"] != tc.group || warned != tc.warn {
			t.Errorf("check %s: group %v (want %v), warning %v (want %v): %v", tc.lattice, m["symmetry_group_size"], tc.group, warned, tc.warn, m["warnings"])
		}
	}

	// Invalid configs fail exactly as run does: exit 2, file and key named.
	bad := filepath.Join("..", "..", "run", "testdata", "bad", "local-fixed-sz.toml")
	code, _, stderr = vmcRun(t, "check", bad)
	if code != exitUsage || !strings.Contains(stderr, "local-fixed-sz.toml: sampler.move:") {
		t.Errorf("check bad: code %d: %s", code, stderr)
	}
	if code, _, _ = vmcRun(t, "check"); code != exitUsage {
		t.Errorf("check without a file: code %d", code)
	}
}

// Every broken config of run/testdata/bad exits with code 2 and
// a one-line message naming the file, without a panic or a stack trace.
func TestBadConfigsExitCode(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "run", "testdata", "bad", "*.toml"))
	if len(files) < 30 {
		t.Fatalf("%d bad configs", len(files))
	}
	for _, f := range files {
		for _, cmd := range []string{"run", "ed", "check"} {
			if cmd == "ed" && strings.HasPrefix(filepath.Base(f), "output-") {
				continue // vmc ed writes no file: output problems are not its business
			}
			code, stdout, stderr := vmcRun(t, cmd, f, "--json")
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, f+":") || strings.Contains(stderr, "goroutine") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s %s: code %d, stdout %q, stderr %q", cmd, f, code, stdout, stderr)
			}
		}
	}
}
