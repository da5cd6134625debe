"""Lengths in bytes of the keys Django itself writes to a cache, as the store holds them
(after `make_key`: `:1:` + key), to size the inline part of the core's `Key`
(core/src/store_key.rs; docs/bench-rust.md, "Keys inline").

`python bench/key_lengths.py` (any venv with Django) prints one line per key shape.
"""
from __future__ import annotations

import django
from django.conf import settings

settings.configure(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    USE_I18N=True,
    LANGUAGE_CODE="en-us",
    USE_TZ=True,
    ALLOWED_HOSTS=["example.com"],
    INSTALLED_APPS=["django.contrib.sessions"],
)
django.setup()

from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.cache.utils import make_template_fragment_key  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils.cache import _generate_cache_header_key, learn_cache_key  # noqa: E402


def stored(key: str) -> int:
    return len(cache.make_key(key).encode())


def shapes() -> list[tuple[str, int]]:
    request = RequestFactory().get("/articles/2026/12/?page=3", HTTP_HOST="example.com")
    response = HttpResponse("x")
    response["Vary"] = "Cookie"
    page_key = learn_cache_key(request, response, cache=cache)
    header_key = _generate_cache_header_key("", request)
    session = SessionStore()
    session.create()
    return [
        ("app key, `user:42:profile`", stored("user:42:profile")),
        ("app key, `user:123456:profile` (bench/django_sizes.py)", stored("user:123456:profile")),
        ("`cache_page` page (`views.decorators.cache.cache_page...`)", stored(page_key)),
        ("`cache_page` headers (`...cache_header...`)", stored(header_key)),
        ("`{% cache %}` fragment (`template.cache.sidebar.<md5>`)", stored(make_template_fragment_key("sidebar", ["u1"]))),
        ("cache session (`django.contrib.sessions.cache<32>`)", stored(session.cache_key)),
    ]


if __name__ == "__main__":
    for name, length in shapes():
        print(f"{length:4d}  {name}")
