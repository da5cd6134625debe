"""polycache.drf when the cache cannot take a response, or a refresh goes wrong: a response
over MAX_BYTES is served and not cached; a stale refresh whose store raises still ends
its flight; requests waiting on a refresh that produced an uncacheable response (a 500, a
cookie) get a response of their own. Views of this module run no query."""

import threading

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from polycache import drf
from polycache.django import PolyCache

from test_stampede import threads, until

SMALL = {
    "BACKEND": "polycache.django.PolyCache",
    "LOCATION": "drf-small",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 100, "MAX_BYTES": 4096},
}

# What the views below answer, set by each test: the padding of the body, the statuses of
# the next calls (200 once they run out), whether to set a cookie, a gate to hold them.
PLAN = {"pad": 10, "statuses": [], "cookie": False, "gate": None, "calls": 0}
_lock = threading.Lock()


def answer():
    with _lock:
        PLAN["calls"] += 1
        status = PLAN["statuses"].pop(0) if PLAN["statuses"] else 200
    gate = PLAN["gate"]
    if gate is not None:
        assert gate.wait(10), "the test never released the gate"
    response = Response({"pad": "x" * PLAN["pad"]}, status=status)
    if PLAN["cookie"]:
        response.set_cookie("seen", "1")
    return response


class PlainView(APIView):
    @drf.cache_response("failures.plain", public=True, timeout=60, cache="small")
    def get(self, request):
        return answer()


class StaleView(APIView):
    @drf.cache_response("failures.stale", public=True, timeout=60, stale=600, cache="small")
    def get(self, request):
        return answer()


def call(view):
    return view.as_view()(APIRequestFactory().get("/failures/"))


@pytest.fixture(autouse=True)
def small_cache():
    with override_settings(CACHES={"default": SMALL, "small": SMALL}, POLYCACHE_DRF={"CACHE": ["default", "small"]}):
        assert isinstance(caches["small"], PolyCache)
        caches["small"].clear()
        PLAN.update(pad=10, statuses=[], cookie=False, gate=None, calls=0)
        yield
        PLAN["gate"] = None


@pytest.fixture
def later(monkeypatch):
    """Moves drf's stale clock past the views' 60 s timeout (within their 600 s stale)."""
    now = drf.clock()

    def move():
        monkeypatch.setattr(drf, "clock", lambda: now + 120)

    return move


def test_a_response_over_max_bytes_is_served_and_not_cached():
    before = drf.stats()["too_large"]
    PLAN["pad"] = 10_000
    for _ in range(2):
        response = call(PlainView)
        assert response.status_code == 200 and len(response.content) > 10_000
    assert PLAN["calls"] == 2  # not cached
    assert drf.stats()["too_large"] == before + 2
    PLAN["pad"] = 10
    assert call(PlainView).status_code == 200 and call(PlainView).status_code == 200
    assert PLAN["calls"] == 3  # a small one is cached again


def test_requests_waiting_for_a_response_over_max_bytes_are_served_it():
    PLAN["pad"], PLAN["gate"] = 10_000, threading.Event()
    ts, out, errors = threads(4, lambda i: call(PlainView))
    until(lambda: drf.flights.waiting() == 3, "three requests to wait for the first")
    PLAN["gate"].set()
    for t in ts:
        t.join()
    assert not errors
    assert [r.status_code for r in out] == [200] * 4
    assert len({bytes(r.content) for r in out}) == 1
    assert PLAN["calls"] == 1 and drf.flights.in_flight() == 0


def test_a_stale_refresh_over_max_bytes_is_served_and_ends_its_flight(later):
    assert call(StaleView).status_code == 200  # cached, small
    later()
    PLAN["pad"] = 10_000
    refreshed = call(StaleView)
    assert refreshed.status_code == 200 and len(refreshed.content) > 10_000
    assert drf.flights.in_flight() == 0
    assert len(call(StaleView).content) > 10_000  # the next request refreshes again
    assert PLAN["calls"] == 3


def test_a_stale_refresh_whose_store_raises_ends_its_flight(later, monkeypatch):
    assert call(StaleView).status_code == 200
    later()
    cache = caches["small"]

    def broken(*args, **kwargs):
        raise ConnectionError("the cache is gone")

    monkeypatch.setattr(cache, "set", broken)
    with pytest.raises(ConnectionError):
        call(StaleView)
    assert drf.flights.in_flight() == 0
    monkeypatch.undo()
    later()
    assert call(StaleView).status_code == 200
    assert PLAN["calls"] == 3  # refreshed again: not served stale for ever


@pytest.mark.parametrize("uncacheable", ["500", "cookie"])
def test_requests_waiting_on_an_uncacheable_refresh_run_the_view(later, uncacheable):
    assert call(StaleView).status_code == 200
    later()
    if uncacheable == "500":
        PLAN["statuses"] = [500]
    else:
        PLAN["cookie"] = True
    PLAN["gate"] = threading.Event()
    refresher, first, errors1 = threads(1, lambda i: call(StaleView))
    until(lambda: drf.flights.in_flight() == 1, "the refresh to start")
    caches["small"].clear()  # the stale copy is gone: the next request misses and waits
    waiter, second, errors2 = threads(1, lambda i: call(StaleView))
    until(lambda: drf.flights.waiting() == 1, "the request to wait for the refresh")
    PLAN["gate"].set()
    refresher[0].join()
    waiter[0].join()
    assert not errors1 and not errors2, errors1 + errors2
    assert first[0].status_code == (500 if uncacheable == "500" else 200)
    assert second[0].status_code == 200
    assert PLAN["calls"] == 3  # the waiter ran the view itself
    assert drf.flights.in_flight() == 0
