package config

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmc-lattice/vmc/ansatz"
)

// MaxSites bounds the lattice size a config may ask for (unit cells ×
// basis sites is checked by the lattice package itself).
const MaxSites = 1 << 16

// MaxSymmWeights bounds alpha·|G|·N for rbm-symm: 2^26 complex weights are
// 1 GiB, and as many operations per local update of all hidden units.
const MaxSymmWeights = 1 << 26

// MaxParams bounds the number of variational parameters (2^26 complex
// numbers are 1 GiB, before the per-sample log-derivatives of SR).
const MaxParams = 1 << 26

// AnsatzKinds lists the implemented values of ansatz.kind.
var AnsatzKinds = []string{"rbm", "rbm-symm", "ffnn", "jastrow", "gcnn"}

// MaxGroupOrder bounds |G| for a gcnn: its multiplication table has |G|²
// entries and every convolution costs F²·|G|² operations per evaluation.
const MaxGroupOrder = 4096

// ValidCharacters reports whether s names a character of ansatz.characters:
// "trivial", "pi" or "sign" followed by a positive integer.
func ValidCharacters(s string) bool {
	if s == "trivial" || s == "pi" {
		return true
	}
	k, ok := SignIndex(s)
	return ok && k >= 1
}

// SignIndex returns k for s = "sign<k>".
func SignIndex(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, "sign")
	if !ok || rest == "" || len(rest) > 6 {
		return 0, false
	}
	k := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			return 0, false
		}
		k = 10*k + int(r-'0')
	}
	return k, true
}

func keyErr(key, format string, args ...any) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// OneOf checks that v is one of allowed; key names it in the error.
func OneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return keyErr(key, "want one of %s, got %q", QuoteList(allowed), v)
}

// QuoteList quotes and joins s for messages: "a", "b".
func QuoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func finite(key string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return keyErr(key, "want a finite number, got %v", v)
	}
	return nil
}

// Positive checks that v ≥ 1; key names it in the error.
func Positive(key string, v int) error {
	if v < 1 {
		return keyErr(key, "want a positive integer, got %d", v)
	}
	return nil
}

func (c *Config) validate() error {
	for _, check := range []func() error{
		func() error {
			if c.Seed < 0 {
				return keyErr("seed", "want a non-negative integer, got %d", c.Seed)
			}
			return nil
		},
		func() error { return finite("hamiltonian.J", c.Hamiltonian.J) },
		func() error { return finite("hamiltonian.J2", c.Hamiltonian.J2) },
		func() error { return finite("hamiltonian.delta", c.Hamiltonian.Delta) },
		func() error { return finite("hamiltonian.h", c.Hamiltonian.H) },
		func() error { return OneOf("ansatz.kind", c.Ansatz.Kind, AnsatzKinds...) },
		func() error { return Positive("ansatz.alpha", c.Ansatz.Alpha) },
		func() error { return OneOf("ansatz.dtype", c.Ansatz.Dtype, "complex", "real") },
		func() error {
			if err := OneOf("ansatz.symmetries", c.Ansatz.Symmetries, "none", "translations", "automorphisms"); err != nil {
				return err
			}
			if c.Ansatz.Symmetries == "none" && (c.Ansatz.Kind == "rbm-symm" || c.Ansatz.Kind == "gcnn") {
				return keyErr("ansatz.symmetries", "kind = %q needs a group: \"translations\" or \"automorphisms\"", c.Ansatz.Kind)
			}
			if c.Ansatz.SpinFlip && c.Ansatz.Kind != "rbm-symm" {
				return keyErr("ansatz.spin_flip", "only kind = \"rbm-symm\" imposes spin-flip symmetry, got kind = %q", c.Ansatz.Kind)
			}
			return nil
		},
		func() error {
			v := *c.Ansatz.InitScale
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return keyErr("ansatz.init_scale", "want a finite non-negative number, got %v", v)
			}
			return nil
		},
		func() error {
			a := c.Ansatz
			if v := a.AmplitudeScale; !(v > 0) || math.IsInf(v, 0) {
				return keyErr("ansatz.amplitude_scale", "want a finite number > 0, got %v", v)
			} else if v != 1 && (a.Kind != "gcnn" || a.Dtype != "real") {
				return keyErr("ansatz.amplitude_scale", "only a real gcnn (kind = \"gcnn\", dtype = \"real\") has a separate amplitude readout, got kind = %q, dtype = %q", a.Kind, a.Dtype)
			}
			if a.Kind != "gcnn" {
				if a.Characters != "trivial" {
					return keyErr("ansatz.characters", "only kind = \"gcnn\" is projected onto a character, got kind = %q", a.Kind)
				}
				if len(a.Momentum) > 0 {
					return keyErr("ansatz.momentum", "only kind = \"gcnn\" is projected onto a momentum, got kind = %q", a.Kind)
				}
				return nil
			}
			if len(a.Momentum) > 0 && (a.Symmetries != "translations" || a.Characters != "trivial") {
				return keyErr("ansatz.momentum", "a momentum is a character of the translations: use it with symmetries = \"translations\" and without ansatz.characters")
			}
			if len(a.Features) == 0 {
				return keyErr("ansatz.features", "want at least one layer, got []")
			}
			for _, w := range a.Features {
				if w < 1 {
					return keyErr("ansatz.features", "want positive numbers of features, got %v", a.Features)
				}
			}
			if !ValidCharacters(a.Characters) {
				return keyErr("ansatz.characters", "want \"trivial\", \"pi\" or \"sign1\", \"sign2\", …, got %q", a.Characters)
			}
			if a.Characters == "pi" && a.Symmetries != "translations" {
				return keyErr("ansatz.characters", "\"pi\" is a character of the translations: use it with symmetries = \"translations\", or a sign character of the automorphisms")
			}
			if _, err := ansatz.ParseActivation(a.Activation); err != nil {
				return keyErr("ansatz.activation", "want one of %s, got %q", QuoteList(ansatz.ActivationNames()), a.Activation)
			}
			return nil
		},
		func() error {
			if c.Ansatz.Kind != "ffnn" {
				return nil
			}
			if len(c.Ansatz.Layers) == 0 {
				return keyErr("ansatz.layers", "want at least one hidden layer width, got []")
			}
			for _, w := range c.Ansatz.Layers {
				if w < 1 {
					return keyErr("ansatz.layers", "want positive widths, got %v", c.Ansatz.Layers)
				}
			}
			if _, err := ansatz.ParseActivation(c.Ansatz.Activation); err != nil {
				return keyErr("ansatz.activation", "want one of %s, got %q", QuoteList(ansatz.ActivationNames()), c.Ansatz.Activation)
			}
			return nil
		},
		func() error { return OneOf("sampler.move", c.Sampler.Move, "auto", "local", "exchange", "bond") },
		func() error {
			d := c.Sampler.Distant
			if math.IsNaN(d) || d < 0 || d > 1 {
				return keyErr("sampler.distant", "want a probability between 0 and 1, got %v", d)
			}
			return nil
		},
		func() error { return Positive("sampler.chains", c.Sampler.Chains) },
		func() error { return Positive("sampler.samples", c.Sampler.Samples) },
		func() error { return Positive("sampler.sweep", c.Sampler.Sweep) },
		func() error {
			if c.Sampler.BurnIn < 0 {
				return keyErr("sampler.burn_in", "want a non-negative number of sweeps, got %d", c.Sampler.BurnIn)
			}
			if c.Sampler.Discard < 0 {
				return keyErr("sampler.discard", "want a non-negative number of sweeps, got %d", c.Sampler.Discard)
			}
			return nil
		},
		func() error {
			g := c.Sampler.GlobalFlip
			if math.IsNaN(g) || g < 0 || g > 1 {
				return keyErr("sampler.global_flip", "want a probability between 0 and 1, got %v", g)
			}
			return nil
		},
		func() error {
			if !c.Sampler.Orbits {
				return nil
			}
			if !c.Sampler.Exact {
				return keyErr("sampler.orbits", "orbit sums need sampler.exact = true")
			}
			if c.Ansatz.Kind != "rbm-symm" && c.Ansatz.Kind != "gcnn" && c.Ansatz.Symmetries == "none" {
				return keyErr("sampler.orbits", "orbit sums need a symmetric ansatz (kind = \"rbm-symm\" or \"gcnn\", or ansatz.symmetries other than \"none\"), got kind = %q without symmetries", c.Ansatz.Kind)
			}
			return nil
		},
		func() error {
			g := c.Sampler.TermMoves
			if math.IsNaN(g) || g < 0 || g > 1 {
				return keyErr("sampler.term_moves", "want a probability between 0 and 1, got %v", g)
			}
			return nil
		},
		func() error {
			if c.Sampler.Samples < c.Sampler.Chains {
				return keyErr("sampler.samples", "want at least as many samples as chains (%d), got %d", c.Sampler.Chains, c.Sampler.Samples)
			}
			return nil
		},
		func() error { return OneOf("optimizer.kind", c.Optimizer.Kind, "sr", "sgd", "adam") },
		func() error {
			if c.Optimizer.Iterations < 0 {
				return keyErr("optimizer.iterations", "want a non-negative integer, got %d", c.Optimizer.Iterations)
			}
			return nil
		},
		func() error {
			v := c.Optimizer.LearningRate
			if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
				return keyErr("optimizer.learning_rate", "want a finite positive number, got %v", v)
			}
			return nil
		},
		func() error {
			v := c.Optimizer.DiagShift
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return keyErr("optimizer.diag_shift", "want a finite non-negative number, got %v", v)
			}
			if v == 0 && c.Optimizer.Kind == "sr" {
				return keyErr("optimizer.diag_shift", "want a positive shift for sr: the S matrix of a finite sample is singular")
			}
			return nil
		},
		func() error { return OneOf("optimizer.solver", c.Optimizer.Solver, "auto", "cholesky", "cg", "minsr") },
		func() error {
			o := c.Optimizer
			if err := OneOf("optimizer.schedule", o.Schedule, "constant", "cosine", "exponential"); err != nil {
				return err
			}
			if o.Warmup < 0 {
				return keyErr("optimizer.warmup", "want a non-negative number of iterations, got %d", o.Warmup)
			}
			if !(o.DecayTo > 0 && o.DecayTo <= 1) {
				return keyErr("optimizer.decay_to", "want a factor in (0, 1], got %v", o.DecayTo)
			}
			if m := o.Momentum; !(m >= 0 && m < 1) {
				return keyErr("optimizer.momentum", "want a SPRING momentum in [0, 1), got %v", m)
			} else if m > 0 && o.Kind != "sr" {
				return keyErr("optimizer.momentum", "SPRING momentum needs optimizer.kind = \"sr\", got %q", o.Kind)
			}
			v := o.DiagShiftFinal
			if math.IsNaN(v) || v < 0 || v > o.DiagShift {
				return keyErr("optimizer.diag_shift_final", "want 0 (constant shift) or a value in (0, diag_shift = %v], got %v", o.DiagShift, v)
			}
			return nil
		},
		func() error { return Positive("evaluate.samples", c.Evaluate.Samples) },
		func() error {
			if c.Evaluate.Samples < c.Sampler.Chains {
				return keyErr("evaluate.samples", "want at least as many samples as chains (%d), got %d", c.Sampler.Chains, c.Evaluate.Samples)
			}
			return nil
		},
		func() error {
			r := c.Reference
			if r.Energy != nil && r.EnergyPerSite != nil {
				return keyErr("reference.energy_per_site", "set reference.energy or reference.energy_per_site, not both")
			}
			for _, kv := range []struct {
				key string
				v   *float64
			}{{"reference.energy", r.Energy}, {"reference.energy_per_site", r.EnergyPerSite}} {
				if kv.v != nil && (math.IsNaN(*kv.v) || math.IsInf(*kv.v, 0) || *kv.v == 0) {
					return keyErr(kv.key, "want a finite nonzero energy, got %v", *kv.v)
				}
			}
			return nil
		},
		func() error { return OneOf("ed.mode", c.ED.Mode, "auto", "on", "off") },
		func() error { return Positive("ed.max_dim", c.ED.MaxDim) },
		func() error { return OneOf("ed.momentum", c.ED.Momentum, "none", "zero", "pi") },
		func() error {
			if c.Output.File == "" {
				return keyErr("output.file", "want a file name")
			}
			return nil
		},
		func() error {
			if c.Output.Plot == "" {
				return nil
			}
			ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(c.Output.Plot), "."))
			for _, f := range PlotFormats {
				if ext == f {
					return nil
				}
			}
			return keyErr("output.plot", "want a file name ending in one of %s (the format), got %q", QuoteList(PlotFormats), c.Output.Plot)
		},
		func() error {
			if c.Output.CheckpointEvery < 0 {
				return keyErr("output.checkpoint_every", "want a non-negative number of iterations (0: only at the end), got %d", c.Output.CheckpointEvery)
			}
			return nil
		},
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// PlotFormats lists the image formats of output.plot and `vmc analyze
// --plot`, by file extension.
var PlotFormats = []string{"png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff"}

// ValidateOutput checks that a run can write its files: out, the run file
// (output.file, or the file a resumed run continues), and output.plot. It
// is not part of Parse because only `vmc run` (and `vmc check`, which
// reports on a run) writes them: `vmc ed` does not, and a resumed run
// writes to the file it resumes, wherever its stored output.file pointed.
// name is the config's name in messages.
func (c *Config) ValidateOutput(name, out string) error {
	dirOK := func(key, path string) error {
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return &Error{File: name, Key: key, Msg: fmt.Sprintf("directory %q does not exist", dir)}
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return &Error{File: name, Key: key, Msg: fmt.Sprintf("%q is a directory, want a file name", path)}
		}
		return nil
	}
	if err := dirOK("output.file", out); err != nil {
		return err
	}
	if c.Output.Plot != "" {
		return dirOK("output.plot", c.Output.Plot)
	}
	return nil
}
