"""The fast path on django-redis (``make test-fast`` runs the whole suite there too, on a
real redis-server): a hit is one ``MGET`` (header list, page, generations), what was made
of a stored page is reused only while Redis returns equal bytes, and a write made by
another process (a replaced page, a deleted one, a model write's invalidation) is seen
on the very next request. Each test would fail if the fast path answered from its
memory without asking Redis, or read more than once per hit."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import redis
from conftest import NETWORK
from django.core.cache import caches
from fastsite.wsgi_client import call

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not NETWORK, reason="needs POLYCACHE_FAST_DJANGO_REDIS_URL")]

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tiered"))
import redisctl  # noqa: E402  (a redis-server of a test's own)


def in_another_process(code):
    """Runs ``code`` in a new Python process on the same settings (the same Redis)."""
    prelude = "import django; django.setup()\nfrom django.core.cache import caches\ncache = caches['default']\n"
    subprocess.run([sys.executable, "-c", prelude + code], cwd=HERE, env=dict(os.environ, PYTHONPATH=HERE), check=True,
                   timeout=60)


@contextlib.contextmanager
def own_redis(settings, password=None, db=0, **options):
    """A redis-server of this test's own (to kill, stop or lock), Django's cache on it; the
    folder, port, Django's application and the fast path around it."""
    from django.core.wsgi import get_wsgi_application

    from polycache.fast import FastPathWSGI

    folder = tempfile.mkdtemp(prefix="polycache-fast-redis-")
    try:
        port = redisctl.start(folder)
        if password:
            redis.Redis(port=port).config_set("requirepass", password)
        auth = f":{password}@" if password else ""
        location = f"redis://{auth}127.0.0.1:{port}/{db}"
        settings.CACHES = {"default": dict(settings.CACHES["default"], LOCATION=location, OPTIONS=options)}
        django_app = get_wsgi_application()
        yield folder, port, django_app, FastPathWSGI(django_app, header=True)
    finally:
        redisctl.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def hot(fast_app, path):
    """A page stored and answered fast twice (the second time from one MGET); its key."""
    call(fast_app, path)
    for _ in range(2):
        assert call(fast_app, path).header("X-Polycache") == "fast"
    (key,) = caches["default"].keys("*.cache_page.*")
    return key


def fast_hits_and_commands(fast_app, path, hits):
    """Answers ``path`` fast ``hits`` times; the last answer and Redis's own count of each
    command it ran meanwhile (INFO commandstats)."""
    client = caches["default"].client.get_client()
    client.config_resetstat()
    for _ in range(hits):
        answer = call(fast_app, path)
        assert answer.header("X-Polycache") == "fast"
    stats = client.info("commandstats")
    return answer, {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}


def test_a_hit_is_one_mget(apps):
    django_app, fast_app = apps
    if fast_app._keys is None:
        pytest.skip("the fallback on Django's own key functions reads with get")
    hot(fast_app, "/books/")
    answer, seen = fast_hits_and_commands(fast_app, "/books/", 5)
    assert seen.get("mget") == 5 and "get" not in seen, seen
    assert answer.comparable() == call(django_app, "/books/").comparable()


def test_a_polycache_drf_hit_is_one_mget(apps):
    """A ``fast=True`` DRF view: the cache_page header list (absent), the DRF copy and its
    namespaces' generations, read together."""
    from fastsite import api

    django_app, fast_app = apps
    if fast_app._keys is None:
        pytest.skip("the fallback on Django's own key functions reads with get")
    for _ in range(3):
        call(fast_app, "/api/public/?page=2")
    answer, seen = fast_hits_and_commands(fast_app, "/api/public/?page=2", 4)
    assert seen.get("mget") == 4 and "get" not in seen, seen
    assert api.CALLS["public"] == 1 and json.loads(answer.body) == json.loads(call(django_app, "/api/public/?page=2").body)
    in_another_process("from catalog.models import Book\nfrom polycache import drf\ndrf.invalidate(Book)")
    assert call(fast_app, "/api/public/?page=2").header("X-Polycache") == "django" and api.CALLS["public"] == 2


def test_a_stored_page_is_decoded_once(apps):
    _, fast_app = apps
    if fast_app._keys is None:
        pytest.skip("the fallback on Django's own key functions reads with get")
    key = hot(fast_app, "/books/")
    made = fast_app._copies._memo[("default", key)]
    call(fast_app, "/books/")
    assert fast_app._copies._memo[("default", key)] is made  # equal bytes: the same copy


def test_a_page_replaced_by_another_process_is_served_as_the_new_one(apps):
    django_app, fast_app = apps
    key = hot(fast_app, "/books/")
    in_another_process(f"import json\nr = cache.get({key!r})\nr.content = json.dumps({{'page': 'books', 'run': 99}}).encode()\n"
                       f"cache.set({key!r}, r, 60)")
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "fast" and json.loads(answer.body)["run"] == 99
    assert answer.comparable() == call(django_app, "/books/").comparable()


def test_a_page_replaced_by_one_the_fast_path_refuses_is_refused(apps):
    _, fast_app = apps
    key = hot(fast_app, "/books/")
    in_another_process(f"r = cache.get({key!r})\nr['Cache-Control'] = 'private'\ncache.set({key!r}, r, 60)")
    assert call(fast_app, "/books/").header("X-Polycache") == "django"
    assert fast_app.stats()["refusals"] == {"private": 1}


def test_a_page_deleted_by_another_process_is_a_miss(apps):
    _, fast_app = apps
    key = hot(fast_app, "/books/")
    in_another_process(f"cache.delete({key!r})")
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django" and json.loads(answer.body)["run"] == 2


def test_a_write_in_another_process_retires_the_page(apps):
    _, fast_app = apps
    hot(fast_app, "/books/")
    in_another_process("from catalog.models import Book\nfrom polycache import drf\ndrf.invalidate(Book)")
    stale = call(fast_app, "/books/")
    assert stale.header("X-Polycache") == "django" and json.loads(stale.body)["run"] == 2
    assert fast_app.stats()["refusals"] == {"stale": 1}
    fresh = call(fast_app, "/books/")
    assert fresh.header("X-Polycache") == "fast" and fresh.body == stale.body


@pytest.mark.parametrize("compressor", ["django_redis.compressors.zlib.ZlibCompressor"])
def test_a_compressed_django_redis_is_read_with_its_own_decoding(settings, compressor):
    """django-redis's COMPRESSOR (and any serializer): the stored bytes are decoded by
    django-redis's own ``decode``."""
    from django.core.wsgi import get_wsgi_application

    from polycache.fast import FastPathWSGI

    default = settings.CACHES["default"]
    settings.CACHES = {"default": dict(default, OPTIONS={"COMPRESSOR": compressor, "COMPRESS_MIN_LEN": 10})}
    caches["default"].clear()
    django_app = get_wsgi_application()
    fast_app = FastPathWSGI(django_app, header=True)
    key = hot(fast_app, "/books/")
    cache = caches["default"]
    assert cache.client.get_client().get(cache.client.make_key(key))[:1] == b"x"  # zlib's header: stored compressed
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "fast"
    assert answer.comparable() == call(django_app, "/books/").comparable()


def test_the_kept_connection_recovers_when_redis_restarts(settings):
    """Redis stopped: the fast path's read fails, the request goes to Django (which answers
    as it does on a cache that raises); Redis back on the same port: the thread's kept
    connection reconnects and hits are fast again."""
    with own_redis(settings) as (folder, port, django_app, fast_app):
        hot(fast_app, "/books/")
        redisctl.stop(folder)
        down = call(fast_app, "/books/")
        assert down.header("X-Polycache") == "django" and down.status == call(django_app, "/books/").status
        assert fast_app.stats()["refusals"] == {"error": 1}
        redisctl.start(folder, port=port)  # empty: the page is stored again, then served fast
        assert call(fast_app, "/books/").header("X-Polycache") == "django"
        assert call(fast_app, "/books/").header("X-Polycache") == "fast"
