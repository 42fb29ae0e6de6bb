"""The fixed window that remembers its hits (momoflow.ratelimit), on a real Redis: it counts
exactly as the library's own fixed window does, and a request's X-RateLimit-* figures
cost no Redis command beyond the hit itself."""

import time

import pytest
from limits import parse
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from momoflow.ratelimit import FixedWindowWithStats
from tests.background.conftest import redis_server  # noqa: F401  (fixture: a redis-server of the test's own)


@pytest.fixture
def storage(redis_server):
    """On a Redis of its own: a shared one could be flushed by another test run mid-count."""
    return RedisStorage(redis_server.url)


def _count_commands(storage, monkeypatch):
    """The commands the storage's client sends from now on (the client is instrumented,
    Redis itself is real)."""
    client, sent = storage.get_connection(), []
    execute = client.execute_command

    def counted(*args, **options):
        sent.append(args[0].upper())
        return execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    return sent


def test_counts_like_the_library_and_reports_the_window_from_the_hit(app, storage, monkeypatch):
    limit = parse("3 per minute")
    ours, library = FixedWindowWithStats(storage), FixedWindowRateLimiter(storage)
    ours.hit(parse("1 per minute"), "warm-up")  # loads the script
    sent = _count_commands(storage, monkeypatch)
    with app.test_request_context():
        answers, windows = [], []
        for _ in range(4):
            answers.append(ours.hit(limit, "key-1"))
            windows.append(ours.get_window_stats(limit, "key-1"))
    assert answers == [True, True, True, False]
    assert [window.remaining for window in windows] == [2, 1, 0, 0]
    assert sent == ["EVALSHA"] * 4, "one round trip per hit; the window comes with it"
    # The library reads the same counter and the same expiry.
    assert library.get_window_stats(limit, "key-1").remaining == 0
    assert abs(library.get_window_stats(limit, "key-1").reset_time - windows[-1].reset_time) <= 1.5
    assert time.time() + 55 < windows[0].reset_time <= time.time() + 61


def test_outside_a_request_and_on_other_storages_it_is_the_library(app, storage):
    limit = parse("2 per minute")
    ours = FixedWindowWithStats(storage)
    assert ours.hit(limit, "key-2") and ours.get_window_stats(limit, "key-2").remaining == 1
    in_memory = FixedWindowWithStats(MemoryStorage())
    with app.test_request_context():
        assert [in_memory.hit(limit, "key-3") for _ in range(3)] == [True, True, False]
        assert in_memory.get_window_stats(limit, "key-3").remaining == 0


def test_a_window_learnt_in_one_request_is_not_reused_by_the_next(app, storage):
    limit = parse("5 per minute")
    ours = FixedWindowWithStats(storage)
    with app.test_request_context():
        ours.hit(limit, "key-4")
    FixedWindowRateLimiter(storage).hit(limit, "key-4")  # another process counts meanwhile
    with app.test_request_context():
        assert ours.get_window_stats(limit, "key-4").remaining == 3
