# polycache: `make demo` shows it working, `make test` runs every test, `make bench`
# measures it against its peers. Each target installs what it needs, idempotently.
# Per-area rules live in mk/*.mk; each adds its targets to the lists below.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
TOOLS := $(HOME)/.cache/polycache
export PATH := $(HOME)/.cargo/bin:$(PATH)

TEST_TARGETS := check-paths
DEMO_TARGETS :=
BENCH_TARGETS :=

# rust.mk and python.mk first: other fragments use their variables in prerequisites.
MK_BASE := mk/rust.mk mk/python.mk
include $(MK_BASE) $(filter-out $(MK_BASE),$(sort $(wildcard mk/*.mk)))

.PHONY: help test demo bench
help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

test: $(TEST_TARGETS) ## Run every test of every language
	$(call tree-unchanged,test)
	@echo "make test: all suites passed ($(TEST_TARGETS))"

demo: $(DEMO_TARGETS) ## Show polycache doing its job
	$(call tree-unchanged,demo)

bench: $(BENCH_TARGETS) ## Benchmarks against peers; results in docs/
	$(MAKE) bench-report
