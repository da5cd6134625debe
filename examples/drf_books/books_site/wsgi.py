import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "books_site.settings")
application = get_wsgi_application()

# polycache.fast: the /api/v2/ responses polycache.drf caches with cache_fast = True
# (books/library.py) are answered before Django runs, when the request is one Django
# would answer with that copy; everything else goes to Django unchanged. SecurityMiddleware
# adds these headers to every response: the fast answers get them too.
from django.conf import settings  # noqa: E402

from polycache.fast import FastPathWSGI  # noqa: E402


def _security_headers():
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return headers


application = FastPathWSGI(application, headers=_security_headers(), header=os.environ.get("DRF_BOOKS_FAST_HEADER") == "1")
