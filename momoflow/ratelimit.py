"""The rate-limiting strategy: a fixed window whose hit also tells where the window stands.

Flask-Limiter's own fixed window counts a hit in one Redis round trip, then asking for
the ``X-RateLimit-Remaining`` and ``-Reset`` every integrator answer carries costs two
more (``GET`` and ``TTL``). Here one script increments the counter and returns it with
the window's time to live, and the request remembers both, so those headers (and a
429's ``Retry-After``) cost nothing. Counting is unchanged: the same keys, the same
window, so limits stay exact across processes. Other storages (the in-memory fallback
when Redis is gone, ``memory://`` in development) use the library's own code.
"""

import time

from flask import has_request_context, request
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, FixedWindowRateLimiter
from limits.util import WindowStats

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
