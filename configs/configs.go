// Package configs holds example configurations; default.toml is embedded in
// the binary and used by `vmc run` and `vmc ed` when no file is given.
package configs

import (
	"embed"
)

// DefaultName is the name under which the embedded default is reported.
const DefaultName = "configs/default.toml (embedded)"

//go:embed *.toml
var files embed.FS

// Default returns the text of configs/default.toml.
func Default() []byte {
	b, err := files.ReadFile("default.toml")
	if err != nil {
		panic("configs: default.toml is not embedded: " + err.Error())
	}
	return b
}

// Names lists the embedded example configurations.
func Names() []string {
	ents, _ := files.ReadDir(".")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// Read returns the text of an embedded example configuration.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
