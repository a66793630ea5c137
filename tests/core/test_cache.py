"""The shared cache: with ``REDIS_URL`` set the settings use Django's RedisCache through the ``redis`` client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings

REDIS_URL = os.environ.get("PSKS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # database 15: nothing else uses it

# Run in a fresh process: the settings read REDIS_URL when they are imported.
ROUND_TRIP = """
import os
import sys
import django
import redis
django.setup()
from django.core.cache import caches
cache, key, value = caches["default"], sys.argv[1], {"angka": 42, "teks": "Cirebon"}
cache.set(key, value, timeout=30)
stored = redis.Redis.from_url(os.environ["REDIS_URL"]).exists(cache.make_and_validate_key(key))
print(type(cache).__name__, cache.get(key) == value, stored == 1, cache.get(key + "-tidak-ada") is None)
cache.delete(key)
print(cache.get(key) is None)
"""


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_without_redis_url_the_cache_is_local_memory():
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set in this environment")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_url_the_cache_round_trips_a_value_through_redis():
    if not _reachable(REDIS_URL):
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (start redis-server to run this test)")
    env = dict(os.environ, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="psks_portal.settings")
    key = f"uji-cache-{uuid.uuid4().hex}"  # unique: parallel workers and other runs never share a key
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, key], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "True", "True", "True", "True"]
