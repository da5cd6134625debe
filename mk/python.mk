# Python package and Django backend: the pytest suite (plain API, isolation, bad input,
# threads, shared vectors, docstring examples), mypy.stubtest of the native module, and
# Django's OWN cache test suite (BaseCacheTests from the Django sdists) against
# polycache.django.PolyCache: Django 5.2 on Python 3.11, Django 6.1 on Python 3.12.
# Everything installs itself, idempotently: venvs in .venv311/.venv312 (gitignored), Django
# sdists cached in $(TOOLS)/django, and two abi3 wheels built by `pip wheel .` (the same PEP
# 517 build as `pip install .`) with the ABI floor picked by a cargo feature
# (bindings-python/Cargo.toml): the cp310-abi3 wheel (fast calling convention) in
# PY_WHEEL_DIR, installed by every venv of the Makefile (all 3.10 and later), and the
# cp39-abi3 one in PY39_WHEEL_DIR, built only for test-python-39. One wheel per folder.
TEST_TARGETS += test-python

DJANGO_52 := 5.2.19
DJANGO_61 := 6.1.3
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null)
PY311 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3) $(shell command -v python3.11))
PY39 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.9*/bin/python3) $(shell command -v python3.9))
PY312 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3) $(shell command -v python3.12))
PY_TOOLS := "maturin>=1.8,<2" "pytest>=8" "mypy>=1.18" "hypothesis==6.170.15"
PIP_FLAGS := -q --disable-pip-version-check
PY_WHEEL_DIR := $(ROOT)/.cache/python-wheel
PY_WHEEL = $(PY_WHEEL_DIR)/polycache-*-cp310-abi3-*.whl
PY39_WHEEL_DIR := $(ROOT)/.cache/python-wheel-py39
PY39_WHEEL = $(PY39_WHEEL_DIR)/polycache-*-cp39-abi3-*.whl
# A target dir of its own: maturin builds that share one (`pip install .` elsewhere in
# `make -j`) overwrite each other's target/maturin/lib_native.so.
# The 3.9 wheel has its own too: a cdylib's file name does not change with its features.
PY_TARGET_DIR := $(ROOT)/target/python-wheel
PY39_TARGET_DIR := $(ROOT)/target/python-wheel-py39
DJANGO_SDISTS := $(TOOLS)/django
PY_SRC := $(wildcard $(ROOT)/pyproject.toml $(ROOT)/Cargo.toml $(ROOT)/Cargo.lock $(ROOT)/README.md) \
	$(shell find $(ROOT)/core/src $(ROOT)/core/Cargo.toml $(ROOT)/bindings-python -type f \
		\( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name 'py.typed' -o -name Cargo.toml \) \
		-not -path '*/target/*' 2>/dev/null)

.PHONY: python-env python-wheel test-python test-python-311 test-python-312 test-python-39 test-django-5.2 test-django-6.1 test-python-native

# venv-rule VENV PYTHON DJANGO_VERSION PYTHON_VERSION
define venv-rule
$(ROOT)/$(1)/.deps-stamp: mk/python.mk
	@test -n "$(2)" || { echo "$(1) needs Python $(4): put python$(4) on PATH or in pyenv, or set PY$(subst .,,$(4))=/path/to/python$(4)"; exit 1; }
	@test -x $(ROOT)/$(1)/bin/python || $(2) -m venv $(ROOT)/$(1)
	$(ROOT)/$(1)/bin/python -m pip install $(PIP_FLAGS) $(PY_TOOLS) "Django==$(3)"
	@touch $$@

$(ROOT)/$(1)/.polycache-stamp: $(ROOT)/$(1)/.deps-stamp $(PY_WHEEL_DIR)/.stamp
	$(ROOT)/$(1)/bin/python -m pip install $(PIP_FLAGS) --force-reinstall --no-deps $(PY_WHEEL)
	@touch $$@
endef
$(eval $(call venv-rule,.venv311,$(PY311),$(DJANGO_52),3.11))
$(eval $(call venv-rule,.venv312,$(PY312),$(DJANGO_61),3.12))

# wheel-rule DIR TARGET_DIR CARGO_ARGS TAG: `pip wheel .` with one ABI-floor feature, or the
# native build (maturin reads MATURIN_PEP517_ARGS), then check the folder holds exactly one
# wheel of that tag.
define wheel-rule
	rm -rf $(1) && mkdir -p $(1)
	PATH=$(ROOT)/.venv311/bin:$$PATH CARGO_TARGET_DIR=$(2) MATURIN_PEP517_ARGS="$(3)" \
		$(ROOT)/.venv311/bin/python -m pip wheel $(PIP_FLAGS) --no-deps --no-build-isolation -w $(1) $(ROOT)
	@test "$$(ls $(1))" = "$$(cd $(1) && ls polycache-*-$(4)-*.whl)" && test "$$(ls $(1) | wc -l)" = 1 \
		|| { echo "expected one $(4) wheel in $(1), found: $$(ls $(1))"; exit 1; }
endef

$(PY_WHEEL_DIR)/.stamp: $(ROOT)/.venv311/.deps-stamp $(PY_SRC) mk/python.mk
	$(call wheel-rule,$(PY_WHEEL_DIR),$(PY_TARGET_DIR),--features abi3-py310,cp310-abi3)
	@touch $@

# After the main wheel (order only): two release builds at once would only slow both.
$(PY39_WHEEL_DIR)/.stamp: $(ROOT)/.venv311/.deps-stamp $(PY_SRC) mk/python.mk | $(PY_WHEEL_DIR)/.stamp
	$(call wheel-rule,$(PY39_WHEEL_DIR),$(PY39_TARGET_DIR),--features abi3-py39,cp39-abi3)
	@touch $@

python-wheel: $(PY_WHEEL_DIR)/.stamp ## Build the cp310-abi3 wheel of polycache (pip wheel .), the one every venv installs

python-env: $(ROOT)/.venv311/.polycache-stamp $(ROOT)/.venv312/.polycache-stamp ## venvs .venv311/.venv312 with polycache installed

# sdist-rule VERSION VENV (pip picks releases for its own Python: 6.x needs 3.12)
define sdist-rule
$(DJANGO_SDISTS)/django-$(1).tar.gz: | $(ROOT)/$(2)/.deps-stamp
	mkdir -p $(DJANGO_SDISTS)
	$(ROOT)/$(2)/bin/python -m pip download $(PIP_FLAGS) --no-deps --no-binary :all: "Django==$(1)" -d $(DJANGO_SDISTS)
	@test -f $$@
endef
$(eval $(call sdist-rule,$(DJANGO_52),.venv311))
$(eval $(call sdist-rule,$(DJANGO_61),.venv312))

# pytest-rule VENV
define pytest-rule
	cd $(ROOT) && $(ROOT)/$(1)/bin/python -m pytest -q -p no:cacheprovider tests/python
	cd $(ROOT) && $(ROOT)/$(1)/bin/python -m mypy.stubtest polycache._native
	cd $(ROOT) && $(ROOT)/$(1)/bin/python -m mypy --no-incremental --ignore-missing-imports --warn-unused-ignores \
		--disallow-untyped-defs -m polycache -m polycache.django
endef

test-python-311: $(ROOT)/.venv311/.polycache-stamp ## pytest + stubtest on Python 3.11
	$(call pytest-rule,.venv311)

test-python-312: $(ROOT)/.venv312/.polycache-stamp ## pytest + stubtest on Python 3.12
	$(call pytest-rule,.venv312)

test-django-5.2: $(ROOT)/.venv311/.polycache-stamp $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz ## Django 5.2's own cache tests on PolyCache (Python 3.11), default VALUES ("compact") and "copy"
	$(ROOT)/.venv311/bin/python $(ROOT)/tests/django/run.py $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz
	$(ROOT)/.venv311/bin/python $(ROOT)/tests/django/run.py $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz --values copy

test-django-6.1: $(ROOT)/.venv312/.polycache-stamp $(DJANGO_SDISTS)/django-$(DJANGO_61).tar.gz ## Django 6.1's own cache tests on PolyCache (Python 3.12), default VALUES ("compact") and "copy"
	$(ROOT)/.venv312/bin/python $(ROOT)/tests/django/run.py $(DJANGO_SDISTS)/django-$(DJANGO_61).tar.gz
	$(ROOT)/.venv312/bin/python $(ROOT)/tests/django/run.py $(DJANGO_SDISTS)/django-$(DJANGO_61).tar.gz --values copy

# The cp39-abi3 wheel on the oldest Python it claims (no Django there: the docstring examples).
$(ROOT)/.venv39/.polycache-stamp: $(PY39_WHEEL_DIR)/.stamp
	@test -n "$(PY39)" || { echo "no Python 3.9 interpreter found (set PY39)"; exit 1; }
	@test -x $(ROOT)/.venv39/bin/python || $(PY39) -m venv $(ROOT)/.venv39
	$(ROOT)/.venv39/bin/python -m pip install $(PIP_FLAGS) --force-reinstall --no-deps $(PY39_WHEEL)
	@touch $@

ifeq ($(PY39),)
# Optional: the check is skipped, said so here and in make test's last line.
test-python-39: ## The cp39-abi3 wheel on Python 3.9: docstring examples (skipped without a 3.9)
	$(call skip,test-python-39,no Python 3.9 found (python3.9 on PATH or pyenv; or PY39=/path/to/python3.9): the cp39-abi3 wheel is not checked on 3.9)
else
test-python-39: $(ROOT)/.venv39/.polycache-stamp ## The cp39-abi3 wheel on Python 3.9: docstring examples
	cd $(ROOT)/tests && $(ROOT)/.venv39/bin/python -c 'import doctest, polycache, polycache._native as n; \
		a = doctest.testmod(polycache); b = doctest.testmod(n, globs=vars(n)); \
		assert a.failed == b.failed == 0 and a.attempted + b.attempted > 20, (a, b); \
		print("Python 3.9:", a.attempted + b.attempted, "examples passed")'
	$(call pip-picks,.venv39,cp39-abi3)
	$(call pip-picks,.venv311,cp310-abi3)
endif

# pip-picks VENV TAG: offered both wheels, pip in VENV chooses the TAG one (a dry run).
define pip-picks
	$(ROOT)/$(1)/bin/python -m pip install $(PIP_FLAGS) --dry-run --ignore-installed --no-deps --no-index \
		--report - -f $(PY_WHEEL_DIR) -f $(PY39_WHEEL_DIR) polycache | $(ROOT)/$(1)/bin/python -c \
		'import json, sys; u = json.load(sys.stdin)["install"][0]["download_info"]["url"]; \
		assert "-$(2)-" in u, u; print("$(1): pip picks", u.rsplit("/", 1)[1])'
endef

test-python: test-python-311 test-python-312 test-python-39 test-django-5.2 test-django-6.1 ## Every Python and Django test

# The native build (cargo feature `native`, not abi3: cp311-cp311) on Python 3.11, in a venv
# of its own (.venv311n) so the abi3 wheel stays what the other targets test: pytest,
# stubtest and Django 5.2's cache suite. Not part of `make test` (a third release build).
PYN_WHEEL_DIR := $(ROOT)/.cache/python-wheel-native
PYN_TARGET_DIR := $(ROOT)/target/python-wheel-native

$(PYN_WHEEL_DIR)/.stamp: $(ROOT)/.venv311/.deps-stamp $(PY_SRC) mk/python.mk
	$(call wheel-rule,$(PYN_WHEEL_DIR),$(PYN_TARGET_DIR),--no-default-features --features native,cp311-cp311)
	@touch $@

$(ROOT)/.venv311n/.polycache-stamp: $(PYN_WHEEL_DIR)/.stamp
	@test -x $(ROOT)/.venv311n/bin/python || $(PY311) -m venv $(ROOT)/.venv311n
	$(ROOT)/.venv311n/bin/python -m pip install $(PIP_FLAGS) $(PY_TOOLS) "Django==$(DJANGO_52)"
	$(ROOT)/.venv311n/bin/python -m pip install $(PIP_FLAGS) --force-reinstall --no-deps $(PYN_WHEEL_DIR)/polycache-*-cp311-cp311-*.whl
	@touch $@

test-python-native: $(ROOT)/.venv311n/.polycache-stamp $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz ## The native build (not abi3) on Python 3.11: pytest, stubtest, Django 5.2's cache suite
	$(call pytest-rule,.venv311n)
	$(ROOT)/.venv311n/bin/python $(ROOT)/tests/django/run.py $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz
