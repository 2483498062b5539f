package main

import (
	"errors"
	"flag"
	"io"
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
