"""Per-user copies (fast.eligible(per_user=True)) through FastPathWSGI, beside Django's
own application: a copy reaches only the credential it was keyed by, and a logout, a
session's deletion or expiry, a token's deletion or a password change makes it
unreachable at once. Each test would serve another user's page, or a revoked one, if
its rule were broken."""

import json
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils.cache import get_cache_key
from fastsite.wsgi_client import call
from rest_framework.authtoken.models import Token

from fastsite import users

pytestmark = pytest.mark.django_db


def login(app, name):
    answer = call(app, f"/login_as/?user={name}", method="POST")
    assert answer.status == "200 OK"
    return {"Cookie": f"sessionid={json.loads(answer.body)['session']}"}


def token(name):
    user, _ = User.objects.get_or_create(username=name)
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def who(answer):
    return json.loads(answer.body).get("user") if answer.status == "200 OK" else answer.status


def warm_fast(app, path, headers):
    first = call(app, path, headers=headers)
    assert first.header("X-Polycache") == "django"
    hit = call(app, path, headers=headers)
    assert hit.header("X-Polycache") == "fast", hit.headers
    assert hit.body == first.body
    return hit


def test_a_session_copy_is_served_fast_to_that_session_only(apps):
    django_app, fast_app = apps
    alice, bob = login(fast_app, "alice"), login(fast_app, "bob")
    hit = warm_fast(fast_app, "/me/", alice)
    assert who(hit) == "alice"
    assert hit.comparable() == call(django_app, "/me/", headers=alice).comparable()
    other = call(fast_app, "/me/", headers=bob)
    assert other.header("X-Polycache") == "django" and who(other) == "bob"
    anonymous = call(fast_app, "/me/")
    assert anonymous.header("X-Polycache") == "django" and who(anonymous) is None


def test_another_token_never_gets_the_copy(apps):
    django_app, fast_app = apps
    alice, bob = token("alice"), token("bob")
    assert who(warm_fast(fast_app, "/api_me/", alice)) == "alice"
    for _ in range(2):
        answer = call(fast_app, "/api_me/", headers=bob)
        assert who(answer) == "bob"
    assert users.CALLS["api_me"] == 2
    forged = call(fast_app, "/api_me/", headers={"Authorization": "Token not-a-token"})
    assert forged.header("X-Polycache") == "django" and who(forged) == "401 Unauthorized"


def test_a_copy_under_another_credentials_key_is_refused(apps):
    """Django serves whatever is stored under the request's key; the fast path also checks
    the credential the copy was made for (a copy moved, a key collision, a view that
    dropped the Vary)."""
    django_app, fast_app = apps
    alice, bob = token("alice"), token("bob")
    warm_fast(fast_app, "/api_me/", alice)
    call(fast_app, "/api_me/", headers=bob)
    cache = caches["default"]
    from django.core.handlers.wsgi import WSGIRequest
    import io

    def request_of(headers):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api_me/", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
                   "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
        environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
        request = WSGIRequest(environ)
        request.LANGUAGE_CODE = "en"
        return request

    alice_key, bob_key = (get_cache_key(request_of(h), cache=cache) for h in (alice, bob))
    assert alice_key and bob_key and alice_key != bob_key
    cache.set(bob_key, cache.get(alice_key), 60)
    answer = call(fast_app, "/api_me/", headers=bob)
    assert answer.header("X-Polycache") == "django"
    assert fast_app.stats()["refusals"] == {"credential": 1}


def test_logout_makes_the_sessions_copy_unreachable(apps):
    django_app, fast_app = apps
    alice = login(fast_app, "alice")
    warm_fast(fast_app, "/me/", alice)
    assert call(fast_app, "/logout_now/", method="POST", headers=alice).status == "204 No Content"
    after = call(fast_app, "/me/", headers=alice)  # the old cookie, replayed
    assert after.header("X-Polycache") == "django" and who(after) is None
    assert fast_app.stats()["refusals"].get("stale") == 1
    # and Django's own cache_page no longer has alice's copy under that cookie either
    assert who(call(django_app, "/me/", headers=alice)) is None


def test_deleting_the_session_row_makes_its_copy_unreachable(apps):
    _, fast_app = apps
    alice = login(fast_app, "alice")
    warm_fast(fast_app, "/me/", alice)
    Session.objects.all().delete()  # clearsessions, an admin, flush() on another request
    after = call(fast_app, "/me/", headers=alice)
    assert after.header("X-Polycache") == "django" and who(after) is None


def test_a_session_past_its_expiry_date_misses(apps, monkeypatch):
    _, fast_app = apps
    alice = login(fast_app, "alice")
    warm_fast(fast_app, "/me/", alice)
    from polycache import fast_users

    expiry = Session.objects.get().expire_date.timestamp()
    monkeypatch.setattr(fast_users, "clock", lambda: expiry + 1)
    after = call(fast_app, "/me/", headers=alice)
    assert after.header("X-Polycache") == "django"
    assert fast_app.stats()["refusals"].get("session-expired") == 1
    monkeypatch.setattr(fast_users, "clock", lambda: expiry - 1)
    assert call(fast_app, "/me/", headers=alice).header("X-Polycache") == "fast"


def test_deleting_a_token_makes_its_copy_unreachable(apps):
    _, fast_app = apps
    bob = token("bob")
    warm_fast(fast_app, "/api_me/", bob)
    Token.objects.filter(user__username="bob").delete()
    after = call(fast_app, "/api_me/", headers=bob)
    assert after.header("X-Polycache") == "django" and who(after) == "401 Unauthorized"


def test_a_password_change_makes_the_users_copies_unreachable(apps):
    django_app, fast_app = apps
    alice = login(fast_app, "alice")
    warm_fast(fast_app, "/me/", alice)
    user = User.objects.get(username="alice")
    user.set_password("new secret")
    user.save()
    after = call(fast_app, "/me/", headers=alice)
    # Django logs the session out (its auth hash no longer matches): so must we
    assert after.header("X-Polycache") == "django" and who(after) is None


def test_a_per_user_copy_is_keyed_by_credential_not_served_to_the_anonymous(apps):
    django_app, fast_app = apps
    warm_fast(fast_app, "/me/", {})
    answer = call(fast_app, "/me/", headers=login(fast_app, "carol"))
    assert who(answer) == "carol"
    vary = {v.strip().lower() for v in answer.header("Vary").split(",")}
    assert {"cookie", "authorization"} <= vary


def test_views_that_vary_per_user_without_opting_in_are_still_refused(apps):
    _, fast_app = apps
    for _ in range(2):
        call(fast_app, "/per_user/", headers={"Cookie": "sessionid=x"})
    assert fast_app.stats()["refusals"] == {"per-user-vary": 1}


@pytest.mark.parametrize("change", ["user.groups.add", "group.user_set.add", "group.user_set.clear", "user.user_permissions.add"])
def test_a_change_of_groups_or_permissions_makes_the_users_copies_unreachable(apps, change):
    """What a permission check reads changed: the copy it allowed must not be served."""
    from django.contrib.auth.models import Group, Permission

    _, fast_app = apps
    group = Group.objects.create(name="readers")
    user = User.objects.create(username="gina")
    if change == "group.user_set.clear":
        user.groups.add(group)
    gina = login(fast_app, "gina")
    warm_fast(fast_app, "/me/", gina)
    if change == "user.groups.add":
        user.groups.add(group)
    elif change == "group.user_set.add":
        group.user_set.add(user)
    elif change == "group.user_set.clear":
        group.user_set.clear()
    else:
        user.user_permissions.add(Permission.objects.first())
    assert call(fast_app, "/me/", headers=gina).header("X-Polycache") == "django"
    assert call(fast_app, "/me/", headers=gina).header("X-Polycache") == "fast"


def test_a_password_change_while_the_view_runs_is_not_served(apps):
    """The user's generation is read before the view (AuthenticationMiddleware's user):
    a copy computed across a password change carries the old one and is refused."""
    _, fast_app = apps
    alice = login(fast_app, "alice")

    def change_password():
        user = User.objects.get(username="alice")
        user.set_password("changed while the page was computed")
        user.save()

    users.DURING.append(change_password)
    first = call(fast_app, "/me/", headers=alice)
    users.DURING.clear()
    assert who(first) == "alice"  # the view saw alice before the change
    after = call(fast_app, "/me/", headers=alice)
    assert after.header("X-Polycache") == "django" and who(after) is None
