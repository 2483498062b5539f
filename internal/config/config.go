// Package config holds the run configuration: the TOML schema with its
// documented defaults, strict decoding (unknown keys are errors), dotted-path
// overrides (--set key=value) and validation. Every error names the file, the
// key and what was expected.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the whole run configuration. Field comments give the defaults.
type Config struct {
	Seed        int64             `toml:"seed"` // 1; any non-negative integer
	Lattice     LatticeConfig     `toml:"lattice"`
	Hamiltonian HamiltonianConfig `toml:"hamiltonian"`
	Ansatz      AnsatzConfig      `toml:"ansatz"`
	Sampler     SamplerConfig     `toml:"sampler"`
	Optimizer   OptimizerConfig   `toml:"optimizer"`
	Evaluate    EvaluateConfig    `toml:"evaluate"`
	ED          EDConfig          `toml:"ed"`
	Output      OutputConfig      `toml:"output"`
	Observables ObservablesConfig `toml:"observables"`
	Reference   ReferenceConfig   `toml:"reference"`
}

// ReferenceConfig is the [reference] table: a ground-state energy from the
// literature or QMC, against which relative_error is reported when exact
// diagonalization does not run. At most one of Energy (total) and
// EnergyPerSite may be set, in the run's units.
type ReferenceConfig struct {
	Energy        *float64 `toml:"energy,omitempty"`          // unset: total reference energy
	EnergyPerSite *float64 `toml:"energy_per_site,omitempty"` // unset: reference energy per site
	Source        string   `toml:"source"`                    // "": where the value comes from (printed)
}

// LatticeConfig is the [lattice] table.
type LatticeConfig struct {
	Kind   string   `toml:"kind"`             // required: chain | square | triangular | honeycomb | kagome | custom
	Extent []int    `toml:"extent,omitempty"` // required for built-in kinds: unit cells per direction
	PBC    any      `toml:"pbc"`              // true; a bool or one bool per direction
	Sites  int      `toml:"sites,omitempty"`  // custom only
	Edges  [][2]int `toml:"edges,omitempty"`  // custom only
	Orders []int    `toml:"orders,omitempty"` // custom only; default all 1
}

// HamiltonianConfig is the [hamiltonian] table.
type HamiltonianConfig struct {
	Kind     string   `toml:"kind"`               // required: ising | heisenberg
	J        float64  `toml:"J"`                  // 1
	J2       float64  `toml:"J2"`                 // 0 (heisenberg)
	Delta    float64  `toml:"delta"`              // 1 (heisenberg)
	H        float64  `toml:"h"`                  // 0 (ising)
	Units    string   `toml:"units"`              // "pauli" for ising, "spin" for heisenberg
	SignRule any      `toml:"sign_rule"`          // "auto"; or true / false
	TotalSz  *float64 `toml:"total_sz,omitempty"` // 0 for heisenberg with even N, else unconstrained
	// Terms are the terms of kind = "terms" ([[hamiltonian.terms]]); see
	// TermConfig and docs/config.md.
	Terms []TermConfig `toml:"terms,omitempty"`
}

// TermConfig is one [[hamiltonian.terms]] table of kind = "terms": an
// operator string, a coupling, and where it acts. Exactly one of Bonds,
// Sites and Plaquettes says where; with none of them a one-letter op acts
// on every site (a field).
type TermConfig struct {
	Op         string    `toml:"op"`                   // required: one letter per site of a tuple, x y z + -
	Coupling   any       `toml:"coupling"`             // required: a number, or [re, im] for a complex coupling
	Bonds      int       `toml:"bonds,omitempty"`      // every bond of this neighbour order (op of 2 letters)
	Direction  []float64 `toml:"direction,omitempty"`  // with bonds: only bonds parallel to this vector
	Sites      [][]int   `toml:"sites,omitempty"`      // explicit site tuples (custom lattices, per-bond couplings)
	Translate  bool      `toml:"translate,omitempty"`  // with sites: every translation of each tuple too
	Plaquettes string    `toml:"plaquettes,omitempty"` // square lattice unit squares: all | even | odd (op of 4 letters)
	Sublattice *int      `toml:"sublattice,omitempty"` // only tuples whose first site is on this sublattice of the unit cell
	Staggered  bool      `toml:"staggered,omitempty"`  // coupling × (−1)^(bipartite sublattice of the first site)
}

// AnsatzConfig is the [ansatz] table.
type AnsatzConfig struct {
	Kind       string   `toml:"kind"`                 // rbm | rbm-symm | ffnn | jastrow | gcnn
	Alpha      int      `toml:"alpha"`                // 2 (rbm, rbm-symm)
	Dtype      string   `toml:"dtype,omitempty"`      // complex; real for ffnn
	Layers     []int    `toml:"layers"`               // [32, 16] (ffnn)
	Features   []int    `toml:"features"`             // [8, 8] (gcnn): features per group element, one width per layer
	Characters string   `toml:"characters"`           // trivial (gcnn): trivial | pi | sign1, sign2, … (the symmetry sector)
	Momentum   []int    `toml:"momentum"`             // [] (gcnn, translations): k_d in units of 2π/L_d, instead of characters
	Activation string   `toml:"activation"`           // tanh (ffnn), lncosh (gcnn): lncosh | tanh | softplus
	InitScale  *float64 `toml:"init_scale,omitempty"` // 0.01 complex, 0.1 real; 0.5 for ffnn
	// AmplitudeScale multiplies the initial amplitude readout of a real
	// GCNN (1: as drawn with init_scale).
	AmplitudeScale float64 `toml:"amplitude_scale"` // 1
	SpinFlip       bool    `toml:"spin_flip"`       // false (rbm-symm): impose ψ(x) = ψ(−x)
	Symmetries     string  `toml:"symmetries"`      // translations (rbm-symm, gcnn), none (others): none | translations | automorphisms
}

// SamplerConfig is the [sampler] table.
type SamplerConfig struct {
	Move       string  `toml:"move"`        // auto: exchange when total_sz is fixed, else local; bond: bond exchange mixed with distant exchange
	Distant    float64 `toml:"distant"`     // 0.1: probability of a distant exchange among bond moves (move = "bond")
	Chains     int     `toml:"chains"`      // 16
	Samples    int     `toml:"samples"`     // 2048 per iteration, all chains together
	Sweep      int     `toml:"sweep"`       // 1 sweep (N proposals) between samples
	BurnIn     int     `toml:"burn_in"`     // 32 sweeps per chain at the start
	Discard    int     `toml:"discard"`     // 1 sweep per chain at the start of every iteration
	GlobalFlip float64 `toml:"global_flip"` // 0: probability of proposing x → −x
	Exact      bool    `toml:"exact"`       // false: sum over the whole sector instead of sampling
	// Orbits sums an exact enumeration over one representative per orbit
	// of the ansatz's symmetry group, weighted by the orbit size
	// (vmc.NewExactOrbits; vmc evolve only). false: every configuration.
	Orbits bool `toml:"orbits,omitempty"`
	// TermMoves is the probability of proposing the flip of every site
	// that an off-diagonal term of the Hamiltonian flips (kind = "terms";
	// e.g. the four spins of a toric-code plaquette). 0: none.
	TermMoves float64 `toml:"term_moves,omitempty"`
}

// OptimizerConfig is the [optimizer] table.
type OptimizerConfig struct {
	Kind         string  `toml:"kind"`          // sr | sgd | adam (sr)
	Iterations   int     `toml:"iterations"`    // 300
	LearningRate float64 `toml:"learning_rate"` // 0.05
	DiagShift    float64 `toml:"diag_shift"`    // 0.01
	Solver       string  `toml:"solver"`        // auto | cholesky | cg | minsr
	// Schedules (vmc.Schedule): the learning rate warms up linearly over
	// Warmup iterations and then decays (cosine or exponential) to
	// DecayTo·learning_rate at the last iteration; the diagonal shift
	// decays exponentially from diag_shift to DiagShiftFinal when it is
	// set. The defaults keep both constant.
	Schedule       string  `toml:"schedule"`         // constant | cosine | exponential (constant)
	Warmup         int     `toml:"warmup"`           // 0 iterations of learning-rate warm-up
	DecayTo        float64 `toml:"decay_to"`         // 0.01: final learning rate / learning_rate (cosine, exponential)
	DiagShiftFinal float64 `toml:"diag_shift_final"` // 0: constant diag_shift; else its value at the last iteration
	// Momentum μ of SPRING (sr only): each step's δ is pulled towards μ
	// times the previous one (sr.Options.Momentum); 0 is plain SR.
	Momentum float64 `toml:"momentum"` // 0
}

// EvaluateConfig is the [evaluate] table.
type EvaluateConfig struct {
	Samples int `toml:"samples"` // 20000 fresh samples for the final energy
}

// EDConfig is the [ed] table.
type EDConfig struct {
	Mode   string `toml:"mode"`    // auto | on | off
	MaxDim int    `toml:"max_dim"` // 5000000
	// Momentum restricts ED to a translation sector: "none" (default),
	// "zero" (k = 0) or "pi" (k = π along every periodic direction).
	Momentum string `toml:"momentum"`
}

// OutputConfig is the [output] table.
type OutputConfig struct {
	File            string `toml:"file"`             // vmc-run.h5
	CheckpointEvery int    `toml:"checkpoint_every"` // 10
	Plot            string `toml:"plot"`             // "" (no plot)
}

// ObservablesConfig is the [observables] table: what the final evaluation
// measures (and ED computes, when it runs, for comparison).
type ObservablesConfig struct {
	Correlations    string `toml:"correlations"`     // "distance": none | distance | all
	XX              bool   `toml:"xx"`               // false: also ⟨S^x_i S^x_j⟩ (off-diagonal, costlier)
	StructureFactor bool   `toml:"structure_factor"` // true: S(q) at every momentum
	Magnetization   bool   `toml:"magnetization"`    // true: ⟨|M_z|⟩/N and staggered m_s²
	Renyi2Region    []int  `toml:"renyi2_region"`    // []: sites of region A for the Rényi-2 entropy
	Renyi2Samples   int    `toml:"renyi2_samples"`   // 8192 samples per replica
	// Operators are declared operators to measure: entries with the same
	// name are summed into one operator (each entry is a term as in
	// [[hamiltonian.terms]]).
	Operators []OperatorConfig `toml:"operators,omitempty"`
}

// OperatorConfig is one [[observables.operators]] entry: a term (the keys
// of [[hamiltonian.terms]]) and the name of the operator it belongs to.
type OperatorConfig struct {
	Name string `toml:"name"`
	TermConfig
}

// Default returns the configuration with every default filled in and the
// required keys (lattice.kind, lattice.extent, hamiltonian.kind) empty.
func Default() Config {
	return Config{
		Seed:        1,
		Lattice:     LatticeConfig{PBC: true},
		Hamiltonian: HamiltonianConfig{J: 1, Delta: 1, SignRule: "auto"},
		Ansatz:      AnsatzConfig{Kind: "rbm", Alpha: 2, Layers: []int{32, 16}, Features: []int{8, 8}, Characters: "trivial", Momentum: []int{}, AmplitudeScale: 1},
		Sampler:     SamplerConfig{Move: "auto", Distant: 0.1, Chains: 16, Samples: 2048, Sweep: 1, BurnIn: 32, Discard: 1},
		Optimizer:   OptimizerConfig{Kind: "sr", Iterations: 300, LearningRate: 0.05, DiagShift: 0.01, Solver: "auto", Schedule: "constant", DecayTo: 0.01},
		Evaluate:    EvaluateConfig{Samples: 20000},
		ED:          EDConfig{Mode: "auto", MaxDim: 5000000, Momentum: "none"},
		Output:      OutputConfig{File: "vmc-run.h5", CheckpointEvery: 10},
		Observables: ObservablesConfig{Correlations: "distance", StructureFactor: true, Magnetization: true, Renyi2Region: []int{}, Renyi2Samples: 8192},
	}
}

// resolveDefaults fills the defaults that depend on other keys: the ansatz
// dtype and init_scale depend on its kind.
func (c *Config) resolveDefaults() {
	a := &c.Ansatz
	if a.Dtype == "" {
		a.Dtype = "complex"
		if a.Kind == "ffnn" {
			a.Dtype = "real"
		}
	}
	if a.Symmetries == "" {
		a.Symmetries = "none"
		if a.Kind == "rbm-symm" || a.Kind == "gcnn" {
			a.Symmetries = "translations"
		}
	}
	if a.Activation == "" {
		a.Activation = "tanh"
		if a.Kind == "gcnn" {
			a.Activation = "lncosh"
		}
	}
	if a.InitScale == nil {
		// Measured (benchmarks/classroom, README): a real-parameter network
		// started at 0.01 sits near the uniform state, a saddle that plain
		// gradient descent takes ~3× longer to leave than from 0.1; SR does
		// not care, and complex networks do better from 0.01.
		s := 0.01
		switch {
		case a.Kind == "ffnn":
			s = 0.5
		case a.Kind == "gcnn":
			// Measured (4×4 Heisenberg, kagome 2×3, no sign rule): from
			// 0.1–0.3 a gcnn starts next to the uniform state, the
			// ferromagnetic eigenstate at the top of the S^z = 0 spectrum,
			// where the SR force vanishes, and stays there (E = +N/2 for
			// kagome after 150 iterations); from 1.0 it converges.
			s = 1.0
		case a.Dtype == "real":
			s = 0.1
		}
		a.InitScale = &s
	}
}

// Error is a configuration error: file, key (dotted path, may be empty) and
// message. Its text reads "FILE: KEY: MESSAGE".
type Error struct {
	File string
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

// Load reads the file at path (decoded strictly), applies overrides of the
// form "dotted.key=value" and validates. path names the file in messages.
func Load(path string, overrides []string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read config: %v", errors.Unwrap(err))}
	}
	return Parse(path, data, overrides)
}

// Parse decodes TOML text named name (for messages), applies overrides and
// validates.
func Parse(name string, data []byte, overrides []string) (*Config, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, &Error{File: name, Msg: tomlMessage(err)}
	}
	text := string(data)
	if len(overrides) > 0 {
		// Type errors of the file itself, with its own line numbers; what
		// fails only after the overrides comes from an override.
		scratch := Default()
		if _, err := toml.Decode(text, &scratch); err != nil {
			return nil, typeError(name, err, false)
		}
		for _, o := range overrides {
			if err := applyOverride(raw, o); err != nil {
				return nil, &Error{File: name, Key: overrideKey(o), Msg: err.Error()}
			}
		}
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(raw); err != nil {
			return nil, &Error{File: name, Msg: fmt.Sprintf("re-encoding with overrides: %v", err)}
		}
		text = buf.String()
	}
	cfg := Default()
	md, err := toml.Decode(text, &cfg)
	if err != nil {
		return nil, typeError(name, err, len(overrides) > 0)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, &Error{File: name, Key: indexKey(raw, und[slices.IndexFunc(und, func(k toml.Key) bool { return k.String() == keys[0] })]), Msg: "unknown key" + suggest(keys[0])}
	}
	cfg.resolveDefaults()
	if err := cfg.validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = name
		}
		return nil, err
	}
	return &cfg, nil
}

// indexKey names the key k of the decoded document raw with the index of
// the array-of-tables entry it sits in ("hamiltonian.terms[1].bogus"),
// which toml.Key leaves out: the first entry that holds the next part.
func indexKey(raw map[string]any, k toml.Key) string {
	var b strings.Builder
	var cur any = raw
	for i, part := range k {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
		m, _ := cur.(map[string]any)
		cur = m[part]
		if list, ok := cur.([]map[string]any); ok && i+1 < len(k) {
			for j, e := range list {
				if _, has := e[k[i+1]]; has {
					fmt.Fprintf(&b, "[%d]", j)
					cur = e
					break
				}
			}
		}
	}
	return b.String()
}

func overrideKey(o string) string {
	k, _, _ := strings.Cut(o, "=")
	return strings.TrimSpace(k)
}

// applyOverride sets raw[dotted.key] = value, with value parsed as a TOML
// value; a bare word that is not valid TOML is taken as a string.
func applyOverride(raw map[string]any, o string) error {
	key, val, ok := strings.Cut(o, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("--set wants key=value, got %q", o)
	}
	var v map[string]any
	if _, err := toml.Decode("v = "+val, &v); err != nil {
		s := strings.TrimSpace(val)
		if s == "" || strings.ContainsAny(s, "\"'[]{}=\n") {
			return fmt.Errorf("value %q is not a TOML value", val)
		}
		v = map[string]any{"v": s}
	}
	parts := strings.Split(key, ".")
	m := raw
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok {
			nm := map[string]any{}
			m[p] = nm
			m = nm
			continue
		}
		nm, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not a table", p)
		}
		m = nm
	}
	m[parts[len(parts)-1]] = v["v"]
	return nil
}

var typeErrRE = regexp.MustCompile(`line (\d+) \(last key "([^"]+)"\): incompatible types: TOML value has type ([\w.\[\]{}]+); destination has type ([\w.\[\]]+)`)

// typeError turns BurntSushi/toml's type mismatch into "FILE: KEY: line L:
// want a T, got a U".
//
// BurntSushi/toml words a value where a table belongs differently; it is
// matched by tableErrRE. When override is set the error came from --set
// and its line (in the re-encoded text) means nothing to the user.
func typeError(name string, err error, override bool) error {
	where := func(line string) string {
		if override {
			return "--set: "
		}
		return "line " + line + ": "
	}
	if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
		return &Error{File: name, Key: m[2], Msg: fmt.Sprintf("%swant %s, got %s", where(m[1]), typeName(m[4]), typeName(m[3]))}
	}
	if m := tableErrRE.FindStringSubmatch(err.Error()); m != nil {
		return &Error{File: name, Key: m[2], Msg: fmt.Sprintf("%swant a table ([%s]), got %s", where(m[1]), m[2], typeName(m[3]))}
	}
	return &Error{File: name, Msg: tomlMessage(err)}
}

var tableErrRE = regexp.MustCompile(`line (\d+) \(last key "([^"]+)"\): type mismatch for [\w.]+: expected table but found ([\w.\[\]]+)`)

func typeName(t string) string {
	switch {
	case t == "slice" || strings.HasPrefix(t, "[]") || t == "array":
		return "a list"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || t == "integer":
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool" || t == "boolean":
		return "a boolean"
	case strings.HasPrefix(t, "map") || t == "struct" || t == "table":
		return "a table"
	}
	return t
}

// tomlMessage shortens BurntSushi/toml errors to "line L: message".
func tomlMessage(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message)
	}
	return strings.TrimPrefix(err.Error(), "toml: ")
}

var knownKeys = func() []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		m, ok := v.(map[string]any)
		if prefix != "" {
			out = append(out, prefix) // tables too: a misspelt [table] gets a suggestion
		}
		if !ok {
			return
		}
		for k, c := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			walk(p, c)
		}
	}
	var buf bytes.Buffer
	d := Default()
	d.Lattice = LatticeConfig{Kind: "x", Extent: []int{1}, PBC: true, Sites: 1, Edges: [][2]int{{0, 1}}, Orders: []int{1}}
	z := 0.0
	d.Hamiltonian.TotalSz = &z
	d.resolveDefaults()
	_ = toml.NewEncoder(&buf).Encode(d)
	var m map[string]any
	_, _ = toml.Decode(buf.String(), &m)
	walk("", m)
	// The keys of the array-of-tables entries, which Default leaves empty.
	t := reflect.TypeFor[TermConfig]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		out = append(out, "hamiltonian.terms."+name, "observables.operators."+name)
	}
	out = append(out, "observables.operators.name")
	sort.Strings(out)
	return out
}()

// suggest proposes the closest known key for a misspelt one.
func suggest(key string) string {
	best, bestD := "", math.MaxInt
	for _, k := range knownKeys {
		if d := editDistance(strings.ToLower(k), strings.ToLower(key)); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= 3 {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TOML returns the configuration as TOML text, every default included; it
// decodes back to the same Config.
func (c *Config) TOML() string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		panic("config: encoding a valid config: " + err.Error())
	}
	return buf.String()
}
