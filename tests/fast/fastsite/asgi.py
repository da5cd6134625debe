"""The ASGI entry point bench/fast_bench.py runs under uvicorn: Django alone, or behind
FastPathASGI (POLYCACHE_FAST=1)."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()

if os.environ.get("POLYCACHE_FAST") == "1":
    from polycache.fast import FastPathASGI

    application = FastPathASGI(application, header=True)
