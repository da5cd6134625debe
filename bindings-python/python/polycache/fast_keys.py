"""Django's ``cache_page`` keys for a WSGI environ, without building a request per hit.

Django derives a page's key from the absolute URI, the language ``LocaleMiddleware``
picks, the time zone and the values of the headers the stored copy varies on. Building
a ``WSGIRequest`` and going through ``get_cache_key`` costs as much as the rest of the
fast path together, and the first three depend only on a handful of environ values: they
are computed once per distinct combination by Django's own code (on a real
``WSGIRequest``) and remembered (bounded). The key itself is then formatted here, and
:func:`matches_django` checks that format against Django's own functions when the fast
path starts; if they disagree (another Django version), the fast path uses Django's
functions on every request instead.
"""

from __future__ import annotations

import io
from hashlib import md5
from typing import Any, Callable, Dict, List, Optional, Tuple

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone, translation
from django.utils.cache import _generate_cache_header_key, _generate_cache_key, patch_vary_headers

__all__ = ["KeyBuilder", "matches_django"]

_LOCALE = "django.middleware.locale.LocaleMiddleware"
_MEMO_MAX = 10_000

# (absolute URI, language, whether LocaleMiddleware adds Vary: Accept-Language)
Where = Tuple[str, str, bool]


def _language(request: WSGIRequest) -> Tuple[str, bool]:
    """The language ``LocaleMiddleware`` would activate for this request (its own steps),
    else the default; and whether its response phase adds ``Vary: Accept-Language``."""
    if _LOCALE not in settings.MIDDLEWARE:
        return settings.LANGUAGE_CODE, False
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    patterns_used, prefixed_default = is_language_prefix_patterns_used(urlconf)
    language = translation.get_language_from_request(request, check_path=patterns_used)
    from_path = translation.get_language_from_path(request.path_info)
    if patterns_used and not prefixed_default and not from_path:
        language = settings.LANGUAGE_CODE
    return language, not (patterns_used and from_path)


def as_locale_middleware_leaves_it(response: Any, language: str, vary: bool) -> None:
    # LocaleMiddleware sits outside cache_page: on Django's path it edits every copy
    # cache_page returns, after the lookup.
    if vary:
        patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", language)


def _suffix(language: str, zone: str) -> str:
    return (f".{language}" if settings.USE_I18N else "") + (f".{zone}" if settings.USE_TZ else "")


def _page_key(prefix: str, method: str, uri_digest: str, environ: Dict[str, Any], headerlist: List[str], suffix: str) -> str:
    ctx = md5(usedforsecurity=False)
    for header in headerlist:
        value = environ.get(header)
        ctx.update(b"-," if value is None else value.encode())
    return f"views.decorators.cache.cache_page.{prefix}.{method}.{uri_digest}.{ctx.hexdigest()}{suffix}"


def matches_django(prefix: str) -> bool:
    """Whether the keys formatted here are the ones this Django version makes."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/\u00e9 x/", "QUERY_STRING": "a=1&b=%C3%A9", "SERVER_NAME": "h",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "HTTP_ACCEPT": "text/html", "HTTP_EMPTY": "", "wsgi.input": io.BytesIO()}
    headerlist = ["HTTP_ABSENT", "HTTP_ACCEPT", "HTTP_EMPTY"]
    try:
        request = WSGIRequest(environ)
        request.__dict__["_current_scheme_host"] = "http://sample.test"  # not ALLOWED_HOSTS' business here
        request.LANGUAGE_CODE = "xx"
        with timezone.override(None):
            theirs = (_generate_cache_header_key(prefix, request), _generate_cache_key(request, "GET", headerlist, prefix))
        uri = request.build_absolute_uri()
    except Exception:  # Django's internals moved: trust its public functions only
        return False
    digest = md5(uri.encode("ascii"), usedforsecurity=False).hexdigest()
    suffix = _suffix("xx", timezone.get_default_timezone_name())
    ours = (f"views.decorators.cache.cache_header.{prefix}.{digest}{suffix}", _page_key(prefix, "GET", digest, environ, headerlist, suffix))
    return ours == theirs


class KeyBuilder:
    """The header-list key and the page keys Django's cache middleware uses for an
    environ, with the request-derived parts remembered per distinct environ values."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.zone = timezone.get_default_timezone_name()
        self.locale = _LOCALE in settings.MIDDLEWARE
        self.language_cookie = settings.LANGUAGE_COOKIE_NAME
        self.host_headers = tuple(
            name
            for name, used in (
                ("HTTP_X_FORWARDED_HOST", settings.USE_X_FORWARDED_HOST),
                ("HTTP_X_FORWARDED_PORT", settings.USE_X_FORWARDED_PORT),
                (settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else "", bool(settings.SECURE_PROXY_SSL_HEADER)),
            )
            if used
        )
        self._memo: Dict[Tuple[Any, ...], Tuple[str, str, bool, str]] = {}
        self._pages: Dict[Tuple[Any, ...], str] = {}

    def where(self, environ: Dict[str, Any], make_request: Callable[[], Any]) -> Tuple[str, str, bool, str]:
        """(URI digest, language, LocaleMiddleware's Vary, key suffix) for this environ
        (``META`` of the request ``make_request`` builds). Raises what Django raises for
        it (``DisallowedHost``, ...)."""
        cookie = environ.get("HTTP_COOKIE")
        memo_key: Optional[Tuple[Any, ...]] = None
        if cookie is None or self.language_cookie not in cookie:  # else the cookie may pick the language
            get = environ.get
            memo_key = (
                get("wsgi.url_scheme"), get("HTTP_HOST"), get("SERVER_NAME"), get("SERVER_PORT"),
                get("SCRIPT_NAME"), get("PATH_INFO"), get("QUERY_STRING"), get("HTTP_ACCEPT_LANGUAGE"),
            )
            if self.host_headers:
                memo_key += tuple(get(h) for h in self.host_headers)
            known = self._memo.get(memo_key)
            if known is not None:
                return known
        request = make_request()
        language, vary = _language(request)
        digest = md5(request.build_absolute_uri().encode("ascii"), usedforsecurity=False).hexdigest()
        found = (digest, language, vary, _suffix(language, self.zone))
        if memo_key is not None:
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()  # a crude bound; refilling costs one request each
            self._memo[memo_key] = found
        return found

    def header_key(self, digest: str, suffix: str) -> str:
        return f"views.decorators.cache.cache_header.{self.prefix}.{digest}{suffix}"

    def page_key(self, method: str, digest: str, environ: Dict[str, Any], headerlist: List[str], suffix: str) -> str:
        """Remembered per URL, header list and values of those headers (bounded)."""
        memo_key = (method, digest, suffix, tuple(headerlist), tuple(environ.get(h) for h in headerlist)) if headerlist else (method, digest, suffix)
        key = self._pages.get(memo_key)
        if key is None:
            key = _page_key(self.prefix, method, digest, environ, headerlist, suffix)
            if len(self._pages) >= _MEMO_MAX:
                self._pages.clear()
            self._pages[memo_key] = key
        return key
