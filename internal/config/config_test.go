package config

import (
	"os"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/configs"
)

func TestDefaults(t *testing.T) {
	cfg, err := Parse("x.toml", []byte("[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 1 || cfg.Sampler.Chains != 16 || cfg.Optimizer.LearningRate != 0.05 || cfg.Ansatz.Alpha != 2 {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
}

func TestTOMLRoundTrip(t *testing.T) {
	cfg, err := Parse("x.toml", configs.Default(), []string{"sampler.samples=512", "lattice.pbc=[true]", "hamiltonian.total_sz=1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("again.toml", []byte(cfg.TOML()), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, cfg.TOML())
	}
	if cfg.TOML() != again.TOML() {
		t.Fatalf("round trip changed the config:\n%s\n---\n%s", cfg.TOML(), again.TOML())
	}
	if again.Sampler.Samples != 512 || *again.Hamiltonian.TotalSz != 1 {
		t.Fatalf("overrides lost: %+v", again)
	}
}

func TestOverrides(t *testing.T) {
	base := "[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n"
	for i, tc := range []struct {
		set   []string
		check func(*Config) bool
	}{
		{[]string{"sampler.samples=4096"}, func(c *Config) bool { return c.Sampler.Samples == 4096 }},
		{[]string{"lattice.extent=[10]"}, func(c *Config) bool { return c.Lattice.Extent[0] == 10 }},
		{[]string{"hamiltonian.kind=ising", "hamiltonian.h=0.5"}, func(c *Config) bool { return c.Hamiltonian.Kind == "ising" && c.Hamiltonian.H == 0.5 }},
		{[]string{`ansatz.dtype="real"`}, func(c *Config) bool { return c.Ansatz.Dtype == "real" }},
		{[]string{"optimizer.learning_rate=1"}, func(c *Config) bool { return c.Optimizer.LearningRate == 1 }},
		{[]string{"seed=7"}, func(c *Config) bool { return c.Seed == 7 }},
	} {
		cfg, err := Parse("x.toml", []byte(base), tc.set)
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		if !tc.check(cfg) {
			t.Errorf("case %d: override %v not applied", i, tc.set)
		}
	}
}

func TestBadOverrides(t *testing.T) {
	base := []byte("[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n")
	for i, tc := range []struct{ set, want string }{
		{"samples", "x.toml: samples: --set wants key=value, got \"samples\""},
		{"lattice.kind.x=1", "x.toml: lattice.kind.x: kind is not a table"},
		{"sampler.chainz=3", `x.toml: sampler.chainz: unknown key (did you mean "sampler.chains"?)`},
		{"sampler.chains=0", "x.toml: sampler.chains: want a positive integer, got 0"},
		{"sampler.chains=abc", "x.toml: sampler.chains: --set: want an integer, got a string"},
		{"sampler=3", "x.toml: sampler: --set: want a table ([sampler]), got an integer"},
	} {
		_, err := Parse("x.toml", base, []string{tc.set})
		if err == nil || err.Error() != tc.want {
			t.Errorf("case %d: got %v, want %s", i, err, tc.want)
		}
	}
}

// A type error in the file keeps the file's line numbers when --set
// overrides other keys.
func TestTypeErrorLineWithOverrides(t *testing.T) {
	data, err := os.ReadFile("../../run/testdata/bad/wrong-type-bool.toml")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	want := "f.toml: " + strings.TrimPrefix(first, "# want: ")
	if _, err := Parse("f.toml", data, []string{"seed=2"}); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.toml", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/does-not-exist.toml: cannot read config") {
		t.Fatalf("got %v", err)
	}
}
