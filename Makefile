GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench-report

.PHONY: build test stress lint fuzz gobench bench bench-check clean

# Static (no cgo), so that no process start pays for the dynamic loader.
# poolbench-worker, the pool worker alone, starts about as fast as an empty
# Go program; poolbench starts its pools' workers from it only when both
# carry the same build stamp, fresh at every build, so that a stale worker
# is never used (it re-executes itself then).
# poolbench-natsworker is the NATS pools' worker alone, apart because
# nats.go would slow every process pool worker's start.
STAMP = $(shell date +%s%N)$(shell git describe --always --dirty 2>/dev/null | sed 's/^/-/')
build:
	@stamp='$(STAMP)'; flags="-X github.com/poolbench/poolbench/internal/buildstamp.Stamp=$$stamp"; \
	set -ex; \
	CGO_ENABLED=0 $(GO) build -ldflags "$$flags" -o bin/poolbench ./cmd/poolbench; \
	CGO_ENABLED=0 $(GO) build -ldflags "$$flags" -o bin/poolbench-worker ./cmd/poolbench-worker; \
	CGO_ENABLED=0 $(GO) build -ldflags "$$flags" -o bin/poolbench-natsworker ./cmd/poolbench-natsworker

# Every test under the race detector.
test:
	$(GO) test -race -count=1 $(PKGS)

# The concurrency-sensitive packages, three times over, under -race, with
# two busy processes beside them: a test that only passes on a quiet
# machine fails here rather than at random in CI. The spinners are this
# target's own and are stopped however it ends.
STRESS_PKGS ?= ./procpool ./natspool ./procsync ./sharedlog ./measure ./harness ./strategies
stress:
	@yes >/dev/null & a=$$!; yes >/dev/null & b=$$!; \
	trap 'kill $$a $$b 2>/dev/null' EXIT INT TERM; \
	start=$$(date +%s); \
	$(GO) test -race -count=3 $(STRESS_PKGS); rc=$$?; \
	echo "stress: $$(( $$(date +%s) - start )) s with two busy processes beside the tests"; \
	exit $$rc

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Each fuzz target briefly, on its seeds and, where one is kept, its corpus
# in testdata/: a count of inputs, about 12 s of each on two cores, not a
# duration. With a duration, Go's fuzzing coordinator can report its own
# deadline as a failure ("context deadline exceeded", no input written)
# when a worker is mid-call as the time runs out (golang/go#75804, fixed
# after Go 1.26).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzFrameDecode$$' -fuzztime 420000x ./procpool
	$(GO) test -run '^$$' -fuzz '^FuzzChunkDecode$$' -fuzztime 420000x ./procpool
	$(GO) test -run '^$$' -fuzz '^FuzzPanicPayload$$' -fuzztime 120000x ./procpool
	$(GO) test -run '^$$' -fuzz '^FuzzReadyDecode$$' -fuzztime 180000x ./procpool
	$(GO) test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime 80000x ./sharedlog
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime 390000x ./results
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRecord$$' -fuzztime 540000x ./pyref
	$(GO) test -run '^$$' -fuzz '^FuzzTaskArgs$$' -fuzztime 240000x ./workloads
	$(GO) test -run '^$$' -fuzz '^FuzzArgsLines$$' -fuzztime 330000x ./workloads
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTaskMsg$$' -fuzztime 840000x ./natspool/internal/wire
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeResultMsg$$' -fuzztime 840000x ./natspool/internal/wire
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeBeatMsg$$' -fuzztime 840000x ./natspool/internal/wire
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTooLarge$$' -fuzztime 300000x ./natspool/internal/wire
	$(GO) test -run '^$$' -fuzz '^FuzzKillsOne$$' -fuzztime 180000x ./natspool/internal/wire

# The pool's micro-benchmarks beside their physical limits.
gobench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./procpool ./procsync
	$(GO) test -run '^$$' -bench 'Apply' -benchtime 2s ./natspool
	$(GO) test -run '^$$' -bench 'Article' -benchtime 3x ./natspool
	$(GO) test -run '^$$' -bench PythonAgreesWithDirect -benchtime 9x ./harness
	$(GO) test -run '^$$' -bench 'ExecTrueOverhead|SkewedMapVsIdeal' -benchtime 5x -count 3 ./strategies
	$(GO) test -run '^$$' -bench PayloadVsPipe -benchtime 3x -count 3 ./harness
	$(GO) test -run '^$$' -bench CPUTasksByStackBase -benchtime 1x -count 3 ./workloads

# A quick measurement of everything poolbench measures, reports included,
# into $(BENCHOUT)/ (gitignored): the standard workloads (cpu, io, noop),
# the logging experiment and a small pool-size sweep. A few minutes at most
# on two cores.
bench: build
	@start=$$(date +%s); \
	set -e; \
	./bin/poolbench run --workload all --tasks 40 --repeat 2 --warmup 1 \
		--task-size cpu=100k,io=20ms --out $(BENCHOUT)/run; \
	./bin/poolbench log --out $(BENCHOUT)/log; \
	./bin/poolbench sweep --workload io --workers 1,2,4,8,16 --tasks 40 --task-size 20ms \
		--repeat 2 --warmup 0 --out $(BENCHOUT)/sweep; \
	echo "bench: done in $$(( $$(date +%s) - start )) s; reports in $(BENCHOUT)/"

# Checks that every bench report exists and its results.json decodes.
bench-check: build
	@for d in run log sweep; do \
		test -s $(BENCHOUT)/$$d/report.html || { echo "missing $(BENCHOUT)/$$d/report.html"; exit 1; }; \
		./bin/poolbench report $(BENCHOUT)/$$d/results.json --format json >/dev/null || exit 1; \
		echo "ok: $(BENCHOUT)/$$d/results.json and report.html"; \
	done

clean:
	rm -rf bin $(BENCHOUT)
