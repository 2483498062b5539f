package main

import (
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/vmc-lattice/vmc/configs"
	"github.com/vmc-lattice/vmc/internal/config"
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

// loadConfig loads the config at the single optional positional argument, or
// the embedded default, with --set overrides applied. It returns the name
// used in messages.
func loadConfig(pos []string, sets []string) (*config.Config, string, error) {
	switch len(pos) {
	case 0:
		cfg, err := config.Parse(configs.DefaultName, configs.Default(), sets)
		return cfg, configs.DefaultName, err
	case 1:
		cfg, err := config.Load(pos[0], sets)
		return cfg, pos[0], err
	}
	return nil, "", usagef("want at most one CONFIG file, got %d arguments: %s", len(pos), strings.Join(pos, " "))
}
