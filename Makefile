# vmc: build, run, test. `make run` and `make test` install missing Debian
# packages first (scripts/deps.sh), so they work on a fresh machine.
GO       ?= go
BIN      := bin/vmc
# The optional MPI build (docs/mpi.md): OpenMPI through cgo, tag mpi.
BIN_MPI  := bin/vmc-mpi
# Packages that run goroutines: checked with the race detector. cmd/vmc
# (signals, the ED and VMC jobs, the HDF5 writer) takes about 27 s under
# -race on 2 shared cores, plus about 40 s to build the first time.
RACEPKGS := ./vmc/ ./sr/ ./ed/ ./observable/ ./ansatz/ ./internal/runfile/ ./cmd/vmc/ ./run/

.PHONY: all deps build build-mpi run test test-mpi test-long race vet bench clean

all: build

deps:
	@./scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/vmc

# The same binary spread over MPI ranks: mpirun -np R bin/vmc-mpi run ...
# Installs OpenMPI (Debian) first; the default build never needs it.
build-mpi:
	@./scripts/deps.sh mpi
	$(GO) build -tags mpi -o $(BIN_MPI) ./cmd/vmc

# CI: the MPI build is vetted, and runs on 1 and 2 ranks (and resumed on
# 3) must equal the default binary's bit for bit (scripts/mpi-test.sh).
test-mpi: build build-mpi
	$(GO) vet -tags mpi ./internal/mpi/ ./cmd/vmc/ ./run/
	./scripts/mpi-test.sh $(BIN) $(BIN_MPI)

# The main job on the embedded default config (configs/default.toml).
run: build
	./$(BIN) run --force

# The test suite CI runs: vet, all tests in short mode, race detector on the
# concurrent packages, a bounded fuzz of config loading, and the MPI build's
# 2-rank identity check (test-mpi installs OpenMPI for it).
test: deps
	$(GO) vet ./...
	$(GO) test -short -count=1 ./...
	$(GO) test -short -race -count=1 $(RACEPKGS)
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 20s -fuzzminimizetime 2s ./run/
	$(MAKE) test-mpi

# Long physics tests (accuracy targets of the engine); minutes.
test-long: deps
	$(GO) test -count=1 -timeout 60m ./...

bench: build
	./benchmarks/run.sh

clean:
	rm -rf bin vmc-run.h5 vmc-run.h5.ckpt
