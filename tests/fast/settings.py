"""Settings of the fast-path test project (tests/fast): the DRF test project's settings
(tests/drf/settings.py, whose `catalog` app's models are registered with polycache.drf)
plus `fastsite`, whose views are cached by Django's own cache_page."""
import importlib.util
import os
import sys

_DRF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "drf")
sys.path.insert(0, _DRF)
_spec = importlib.util.spec_from_file_location("_drf_settings", os.path.join(_DRF, "settings.py"))
assert _spec is not None and _spec.loader is not None
_drf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_drf)
globals().update({k: v for k, v in vars(_drf).items() if k.isupper()})

SECRET_KEY = "polycache-fast-tests"
ROOT_URLCONF = "fastsite.urls"
INSTALLED_APPS = INSTALLED_APPS + ["django.contrib.sessions", "rest_framework.authtoken", "fastsite"]  # noqa: F821
# Sessions and users for the per-user pages (fastsite/users.py); the public pages touch
# neither, so these add nothing to their responses.
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    *MIDDLEWARE,  # noqa: F821 - LocaleMiddleware, CommonMiddleware
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = []

_DB_DIR = os.path.dirname(DATABASES["default"]["NAME"])  # noqa: F821
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_DB_DIR, "fast.sqlite3"),
        "TEST": {"NAME": os.path.join(_DB_DIR, "fast-test.sqlite3")},
        "OPTIONS": {"timeout": 20},
    }
}

CACHES = {
    "default": {
        "BACKEND": os.environ.get("POLYCACHE_FAST_BACKEND", "polycache.django.PolyCache"),
        "LOCATION": "fast-tests",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
if os.environ.get("POLYCACHE_FAST_REDIS_URL"):  # test_tiered.py: server processes sharing one Redis
    CACHES["default"] = {
        "BACKEND": "polycache.tiered.TieredCache",
        "LOCATION": os.environ["POLYCACHE_FAST_REDIS_URL"],
        "TIMEOUT": 300,
        "OPTIONS": {"INVALIDATION_BOUND": float(os.environ.get("POLYCACHE_FAST_BOUND", "0.5"))},
    }
elif os.environ.get("POLYCACHE_FAST_DJANGO_REDIS_URL"):  # bench/fast_bench.py: Django's cache on django-redis
    CACHES["default"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["POLYCACHE_FAST_DJANGO_REDIS_URL"],
        "TIMEOUT": 300,
    }
    if os.environ.get("POLYCACHE_FAST_SOCKET_TIMEOUT"):  # bench/fast_bench.py's asgi rows: FastPathASGI reads on the loop
        CACHES["default"]["OPTIONS"] = {"SOCKET_TIMEOUT": float(os.environ["POLYCACHE_FAST_SOCKET_TIMEOUT"])}
elif CACHES["default"]["BACKEND"] == "polycache.django.PolyCache" and not os.environ.get("POLYCACHE_FAST_BENCH"):
    CACHES["default"]["OPTIONS"]["CLOCK"] = "fastsite.clock.now"  # tests move time, never sleep

POLYCACHE_DRF = {"CACHE": "default"}
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [], "UNAUTHENTICATED_USER": None}
