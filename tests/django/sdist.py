"""Django's own tests, taken from a Django sdist: shared by the runners in tests/django
(PolyCache), tests/tiered (TieredCache) and tests/sessions (the session engines)."""
from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path


def extract_tests(sdist: Path, into: Path, *folders: str) -> Path:
    """Extracts ``<root>/tests/<folder>/*`` of ``sdist`` for each folder, once, under
    ``into`` (gitignored); the folder to put on ``sys.path`` so that each imports as a
    top-level package, as Django's own runner has them."""
    name = sdist.name.removesuffix(".tar.gz")
    dest = into / "_django_src" / name
    if all((dest / f / "tests.py").exists() for f in folders):
        return dest
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    for f in folders:
        (tmp / f).mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) == 4 and parts[1] == "tests" and parts[2] in folders and member.isfile():
                with tar.extractfile(member) as src:  # type: ignore[union-attr]
                    (tmp / parts[2] / parts[3]).write_bytes(src.read())
    for f in folders:
        if not (tmp / f / "tests.py").exists():
            raise SystemExit(f"{sdist}: no tests/{f}/tests.py inside")
    if dest.exists():  # an older extraction with fewer folders
        shutil.rmtree(dest)
    tmp.rename(dest)
    return dest


def extract_cache_tests(sdist: Path, into: Path) -> Path:
    """``tests/cache`` of ``sdist`` (see ``extract_tests``), imported as ``cache``."""
    return extract_tests(sdist, into, "cache")
