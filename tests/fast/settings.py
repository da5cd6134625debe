"""Settings of the fast-path test project (tests/fast): the `catalog` app of tests/drf (its
models, registered with polycache.drf) and `fastsite`, whose views are cached by Django's
own cache_page."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "drf"))

SECRET_KEY = "polycache-fast-tests"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "French")]
ROOT_URLCONF = "fastsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "catalog",
    "fastsite",
]
MIDDLEWARE = [
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
]

_DB_DIR = os.environ.get("POLYCACHE_DRF_DB_DIR") or tempfile.mkdtemp(prefix="polycache-fast-")
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
if CACHES["default"]["BACKEND"] == "polycache.django.PolyCache" and not os.environ.get("POLYCACHE_FAST_BENCH"):
    CACHES["default"]["OPTIONS"]["CLOCK"] = "fastsite.clock.now"  # tests move time, never sleep

POLYCACHE_DRF = {"CACHE": "default"}
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [], "UNAUTHENTICATED_USER": None}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
