"""Shared fixtures: a clock tests move by hand (no test sleeps to wait for expiry) and
Django settings for the backend tests."""

from __future__ import annotations

import pytest

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        SECRET_KEY="polycache-tests",
        CACHES={"default": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "pytest-default"}},
        INSTALLED_APPS=[],
    )
    django.setup()


class FakeClock:
    """A ``time.time`` stand-in: seconds since the epoch, moved by ``advance``."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
