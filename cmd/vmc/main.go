// Command vmc optimizes neural-network wavefunctions for spin-1/2 lattice
// Hamiltonians by variational Monte Carlo and compares with exact
// diagonalization.
//
//	vmc run     [CONFIG.toml] [--json] [--threads N] [--seed S] [--out FILE.h5] [--force]
//	            [--set key=value]... [--quiet]
//	vmc run     --resume FILE.h5 [--json] [--threads N] [--set key=value]... [--quiet]
//	vmc ed      [CONFIG.toml] [--json] [--states K] [--set key=value]...
//	vmc check   CONFIG.toml [--json] [--set key=value]...
//	vmc analyze FILE.h5 [--plot OUT.png] [--json]
//	vmc version
//
// Exit codes: 0 success, 1 run failed, 2 usage or configuration error,
// 130 interrupted by a signal (SIGINT, SIGTERM) after writing a checkpoint.
// docs/cli.md is the reference; docs/hdf5.md describes the output file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/mpi"
	"github.com/vmc-lattice/vmc/run"
)

// Exit codes (documented in the README and docs/cli.md).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errInterrupted is returned by a command stopped by SIGINT or SIGTERM after
// it saved its state.
var errInterrupted = run.ErrInterrupted

const usage = `vmc: variational Monte Carlo with neural-network wavefunctions

Usage:
  vmc run     [CONFIG.toml] [--json] [--threads N] [--seed S] [--out FILE.h5]
              [--force] [--set key=value]... [--quiet]
  vmc run     --resume FILE.h5 [--json] [--threads N] [--set key=value]...
  vmc ed      [CONFIG.toml] [--json] [--states K] [--set key=value]...
  vmc evolve  CONFIG.toml [--json] [--out FILE.h5] [--set key=value]...   (TDVP dynamics)
  vmc check   CONFIG.toml [--json] [--set key=value]...   (pre-flight)
  vmc analyze FILE.h5 [--plot OUT.png] [--json]
  vmc version

Without CONFIG, run and ed use the embedded default (configs/default.toml).
Run 'vmc COMMAND -h' for the flags of a command.
`

// env is what a command needs from the process, so tests can run commands
// in-process.
type env struct {
	stdout, stderr io.Writer
	// comm spreads `run` over MPI ranks; nil is one process.
	comm mpi.Comm
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "analyze" {
		unlockReads()
	}
	os.Exit(executeRanks(signalContext(), os.Args[1:]))
}

// signalContext returns a context cancelled by the first SIGINT or
// SIGTERM: a run then stops at the end of its iteration (or exact
// diagonalization at its next check) and saves a checkpoint. A second
// signal ends the process at once with exit code 130; the file and its
// companion keep the last checkpoint. The channel holds two signals, so a
// second one that comes before the first is handled is not lost.
func signalContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "vmc: second signal: stopped at once (the last checkpoint is kept)")
		os.Exit(exitInterrupted)
	}()
	return ctx
}

// unlockReads lets `vmc analyze` read a file that a running vmc holds open.
// The writer's HDF5 file lock would keep any other process out; analyze only
// reads, sees every row the writer has flushed, and falls back to the
// checkpoint companion when a read lands in the middle of a write. HDF5 reads
// HDF5_USE_FILE_LOCKING once, when this process first opens a file, so this
// must run before any file access; a value the user set is kept. It is not
// done in run, which tests call in-process: `vmc run --resume` relies on
// the lock to refuse a file that another run is writing.
func unlockReads() {
	if _, ok := os.LookupEnv("HDF5_USE_FILE_LOCKING"); !ok {
		_ = os.Setenv("HDF5_USE_FILE_LOCKING", "FALSE")
	}
}

// execute runs one command line and returns the exit code.
func execute(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], e)
	case "ed":
		err = cmdED(ctx, args[1:], e)
	case "evolve":
		err = cmdEvolve(ctx, args[1:], e)
	case "check":
		err = cmdCheck(ctx, args[1:], e)
	case "analyze":
		err = cmdAnalyze(ctx, args[1:], e)
	case "version", "--version", "-version":
		err = cmdVersion(args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	default:
		err = usagef("unknown command %q\n\n%s", args[0], usage)
	}
	return exitCode(err, e.stderr)
}

// exitCode maps an error to the documented exit code, printing it (long
// names shortened: see shorten).
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	stderr = shortWriter{stderr}
	var ue *usageError
	var ie *run.InputError
	var ce *config.Error
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case err == errInterrupted:
		fmt.Fprintln(stderr, "vmc: interrupted; state saved")
		return exitInterrupted
	case errors.Is(err, errInterrupted):
		fmt.Fprintln(stderr, "vmc:", err)
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "vmc:", err)
		return exitUsage
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "vmc: run:", err)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintln(stderr, "vmc: config error:", err)
		return exitUsage
	}
	fmt.Fprintln(stderr, "vmc:", err)
	return exitFailed
}

// maxWord is the longest run of non-space bytes an error message prints
// whole: a file name of megabytes is shown by its two ends.
const maxWord = 240

// shorten elides the middle of every run of non-space bytes longer than
// maxWord.
func shorten(msg string) string {
	var b strings.Builder
	for len(msg) > 0 {
		i := strings.IndexAny(msg, " \n\t")
		word, sep := msg, ""
		if i >= 0 {
			word, sep, msg = msg[:i], msg[i:i+1], msg[i+1:]
		} else {
			msg = ""
		}
		if len(word) > maxWord {
			word = fmt.Sprintf("%s…(%d bytes)…%s", strings.ToValidUTF8(word[:maxWord/2], ""), len(word)-maxWord, strings.ToValidUTF8(word[len(word)-maxWord/2:], ""))
		}
		b.WriteString(word)
		b.WriteString(sep)
	}
	return b.String()
}

// shortWriter writes what it is given through shorten.
type shortWriter struct{ w io.Writer }

func (s shortWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, shorten(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
