package main

import (
	"flag"
	"fmt"
	"runtime"

	"github.com/vmc-lattice/vmc/internal/buildinfo"
)

func cmdVersion(args []string, e env) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(e.stdout, "%s %s (%s, %s/%s)", buildinfo.Program, buildinfo.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if c := buildinfo.Commit(); c != "" {
		fmt.Fprintf(e.stdout, " commit %s", c)
	}
	fmt.Fprintln(e.stdout)
	return nil
}
