package main

import (
	"math"
	"testing"
)

// ED in a momentum sector gives the ground-state energy of the full S^z
// sector when the ground state lies in it, in a much smaller dimension. The
// 8-ring's ground state is at k = 0 with the Marshall sign rule and, N/2
// being even, without it too (package ed tests the general rule).
func TestEDMomentum(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "small.toml", smallConfig)
	for _, tc := range []struct {
		sets []string
		dim  float64
	}{
		{[]string{"ed.momentum=zero"}, 10},
		{[]string{"ed.momentum=zero", "hamiltonian.sign_rule=false"}, 10},
	} {
		args := append([]string{"ed", cfg, "--json"}, setFlags(tc.sets)...)
		code, stdout, stderr := vmcRun(t, args...)
		if code != exitOK {
			t.Fatalf("%v: code %d: %s", tc.sets, code, stderr)
		}
		m := oneJSON(t, stdout)
		if e := m["energy"].(float64); math.Abs(e-e0Chain8) > 1e-9 {
			t.Errorf("%v: E0 = %.12f, want %.12f", tc.sets, e, e0Chain8)
		}
		if m["dimension"].(float64) != tc.dim || m["momentum"] != "zero" {
			t.Errorf("%v: dimension %v, momentum %v", tc.sets, m["dimension"], m["momentum"])
		}
	}
	// k = π on an odd ring is a config error.
	code, _, stderr := vmcRun(t, "ed", cfg, "--set", "lattice.extent=[9]", "--set", "hamiltonian.total_sz=0.5", "--set", "ed.momentum=pi")
	if code != exitUsage {
		t.Errorf("odd ring with k = π: code %d: %s", code, stderr)
	}
}

func setFlags(sets []string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, "--set", s)
	}
	return out
}
