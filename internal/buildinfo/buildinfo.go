// Package buildinfo reports the program name and version.
package buildinfo

import "runtime/debug"

// Program is the program name written into output files.
const Program = "vmc"

// Version is the release version; a build may override it with
// -ldflags "-X github.com/vmc-lattice/vmc/internal/buildinfo.Version=...".
var Version = "0.1.0-dev"

// Commit returns the VCS revision the binary was built from, if known.
func Commit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}
