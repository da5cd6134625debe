# polycache: `make demo` shows it working, `make test` runs every test, `make bench`
# measures it against its peers. Each target installs what it needs, idempotently.
# Per-area rules live in mk/*.mk; each adds its targets to the lists below.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
TOOLS := $(HOME)/.cache/polycache
export PATH := $(HOME)/.cargo/bin:$(PATH)

# $(call apt-install,COMMANDS,PACKAGES,WHO): unless each of COMMANDS (a name on PATH or
# a path) is there, says what it installs and for whom, then installs the Debian PACKAGES
# with apt-get, through sudo when not root. Only the targets that need a package call it.
define apt-install
	@missing=; for c in $(1); do [ -x "$$c" ] || command -v "$$c" >/dev/null || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		echo "== $(3) need$$missing: installing Debian's $(2) with $${sudo:+sudo }apt-get (once per machine)"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null 2>&1 || { \
			$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); }; \
	fi
endef

# $(call install-tool,BINARY,COMMAND): runs COMMAND to install BINARY into $(TOOLS), which
# every clone on the machine shares: one install at a time (flock), and a make that waited
# for another's install uses it instead of building it again. Its output goes to a log,
# whose end is shown if it fails.
define install-tool
	@mkdir -p $(TOOLS) && flock $(TOOLS)/.install.lock sh -c 'test -x $(1) || { \
		log=$(TOOLS)/install-$(notdir $(1)).log; \
		echo "== installing $(notdir $(1)) into $(TOOLS) (once per machine, minutes; log: $$log)"; \
		{ $(2); } > $$log 2>&1 || { echo "installing $(notdir $(1)) failed; the end of $$log:"; tail -n 40 $$log; exit 1; }; }'
endef

TEST_TARGETS := check-paths
DEMO_TARGETS :=
# make demo builds first, quietly (DEMO_BUILDS, log in .cache/demo-build.log; DEMO_SYSTEM,
# the apt installs, stay visible), then runs the demos with DEMO_BUILT=1, where
# $(call demo-needs,PREREQS) drops a demo's build prerequisites: only headings and output.
DEMO_BUILDS :=
DEMO_SYSTEM :=
demo-needs = $(if $(DEMO_BUILT),,$(1))
define demo-heading
	@printf '\n=== %s ===\n\n' "$(1)"
endef
BENCH_TARGETS :=

# rust.mk and python.mk first: other fragments use their variables in prerequisites.
MK_BASE := mk/rust.mk mk/python.mk
include $(MK_BASE) $(filter-out $(MK_BASE),$(sort $(wildcard mk/*.mk)))

.PHONY: help test demo bench
help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

test: $(TEST_TARGETS) ## Run every test of every language
	$(call tree-unchanged,test)
	@if [ -s $(SKIPPED) ]; then echo "make test: all suites passed ($(TEST_TARGETS)); skipped:"; cat $(SKIPPED); \
	else echo "make test: all suites passed ($(TEST_TARGETS))"; fi

DEMO_LOG := $(ROOT)/.cache/demo-build.log
DEMO_ORDER := demo-rust demo-django demo-js demo-e2e
demo: ## Show polycache doing its job
	@$(if $(DEMO_SYSTEM),$(MAKE) -s --no-print-directory $(DEMO_SYSTEM))
	@mkdir -p $(dir $(DEMO_LOG)) && echo "Building what the demos need (the first time takes minutes; log: $(DEMO_LOG))"
	@$(MAKE) --no-print-directory $(DEMO_BUILDS) > $(DEMO_LOG) 2>&1 || { \
		echo "make demo: the build failed; the end of $(DEMO_LOG):"; tail -n 40 $(DEMO_LOG); exit 1; }
	@$(MAKE) -s --no-print-directory DEMO_BUILT=1 $(filter $(DEMO_TARGETS),$(DEMO_ORDER)) $(filter-out $(DEMO_ORDER),$(DEMO_TARGETS))
	$(call tree-unchanged,demo)

bench: $(BENCH_TARGETS) ## Benchmarks against peers; results in docs/
	$(MAKE) bench-report
