"""The cache's clock: seconds since the epoch, set by the test (E2E_NOW) and moved by
hand, so remaining TTLs are exact and nothing sleeps."""
import os

_now = [float(os.environ.get("E2E_NOW", "1700000000"))]


def now() -> float:
    return _now[0]


def set_now(seconds: float) -> None:
    _now[0] = seconds
