"""Django's site-wide cache middleware pair, limited to the public HTML pages.

UpdateCacheMiddleware and FetchFromCacheMiddleware cache every GET response that does
not opt out, keyed on the URL and the response's Vary headers (Django 5.2 adds
Vary: Authorization itself when the request carries that header, so token-authenticated
API responses would not leak; tests/test_pages.py pins that). The API has its own, finer
caches with their own invalidation; the pair in front of it would store every API
response a second time, per user. These subclasses keep the real Django classes and
only skip requests outside settings.CACHE_MIDDLEWARE_PATHS.
"""
from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware


def in_scope(request):
    return request.path.startswith(tuple(getattr(settings, "CACHE_MIDDLEWARE_PATHS", ("/",))))


class SiteUpdateCacheMiddleware(UpdateCacheMiddleware):
    def process_response(self, request, response):
        if not in_scope(request):
            return response
        return super().process_response(request, response)


class SiteFetchFromCacheMiddleware(FetchFromCacheMiddleware):
    def process_request(self, request):
        if not in_scope(request):
            request._cache_update_cache = False
            return None
        return super().process_request(request)
