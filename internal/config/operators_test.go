package config

import "testing"

// [[observables.operators]] entries decode with the term keys promoted and
// survive the TOML round trip.
func TestOperatorsRoundTrip(t *testing.T) {
	src := "[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n" +
		"[[observables.operators]]\nname = \"zz1\"\nop = \"zz\"\nbonds = 1\ncoupling = 0.125\n" +
		"[[observables.operators]]\nname = \"sx\"\nop = \"x\"\ncoupling = [1.0, 0.0]\n"
	cfg, err := Parse("x.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	ops := cfg.Observables.Operators
	if len(ops) != 2 || ops[0].Name != "zz1" || ops[0].Op != "zz" || ops[0].Bonds != 1 || ops[1].Op != "x" {
		t.Fatalf("decoded %+v", ops)
	}
	again, err := Parse("again.toml", []byte(cfg.TOML()), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, cfg.TOML())
	}
	if again.TOML() != cfg.TOML() {
		t.Errorf("round trip changed the config:\n%s\n---\n%s", cfg.TOML(), again.TOML())
	}
	if _, err := Parse("x.toml", []byte(src+"bogus = 1\n"), nil); err == nil {
		t.Error("an unknown key in an operator entry was accepted")
	}
}
