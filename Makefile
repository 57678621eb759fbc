# function-debug-session. `make run` renders the examples through the real
# `crossplane render`; `make test` is everything CI checks.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

CACHE_DIR ?= $(CURDIR)/.cache
TOOLS     := $(CACHE_DIR)/tools
export CACHE_DIR

CONTROLLER_GEN_VERSION ?= v0.20.0
GOLANGCI_LINT_VERSION  ?= v2.15.0
CROSSPLANE_VERSION     ?= v2.2.1
export CROSSPLANE_VERSION

CONTROLLER_GEN := $(TOOLS)/controller-gen-$(CONTROLLER_GEN_VERSION)/controller-gen
GOLANGCI_LINT  := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint
CROSSPLANE     := $(CACHE_DIR)/bin/crossplane-$(CROSSPLANE_VERSION)
FUNCTION       := $(CACHE_DIR)/bin/function-debug-session

.PHONY: all
all: generate build test

## Tools, built once at pinned versions into the git-ignored cache.

$(CONTROLLER_GEN):
	GOBIN=$(dir $@) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(dir $@) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

$(CROSSPLANE):
	./hack/crossplane-cli.sh

.PHONY: tools
tools: $(CONTROLLER_GEN) $(GOLANGCI_LINT) $(CROSSPLANE)

## Code generation.

.PHONY: generate
generate: $(CONTROLLER_GEN)
	./hack/generate.sh $(CONTROLLER_GEN)

.PHONY: check-generate
check-generate: generate
	@if [ -n "$$(git status --porcelain -- internal/apis input package example/install)" ]; then \
	  echo "Generated files are out of date; run 'make generate' and commit the result:"; \
	  git status --porcelain -- internal/apis input package example/install; \
	  git --no-pager diff --stat -- internal/apis input package example/install; \
	  exit 1; \
	fi

## Build and run.

.PHONY: build
build:
	CGO_ENABLED=0 go build -trimpath -o $(FUNCTION) ./fn

.PHONY: run
run: build $(CROSSPLANE)
	./hack/render.sh run

.PHONY: golden
golden: build $(CROSSPLANE)
	./hack/render.sh golden

.PHONY: render-check
render-check: build $(CROSSPLANE)
	./hack/render.sh check

## End to end on a real control plane (etcd, Kubernetes, Crossplane core,
## fake nodes), built from the Go module proxy and cached; see e2e/README.md.

.PHONY: e2e
e2e: build
	./hack/e2e/e2e.sh

## Fuzzing: every fuzz target for FUZZTIME each (see hack/fuzz.sh). Not in
## `make test`; the seed corpora run there as ordinary tests.

FUZZTIME ?= 1m
export FUZZTIME

.PHONY: fuzz
fuzz:
	./hack/fuzz.sh

## Checks.

.PHONY: unit
unit:
	go test -race -count=1 ./...

.PHONY: vet
vet:
	go vet ./...
	go vet -tags e2e ./e2e/...
	go vet -tags soak,perf ./fn/...

.PHONY: fmt-check
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: lint
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...
	# Code behind build tags is linted too: the e2e tests, the soak and served
	# load tests.
	$(GOLANGCI_LINT) run --build-tags e2e ./e2e/...
	$(GOLANGCI_LINT) run --build-tags soak,perf ./fn/...
	cd hack/xpkg && $(GOLANGCI_LINT) run ./...

.PHONY: test
test: fmt-check vet unit check-generate lint render-check validate validate-examples xpkg-test
	@echo "make test: all checks passed"

.PHONY: clean
# Removes build outputs but keeps the pinned tools and the e2e binaries,
# which are slow to rebuild.
clean:
	rm -rf $(CACHE_DIR)/bin/function-debug-session $(CACHE_DIR)/render $(CACHE_DIR)/xpkg $(CACHE_DIR)/validate

## Packaging and schema validation.

XPKG := $(CACHE_DIR)/xpkg/function-debug-session.xpkg

# The Function package, built without Docker (see hack/xpkg.sh).
.PHONY: xpkg
xpkg: $(CROSSPLANE)
	XPKG_OUT=$(XPKG) ./hack/xpkg.sh

# Starts the package's runtime image entrypoint and calls RunFunction.
# hack/xpkg is its own Go module, so `make unit` does not run this.
.PHONY: xpkg-test
xpkg-test: xpkg
	cd hack/xpkg && XPKG=$(XPKG) go test -count=1 ./...

# The validate command over the examples and the install manifests. One
# example shows a policy violation on purpose; its error is the only one
# expected (example/validate-expected.txt).
.PHONY: validate-examples
validate-examples: build
	@out=$$($(FUNCTION) validate example/ example/install 2>/dev/null) || true; \
	  if ! diff -u example/validate-expected.txt <(echo "$$out"); then \
	    echo "validate: the examples give other errors than example/validate-expected.txt"; exit 1; \
	  fi; echo "validate: examples as expected"

# `crossplane beta validate` of every rendered example, offline.
.PHONY: validate
validate: build $(CROSSPLANE)
	./hack/validate.sh
