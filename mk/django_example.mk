# Example project: Django + Django REST framework + drf-extensions, cached by polycache
# (examples/drf_books). Its own venv in .venv-example (gitignored); polycache goes in with
# `pip install .` of the repo root, rebuilt only when its sources change.
TEST_TARGETS += test-example
DEMO_TARGETS += demo-django

EXAMPLE_DIR := $(ROOT)/examples/drf_books
EXAMPLE_VENV := $(ROOT)/.venv-example
EXAMPLE_PY := $(EXAMPLE_VENV)/bin/python
EXAMPLE_PYTHON ?= $(PY311)
EXAMPLE_POLYCACHE_SRC := $(wildcard $(ROOT)/pyproject.toml $(ROOT)/Cargo.toml $(ROOT)/Cargo.lock) \
	$(shell find $(ROOT)/core/src $(ROOT)/bindings-python -type f \
		\( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name 'py.typed' -o -name Cargo.toml \) \
		-not -path '*/target/*' 2>/dev/null)

.PHONY: example-env test-example demo-django

$(EXAMPLE_VENV)/.deps-stamp: $(EXAMPLE_DIR)/requirements.txt
	@test -n "$(EXAMPLE_PYTHON)" || { echo "the example needs Python 3.11: put python3.11 on PATH or in pyenv, or set PY311=/path/to/python3.11"; exit 1; }
	@test -x $(EXAMPLE_PY) || $(EXAMPLE_PYTHON) -m venv $(EXAMPLE_VENV)
	$(EXAMPLE_PY) -m pip install -q --disable-pip-version-check -r $(EXAMPLE_DIR)/requirements.txt
	@touch $@

$(EXAMPLE_VENV)/.polycache-stamp: $(EXAMPLE_VENV)/.deps-stamp $(EXAMPLE_POLYCACHE_SRC)
	$(EXAMPLE_PY) -m pip install -q --disable-pip-version-check $(ROOT)
	@touch $@

example-env: $(EXAMPLE_VENV)/.polycache-stamp ## venv for the Django example, with polycache installed from this tree

test-example: example-env ## Django + DRF example project: its tests, on polycache.django.PolyCache
	cd $(EXAMPLE_DIR) && DRF_BOOKS_CACHE=polycache $(EXAMPLE_PY) manage.py test books

DEMO_BUILDS += example-env
demo-django: $(call demo-needs,example-env) ## Django + DRF example: cold vs cached response times, cache stats
	$(call demo-heading,Django + DRF: the example project on PolyCache (examples/drf_books))
	@cd $(EXAMPLE_DIR) && DRF_BOOKS_CACHE=polycache $(EXAMPLE_PY) demo.py
