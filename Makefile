GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench-report

.PHONY: build test lint fuzz gobench bench clean

build:
	$(GO) build -o bin/poolbench ./cmd/poolbench

# Every test under the race detector.
test:
	$(GO) test -race -count=1 $(PKGS)

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Each fuzz target briefly, on top of its kept corpus in testdata/.
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzFrameDecode$$' -fuzztime $(FUZZTIME) ./strategies/procpool
	$(GO) test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime $(FUZZTIME) ./strategies/sharedlog
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME) ./results

# The pool's micro-benchmarks beside their physical limits.
gobench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./strategies/procpool ./strategies/procsync

clean:
	rm -rf bin $(BENCHOUT)
