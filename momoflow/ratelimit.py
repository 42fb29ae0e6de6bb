"""The rate-limiting strategy: a fixed window whose hit also tells where the window stands.

Flask-Limiter's own fixed window counts a hit in one Redis round trip, then asking for
the ``X-RateLimit-Remaining`` and ``-Reset`` every integrator answer carries costs two
more (``GET`` and ``TTL``). Here one script increments the counter and returns it with
the window's time to live, and the request remembers both, so those headers (and a
429's ``Retry-After``) cost nothing. Counting is unchanged: the same keys, the same
window, so limits stay exact across processes. Other storages (the in-memory fallback
when Redis is gone, ``memory://`` in development) use the library's own code.
"""

import logging
import time

from flask import has_request_context, request
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, FixedWindowRateLimiter
from limits.util import WindowStats

log = logging.getLogger(__name__)

NAME = "fixed-window-with-stats"
_WINDOWS = "momoflow.rate_windows"  # where a request keeps what its hits learnt

# KEYS[1]: the window's counter; ARGV: expiry (s), cost. The expiry is set by the hit
# that opens the window, as the library's own script does.
_HIT = """
local count = redis.call("incrby", KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {count, redis.call("ttl", KEYS[1])}
"""


class FixedWindowWithStats(FixedWindowRateLimiter):
    def __init__(self, storage):
        super().__init__(storage)
        self._script = storage.get_connection().register_script(_HIT) if isinstance(storage, RedisStorage) else None

    def hit(self, item, *identifiers, cost=1):
        if self._script is None:
            return super().hit(item, *identifiers, cost=cost)
        key = item.key_for(*identifiers)
        count, ttl = self._script([self.storage.prefixed_key(key)], [item.get_expiry(), cost])
        if has_request_context():
            request.environ.setdefault(_WINDOWS, {})[key] = WindowStats(time.time() + max(ttl, 0),
                                                                         max(0, item.amount - count))
        return count <= item.amount

    def get_window_stats(self, item, *identifiers):
        known = request.environ.get(_WINDOWS, {}).get(item.key_for(*identifiers)) if has_request_context() else None
        return known or super().get_window_stats(item, *identifiers)


STRATEGIES[NAME] = FixedWindowWithStats  # Flask-Limiter picks strategies by name (RATELIMIT_STRATEGY)


class _Broken:
    """What ``RateLimitExceeded`` reads from the limit it reports."""

    error_message = None

    def __init__(self, limit):
        self.limit = limit


def charge_more(units):
    """Count ``units`` more hits against the limit this request was let through by (the
    route's own), for a request that turns out to weigh more than one: a report over many
    rows. Refuses the request (429) if the window cannot take them; like every hit, a
    refused one still counts. A storage failure lets the request through, as the library
    does when its storage fails."""
    from flask_limiter import RateLimitExceeded

    from momoflow.extensions import limiter

    current = limiter.current_limit
    if units <= 0 or current is None:
        return
    try:
        allowed = current.limiter.hit(current.limit, *current.request_args, cost=units)
    except Exception:  # noqa: BLE001 - the storage's own errors (Redis gone) vary by backend
        log.warning("could not count %s more hits against %s; letting the request through", units,
                    current.key, exc_info=True)
        return
    current._window = None  # the headers read the window again, after these hits
    if not allowed:
        current.breached = True
        raise RateLimitExceeded(_Broken(current.limit))
