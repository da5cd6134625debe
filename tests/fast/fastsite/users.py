"""Per-user pages (cached per credential) and the writes that revoke them: log in, log
out, a token, its deletion, a password change. The writes run inside the server process
in tests/fast/test_server.py."""
import collections
import json

from django.contrib.auth import login, logout
from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_page
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from polycache import fast

CALLS = collections.Counter()
#: Called inside `me` while it runs, when set (a write racing the view, in the tests).
DURING = []

PAGES = ["me", "async_me", "api_me", "login_as", "logout_now", "token_for", "drop_token", "new_password"]


@cache_page(60)
@fast.eligible(per_user=True)
def me(request):
    CALLS["me"] += 1
    user = request.user.username if request.user.is_authenticated else None
    for hook in DURING:
        hook()
    return JsonResponse({"page": "me", "user": user, "run": CALLS["me"]})


@cache_page(60)
@fast.eligible(per_user=True)
async def async_me(request):
    CALLS["async_me"] += 1
    user = await request.auser()
    return JsonResponse({"page": "async_me", "user": user.username if user.is_authenticated else None, "run": CALLS["async_me"]})


@api_view(["GET"])
@authentication_classes([TokenAuthentication, SessionAuthentication])
@permission_classes([IsAuthenticated])
def _api_me(request):
    CALLS["api_me"] += 1
    return Response({"page": "api_me", "user": request.user.username, "run": CALLS["api_me"]})


api_me = cache_page(60)(fast.eligible(per_user=True)(_api_me))


def _user(request):
    user, _ = User.objects.get_or_create(username=request.GET["user"])
    return user


def _post_only(view):
    def wrapped(request):
        if request.method != "POST":
            return HttpResponse(status=405)
        return view(request)

    return csrf_exempt(wrapped)


@_post_only
def login_as(request):
    login(request, _user(request), backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponse(json.dumps({"session": request.session.session_key}), status=200)


@_post_only
def logout_now(request):
    logout(request)
    return HttpResponse(status=204)


@_post_only
def token_for(request):
    token, _ = Token.objects.get_or_create(user=_user(request))
    return HttpResponse(token.key)


@_post_only
def drop_token(request):
    Token.objects.filter(user=_user(request)).delete()
    return HttpResponse(status=204)


@_post_only
def new_password(request):
    user = _user(request)
    user.set_password(request.GET["password"])
    user.save()
    return HttpResponse(status=204)
