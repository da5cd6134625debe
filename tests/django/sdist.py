"""Django's own cache tests, taken from a Django sdist: shared by the runners in
tests/django (PolyCache) and tests/tiered (TieredCache)."""
from __future__ import annotations

import os
import tarfile
from pathlib import Path


def extract_cache_tests(sdist: Path, into: Path) -> Path:
    """Extracts ``<root>/tests/cache/*`` of ``sdist`` once under ``into`` (gitignored);
    the folder to put on ``sys.path`` so that the tests import as top-level ``cache``."""
    name = sdist.name.removesuffix(".tar.gz")
    dest = into / "_django_src" / name
    if (dest / "cache" / "tests.py").exists():
        return dest
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    (tmp / "cache").mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) == 4 and parts[1:3] == ("tests", "cache") and member.isfile():
                with tar.extractfile(member) as src:  # type: ignore[union-attr]
                    (tmp / "cache" / parts[3]).write_bytes(src.read())
    if not (tmp / "cache" / "tests.py").exists():
        raise SystemExit(f"{sdist}: no tests/cache/tests.py inside")
    tmp.rename(dest)
    return dest
