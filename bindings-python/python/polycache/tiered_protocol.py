"""What TieredCache says to Redis: the value format (Django's ``RedisSerializer``'s), the
Lua scripts that pair each write with its invalidation message, the message format, the
namespace generations, and the errors a caller sees. No state lives here."""

from __future__ import annotations

import json
import pickle
from typing import Any, List, Optional, Tuple

try:
    import redis
except ImportError:  # TieredCache needs redis-py; importing this module does not
    redis = None  # type: ignore[assignment]

MISS = object()
# (On a cluster also: CLUSTERDOWN, TRYAGAIN, a slot no node serves, redirections past
# redis-py's limit, no node reachable: the cluster cannot answer now.)
REDIS_ERRORS = (
    (redis.ConnectionError, redis.TimeoutError, OSError, redis.exceptions.ClusterError,
     redis.exceptions.TryAgainError, redis.exceptions.RedisClusterException)
    if redis is not None else (OSError,)
)


class TieredCacheUnavailable(ConnectionError):
    """Redis could not be reached within the socket timeouts (and IGNORE_EXCEPTIONS is off)."""


class Skipped(redis.ConnectionError if redis is not None else OSError):  # type: ignore[misc]
    """Redis was not tried: it failed less than RETRY_AFTER seconds ago (IGNORE_EXCEPTIONS)."""


# ---- values: the format of Django's RedisSerializer --------------------------------------


def dumps(value: Any) -> Any:
    if type(value) is int:
        return value  # stored bare, so INCRBY works on it
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)


def glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def scan(client: Any, match: str) -> List[str]:
    """Every key matching the glob ``match`` (SCAN: one round trip per 1,000 keys)."""
    found = client.scan_iter(match=match, count=1000)
    return [k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else k for k in found]


# ---- invalidation messages -----------------------------------------------------------------
# [sender, serial, op, keys]: the serial makes every message of a process distinct, so a
# write whose reply was lost can be recognised when its message arrives after all.


def message(sender: str, serial: int, op: str, keys: List[str]) -> str:
    return json.dumps([sender, serial, op, keys])


def parse(data: bytes) -> Optional[Tuple[str, str, List[str]]]:
    """(sender, op, keys), or None for a message that is not ours to read."""
    try:
        sender, _, op, keys = json.loads(data)
    except (ValueError, TypeError):
        return None
    if not isinstance(sender, str) or not isinstance(keys, list):
        return None
    return sender, op, keys


# ---- Lua: each write and its invalidation message in one atomic step ---------------------

# KEYS[1] key. Returns {value, pttl} or nil when absent.
GET = """
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
"""

# KEYS[1] key; ARGV: data, px ("" = never, "0" = already expired), channel, message
SET = """
local px = ARGV[2]
if px == '' then redis.call('SET', KEYS[1], ARGV[1])
elseif px == '0' then redis.call('DEL', KEYS[1])
else redis.call('SET', KEYS[1], ARGV[1], 'PX', px) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""

# set_many on a cluster, one hash slot at a time. KEYS: keys; ARGV: px (as SET's), channel,
# message, then one data per key.
SET_MANY = """
local px = ARGV[1]
for i, k in ipairs(KEYS) do
  if px == '' then redis.call('SET', k, ARGV[3 + i])
  elseif px == '0' then redis.call('DEL', k)
  else redis.call('SET', k, ARGV[3 + i], 'PX', px) end
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
"""

# KEYS: keys (at most CHUNK); ARGV: channel, message. Returns how many existed.
DELETE = """
local n = redis.call('DEL', unpack(KEYS))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return n
"""
CHUNK = 500

# KEYS[1] key; ARGV: data, px ("" = never, "0" = already expired), channel, message
ADD = """
local px = ARGV[2]
if px == '0' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  return 1
end
local ok
if px == '' then ok = redis.call('SET', KEYS[1], ARGV[1], 'NX')
else ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', px) end
if ok then redis.call('PUBLISH', ARGV[3], ARGV[4]) return 1 end
return 0
"""

# KEYS[1] key; ARGV: px ("" = never, "0" = expire now), channel, message
TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local px = ARGV[1]
if px == '' then redis.call('PERSIST', KEYS[1])
elseif px == '0' then redis.call('DEL', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], px) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
"""

# KEYS[1] key; ARGV: delta, channel, message, "1" to create an absent key. Returns
# {value, pttl} or nil when absent. (The value is read back as a string: Lua holds the
# reply of INCRBY as a double, exact only up to 2**53.)
INCR = """
if ARGV[4] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
"""

# KEYS[1] key; ARGV as SET's. django-redis's set(xx=True): Returns 1 when the key existed (and was written).
SET_XX = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n" + SET

# incr past 64 bits, as a compare-and-set (tiered_writes). KEYS[1] key; ARGV: expected
# value ("" with ARGV[2] == "1": expected absent), "1"/"0", new value, channel, message.
# Returns the PTTL after the write, or nil when the value is no longer the expected one.
INCR_CAS = """
local v = redis.call('GET', KEYS[1])
if ARGV[2] == '1' then
  if v then return false end
elseif v ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
redis.call('PUBLISH', ARGV[4], ARGV[5])
return redis.call('PTTL', KEYS[1])
"""

# ---- namespace generations ---------------------------------------------------------------
# A generation names the keys of one namespace; an invalidated generation must never be
# read again, even after Redis loses the counter (an allkeys-* eviction, FLUSHDB, a
# failover to a replica that missed it). So a counter never starts from 0: a missing one
# starts at Redis's clock in microseconds, and each invalidation moves it to at least the
# clock too. Every generation ever issued is at most the clock when it was issued (unless
# more than one invalidation a microsecond was sustained), so a lost counter restarts
# above all of them. (Lua numbers are doubles: exact up to 2^53, year 2255 in us.)

# KEYS[1] generation key. The generation, as a decimal string.
GENERATION = """
local g = redis.call('GET', KEYS[1])
if g then return g end
local t = redis.call('TIME')
g = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
redis.call('SET', KEYS[1], g, 'NX')
return redis.call('GET', KEYS[1])
"""

# KEYS[1] generation key; ARGV: channel, message. The new generation.
INVALIDATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local g = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local n = string.format('%.0f', math.max(g + 1, now))
redis.call('SET', KEYS[1], n)
redis.call('PUBLISH', ARGV[1], ARGV[2])
return n
"""
