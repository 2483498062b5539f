package main

import (
	"errors"
	"flag"
	"io"
	"runtime"
	"strings"

	"github.com/vmc-lattice/vmc/configs"
	"github.com/vmc-lattice/vmc/run"
)

// errHelp is returned when -h was asked for; the usage was printed.
var errHelp = errors.New("help requested")

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseFlags parses args with flags and positional arguments interleaved
// (vmc run config.toml --json is as good as vmc run --json config.toml) and
// returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadProblem loads the config at the single optional positional argument,
// or the embedded default, with --set overrides applied, and builds its
// problem.
func loadProblem(pos []string, sets []string) (*run.Problem, error) {
	switch len(pos) {
	case 0:
		return run.Parse(configs.DefaultName, configs.Default(), sets)
	case 1:
		return run.Load(pos[0], sets)
	}
	return nil, usagef("want at most one CONFIG file, got %d arguments: %s", len(pos), strings.Join(pos, " "))
}

// memoryFlag is a --max-memory size (run.ParseBytes); 0 means the
// machine's available memory.
type memoryFlag float64

func (m *memoryFlag) String() string {
	if *m == 0 {
		return "available memory"
	}
	return run.Bytes(float64(*m))
}

func (m *memoryFlag) Set(v string) error {
	b, err := run.ParseBytes(v)
	if err != nil {
		return err
	}
	*m = memoryFlag(b)
	return nil
}

// maxThreads bounds --threads: goroutines beyond a few per CPU only cost
// memory (each holds its own caches and scratch), and results do not
// depend on the count.
func maxThreads() int { return max(64, 4*runtime.NumCPU()) }

// checkThreads refuses a --threads value outside 1..maxThreads().
func checkThreads(cmd string, n int) error {
	if n < 1 || n > maxThreads() {
		return usagef("%s: --threads wants an integer from 1 to %d (%d CPUs here; results do not depend on it), got %d", cmd, maxThreads(), runtime.NumCPU(), n)
	}
	return nil
}
