package run

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vmc-lattice/vmc/configs"
)

// FuzzParse checks that no input makes config loading (parsing and building the problem) panic: every broken
// file must come back as an error. Seeds: the shipped and the test configs.
// CI runs it for a bounded time (make test).
func FuzzParse(f *testing.F) {
	for _, name := range configs.Names() {
		data, _ := configs.Read(name)
		f.Add(data, "sampler.samples=64")
	}
	files, _ := filepath.Glob("testdata/*/*.toml")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data, "lattice.extent=[3,3]")
	}
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		p, err := Parse("fuzz.toml", data, []string{set})
		if err != nil {
			return
		}
		// The ansatz of a valid config can be built (small ones: the
		// fuzzer must stay fast).
		if p.Lattice.NumSites() <= 64 {
			if _, err := p.NewAnsatz(); err != nil {
				t.Fatalf("validated config fails to build its ansatz: %v", err)
			}
		}
		// A valid config survives its own round trip.
		if _, err := Parse("again.toml", []byte(p.Config.TOML()), nil); err != nil {
			t.Fatalf("round trip of a valid config fails: %v\n%s", err, p.Config.TOML())
		}
	})
}
