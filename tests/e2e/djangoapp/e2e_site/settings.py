"""A Django site whose default cache is polycache's PolyCache, with the application's
snapshot key and an injected clock (warmapp.clock: the test sets the time, nothing
sleeps)."""
import os

SECRET_KEY = "e2e-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["warmapp"]
DATABASES = {}
CACHES = {
    "default": {
        "BACKEND": "polycache.django.PolyCache",
        "LOCATION": "e2e",
        "KEY_PREFIX": "site",
        "VERSION": 1,
        "TIMEOUT": 300,
        "OPTIONS": {
            "MAX_ENTRIES": 10_000,
            "SNAPSHOT_KEY": os.environ.get("E2E_SNAPSHOT_KEY", "e2e application key"),
            "CLOCK": "warmapp.clock.now",
        },
    }
}
