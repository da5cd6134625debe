"""DRF views cached by polycache.drf with fast=True: the fast path serves their copies
from the raw request (polycache.drf_fast). CALLS counts the real runs."""
import collections

from rest_framework.authentication import BaseAuthentication, SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from catalog.models import Book
from polycache import drf

CALLS = collections.Counter()


class TextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return repr(data).encode()


class _Base(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    renderer_classes = [JSONRenderer, TextRenderer]
    name = ""

    def payload(self, request):
        CALLS[self.name] += 1
        user = request.user.username if request.user and request.user.is_authenticated else None
        return {"view": self.name, "run": CALLS[self.name], "user": user, "query": request.GET.urlencode(),
                "titles": sorted(Book.objects.values_list("title", flat=True))}


class PublicBooks(_Base):
    """Public to everyone: one copy for all (per Accept, path, query, language)."""

    permission_classes = [AllowAny]
    name = "public"

    @drf.cache_response(Book, public=True, fast=True)
    def get(self, request):
        return Response(self.payload(request))


class MyBooks(_Base):
    """Per user: one copy per credential."""

    permission_classes = [IsAuthenticated]
    name = "mine"

    @drf.cache_response(Book, fast=True)
    def get(self, request):
        return Response(self.payload(request))


class StaffBooks(_Base):
    """public=True, but only staff may read it: keyed per credential on the fast path."""

    permission_classes = [IsAdminUser]
    name = "staff"

    @drf.cache_response(Book, public=True, fast=True)
    def get(self, request):
        return Response(self.payload(request))


class ThreePerMinute(AnonRateThrottle):
    rate = "3/min"
    scope = "fast-tests"


class ThrottledBooks(_Base):
    """A throttle must run on every request: never a fast copy."""

    permission_classes = [AllowAny]
    throttle_classes = [ThreePerMinute]
    name = "throttled"

    @drf.cache_response(Book, public=True, fast=True)
    def get(self, request):
        return Response(self.payload(request))


class NotFast(_Base):
    """Cached by polycache.drf without fast=True: the fast path never serves it."""

    permission_classes = [AllowAny]
    name = "not_fast"

    @drf.cache_response(Book, public=True)
    def get(self, request):
        return Response(self.payload(request))


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates by an X-Api-Key header (the user's name): not in the fast key."""

    def authenticate(self, request):
        from django.contrib.auth.models import User

        name = request.META.get("HTTP_X_API_KEY")
        if not name:
            return None
        user, _ = User.objects.get_or_create(username=name)
        return user, None


class ByApiKey(_Base):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    name = "by_api_key"

    @drf.cache_response(Book, fast=True)
    def get(self, request):
        return Response(self.payload(request))


VIEWS = {"public": PublicBooks, "mine": MyBooks, "staff": StaffBooks, "throttled": ThrottledBooks, "not_fast": NotFast, "by_api_key": ByApiKey}
