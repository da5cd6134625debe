"""Settings of the drf_books example: a small catalogue API cached by polycache.

The cache is the one line a Django user would write:

    CACHES = {"default": {"BACKEND": "polycache.django.PolyCache", ...}}

Everything else is plain Django + Django REST framework + drf-extensions.
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "drf-books-example-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "rest_framework.authtoken",
    "books",
]

# Site-wide cache middleware, the pair from Django's docs: Update first, Fetch last.
# The two subclasses only act inside CACHE_MIDDLEWARE_PATHS (the public HTML pages
# under /site/); the API has its own caches (see books/middleware.py).
MIDDLEWARE = [
    "books.middleware.SiteUpdateCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "books.middleware.SiteFetchFromCacheMiddleware",
]
CACHE_MIDDLEWARE_ALIAS = "default"
CACHE_MIDDLEWARE_SECONDS = 60
CACHE_MIDDLEWARE_KEY_PREFIX = "site"
CACHE_MIDDLEWARE_PATHS = ("/site/",)

ROOT_URLCONF = "books_site.urls"
WSGI_APPLICATION = "books_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DRF_BOOKS_DB", str(BASE_DIR / "db.sqlite3")),
        # Writers wait for the lock instead of failing (the live-server test writes from
        # several server threads at once); IMMEDIATE avoids lock-upgrade deadlocks.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        # A file, not SQLite's in-memory database: Django's live server shares one
        # in-memory connection between all its threads, which concurrent writes break.
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"drf_books_test_{os.getpid()}.sqlite3")},
    }
}

# The cache under test. DRF_BOOKS_CACHE=locmem swaps in Django's LocMemCache to compare.
# Any other dotted path is taken as a backend class.
_CHOICE = os.environ.get("DRF_BOOKS_CACHE", "polycache")
_BACKEND = {
    "polycache": "polycache.django.PolyCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
}.get(_CHOICE, _CHOICE)

CACHES = {
    "default": {
        "BACKEND": _BACKEND,
        "LOCATION": "drf-books",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

REST_FRAMEWORK = {
    # Both authenticate with the Authorization header, which is what the cached
    # list view varies on. (SessionAuthentication would need Vary: Cookie.)
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

REST_FRAMEWORK_EXTENSIONS = {
    "DEFAULT_CACHE_RESPONSE_TIMEOUT": 300,
    "DEFAULT_CACHE_ERRORS": False,
}

# Fast hashing: tests and the demo create users; nothing here guards real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"

TEST_RUNNER = "books_site.test_runner.CountingRunner"

# Server errors (500) go to stderr with their traceback, in tests and the demo too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
