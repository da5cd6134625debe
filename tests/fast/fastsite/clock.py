"""The cache's clock in the tests: real time plus an offset the tests move forward."""
import time

OFFSET = [0.0]


def now() -> float:
    return time.time() + OFFSET[0]
