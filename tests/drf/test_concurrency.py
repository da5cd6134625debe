"""Concurrent requests through real database connections (one per thread, committed
data): concurrent misses run the view once, and no stale response survives a write that
races a computation (in autocommit, and inside a transaction whose commit comes later)."""

import threading
import time

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from catalog import views
from catalog.models import Book
from polycache import drf

pytestmark = pytest.mark.django_db(transaction=True)


def until(condition, what, limit=20.0):
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.002)


def in_threads(jobs):
    """Runs each job in its own thread (own DB connection); their results in order."""
    out, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            out[i] = job()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connections.close_all()

    ts = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in ts:
        t.start()
    return ts, out, errors


def fetch(user, url):
    def job():
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        r = c.get(url)
        return r.status_code, r.content

    return job


def test_concurrent_misses_run_the_view_once(catalog):
    n = 8
    gate = views.GATE["event"] = threading.Event()
    barrier = threading.Barrier(n)
    job = fetch(catalog["alice"], "/api/books/?page=2")
    ts, out, errors = in_threads([lambda: (barrier.wait(), job())[1]] * n)
    until(lambda: drf.flights.waiting() == n - 1, "seven requests waiting for the first")
    gate.set()
    for t in ts:
        t.join()
    assert not errors, errors
    assert views.CALLS["books.list"] == 1
    assert len(set(out)) == 1 and out[0][0] == 200


def test_concurrent_misses_of_two_users_run_once_each(catalog):
    gate = views.GATE["event"] = threading.Event()
    jobs = [fetch(catalog["alice"], "/api/shelf/")] * 4 + [fetch(catalog["bob"], "/api/shelf/")] * 4
    ts, out, errors = in_threads(jobs)
    until(lambda: drf.flights.waiting() == 6, "three requests of each user waiting")
    gate.set()
    for t in ts:
        t.join()
    assert not errors, errors
    assert views.CALLS["shelf.list"] == 2
    assert all(b"alice's secret" in body and b"bob's" not in body for _, body in out[:4])
    assert all(b"bob's secret" in body and b"alice's" not in body for _, body in out[4:])


def test_no_stale_response_survives_a_write_that_races_the_view(catalog):
    """A reader reads the old rows, a writer saves and invalidates, then the reader
    stores: its response must not be served afterwards."""
    gate = views.GATE["event"] = threading.Event()
    ts, out, errors = in_threads([fetch(catalog["alice"], "/api/books/")])
    until(lambda: views.CALLS["books.list"] == 1, "the reader to read the database")
    book = Book.objects.get(pk=catalog["books"][0].pk)
    book.title = "The Dispossessed: An Ambiguous Utopia"
    book.save()  # autocommit: committed and invalidated now
    gate.set()  # the reader stores what it read before the write
    ts[0].join()
    assert not errors, errors
    assert b"An Ambiguous Utopia" not in out[0][1]  # the race happened: it read the old rows
    views.GATE["event"] = None
    body = APIClient()
    body.force_authenticate(catalog["alice"])
    assert b"An Ambiguous Utopia" in body.get("/api/books/").content


def test_no_stale_response_survives_a_transaction_that_commits_later(catalog):
    """post_save fires before the commit: a reader in between reads the old committed
    rows and caches them in the generation that post_save created; the invalidation
    made again on commit retires that response."""
    c = APIClient()
    c.force_authenticate(catalog["alice"])
    with transaction.atomic():
        book = Book.objects.get(pk=catalog["books"][0].pk)
        book.title = "Uncommitted Title"
        book.save()  # post_save: invalidated now, and again on commit
        ts, out, errors = in_threads([fetch(catalog["alice"], "/api/books/")])
        ts[0].join()
        assert not errors, errors
        assert b"Uncommitted Title" not in out[0][1]  # the other connection sees the old rows
    assert b"Uncommitted Title" in c.get("/api/books/").content


def test_a_rolled_back_write_leaves_correct_data(catalog):
    c = APIClient()
    c.force_authenticate(catalog["alice"])
    before = c.get("/api/books/").content
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            Book.objects.filter(pk=catalog["books"][0].pk).update(title="Rolled Back")
            raise RuntimeError("abort")
    assert c.get("/api/books/").content == before
