# The repository stands alone and tests leave it as they found it: `check-paths` (first of
# make test, and run by .ci/run before it) fails if a tracked file names a path outside the
# clone; `make test` and `make demo` end by failing if they changed `git status`
# (before/after, so a developer's own uncommitted edits do not fail the run; .ci/run, on
# a clean clone, also demands that it be empty). Skipped suites are listed at the end.
.PHONY: check-paths

check-paths: ## Fail if a tracked file refers to a path outside the repository (and test that check)
	@.ci/test-check-paths
	@.ci/check-paths

GIT_STATUS_BEFORE := $(ROOT)/.cache/git-status-before
# What a run skipped (an optional interpreter missing), one line each, for its last line.
SKIPPED := $(ROOT)/.cache/skipped
ifneq ($(filter test demo,$(MAKECMDGOALS)),)
$(shell mkdir -p $(ROOT)/.cache && git -C $(ROOT) status --porcelain > $(GIT_STATUS_BEFORE) && : > $(SKIPPED))
endif
# $(call skip,TARGET,WHY): a target that cannot run here says so, now and at the end.
define skip
	@mkdir -p $(dir $(SKIPPED)) && echo "SKIPPED $(1): $(2)" | tee -a $(SKIPPED)
endef
define tree-unchanged
	@git -C $(ROOT) status --porcelain | diff $(GIT_STATUS_BEFORE) - >/dev/null || { \
		echo "make $(1) changed files git tracks or would add (git status, before -> after):"; \
		git -C $(ROOT) status --porcelain | diff $(GIT_STATUS_BEFORE) -; exit 1; }
	@echo "make $(1): git status unchanged"
endef
