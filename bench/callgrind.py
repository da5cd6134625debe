"""Instructions a Python command runs, counted by valgrind's callgrind (the hash seed fixed,
so two runs of one command count alike). Benchmarks take the difference of a run with N
operations and a run with none, over N: start-up cancels out, and the machine's load does
not reach the count."""
from __future__ import annotations

import os
import re
import subprocess
import sys


def instructions(args: list[str], python: str = sys.executable) -> int:
    """Instructions of `python ARGS...` (this interpreter unless told)."""
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", python, *args],
                       capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    m = re.search(r"Collected : (\d+)", p.stderr)
    if not m:
        raise SystemExit(f"no instruction count from callgrind:\n{p.stderr}")
    return int(m.group(1))


def per_op(args: list[str], n: int, python: str = sys.executable) -> float:
    """Instructions per operation of `python ARGS... N` beyond `python ARGS... 0`."""
    return (instructions([*args, str(n)], python) - instructions([*args, "0"], python)) / n
