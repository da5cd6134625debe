"""The examples in the package's docstrings run as tests."""

from __future__ import annotations

import doctest

import polycache


def test_docstring_examples():
    result = doctest.testmod(polycache, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0
