# vmc: build, run, test. `make run` and `make test` install missing Debian
# packages first (scripts/deps.sh), so they work on a fresh machine.
GO       ?= go
BIN      := bin/vmc
# Packages that run goroutines: checked with the race detector. cmd/vmc
# (signals, the ED and VMC jobs, the HDF5 writer) takes about 27 s under
# -race on 2 shared cores, plus about 40 s to build the first time.
RACEPKGS := ./vmc/ ./sr/ ./ed/ ./observable/ ./ansatz/ ./internal/runfile/ ./cmd/vmc/ ./run/

.PHONY: all deps build run test test-long race vet bench clean

all: build

deps:
	@./scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/vmc

# The main job on the embedded default config (configs/default.toml).
run: build
	./$(BIN) run --force

# The test suite CI runs: vet, all tests in short mode, race detector on the
# concurrent packages.
test: deps
	$(GO) vet ./...
	$(GO) test -short -count=1 ./...
	$(GO) test -short -race -count=1 $(RACEPKGS)
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 20s -fuzzminimizetime 2s ./run/

# Long physics tests (accuracy targets of the engine); minutes.
test-long: deps
	$(GO) test -count=1 -timeout 60m ./...

bench: build
	./benchmarks/run.sh

clean:
	rm -rf bin vmc-run.h5 vmc-run.h5.ckpt
