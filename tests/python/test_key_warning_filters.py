"""Key warnings obey the filters written for Django's own: Django's tests (and projects)
silence them by module, ``ignore_warnings(module="django.core.cache.backends.base")``, as
Django's session tests do around an overlong session key. Side by side with LocMemCache."""

from __future__ import annotations

import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.locmem import LocMemCache

from polycache.django import PolyCache

BACKENDS = [PolyCache, LocMemCache]


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_a_module_filter_on_djangos_base_silences_the_key_warning(backend):
    cache = backend("warning-filters", {})
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", module="django.core.cache.backends.base")
        cache.set("k" * 300, 1)
        assert cache.get("k" * 300) == 1
        cache.set("has space", 2)
    assert [str(w.message) for w in seen] == []


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_without_the_filter_the_key_warning_is_djangos(backend):
    cache = backend("warning-filters", {})
    with pytest.warns(CacheKeyWarning, match="longer than 250") as seen:
        cache.set("k" * 300, 1)
    assert seen[0].filename.endswith("django/core/cache/backends/base.py")
