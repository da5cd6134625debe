"""The examples in the package's docstrings run as tests."""

from __future__ import annotations

import doctest

import polycache
from polycache import _native


def test_docstring_examples():
    result = doctest.testmod(polycache, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


def test_native_docstring_examples():
    globs = {name: getattr(_native, name) for name in _native.__all__}
    result = doctest.testmod(_native, globs=globs, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 60
    assert result.failed == 0
