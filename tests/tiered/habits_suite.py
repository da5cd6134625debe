"""django-redis's OWN test suite against PolyCache and TieredCache, on a real redis-server.

    POLYCACHE_REDIS_URL=redis://127.0.0.1:PORT/0 python tests/tiered/habits_suite.py django_redis-7.0.0.tar.gz

``tests/test_backend.py`` is taken from django-redis's sdist (downloaded by mk/tiered.mk,
never committed) and run with pytest; its ``cache`` fixture gives, in turn, a PolyCache
and a TieredCache (hooks in habits_suite_plugin.py). Selected: the tests that use only
Django's API and the extras polycache claims. Left out, each with its reason: Redis data
types polycache does not offer (hashes, sets) and tests of django-redis's client object
(mocks of it, its pipelines, its replica switching). The only failures allowed are listed
in ``habits_suite_plugin.EXPECTED_FAILURES`` with their reason; anything else fails.
"""

from __future__ import annotations

import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def extract(sdist: Path, into: Path) -> Path:
    wanted = ("tests/test_backend.py", "tests/settings_wrapper.py")
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.split("/", 1)[-1] in wanted:
                target = into / Path(member.name).name
                target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    missing = [w for w in wanted if not (into / Path(w).name).exists()]
    if missing:
        raise SystemExit(f"{sdist}: no {missing}")
    return into / "test_backend.py"


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    import pytest

    sys.path.insert(0, str(HERE))
    import habits_suite_plugin as plugin

    with tempfile.TemporaryDirectory(prefix="django-redis-suite-") as tmp:
        tests = extract(Path(sys.argv[1]), Path(tmp))
        sys.path.insert(0, tmp)  # settings_wrapper
        code = pytest.main(
            [str(tests), "-q", "--tb=line", "-p", "no:cacheprovider", "--rootdir", tmp, "-o", "addopts=", "-W", "ignore::DeprecationWarning"],
            plugins=[plugin],
        )
    ok = plugin.summarize(Path(sys.argv[1]).name)
    # pytest's own code counts the expected failures as failures; the summary judges.
    return 0 if ok and code in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
