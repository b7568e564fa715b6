"""The Redis cache every app process shares: Django's, keeping one redis-py
client per connection pool (site/cache.py), against a private redis-server."""

import threading

import pytest

from wijkwijzer.cache import RedisCache
from wijkwijzer.settings.base import cache_config


@pytest.fixture
def cache(redis_server):
    config = cache_config(redis_server.url, KEY_PREFIX="test")
    cache = RedisCache(config["LOCATION"], config)
    yield cache
    cache.clear()


def test_a_redis_url_gets_the_shared_client_backend():
    assert cache_config("redis://127.0.0.1:6379/0")["BACKEND"] == "wijkwijzer.cache.RedisCache"
    assert cache_config("locmemcache://")["BACKEND"].endswith("LocMemCache")


def test_every_call_of_a_process_uses_one_client(cache):
    cache.set("a", 1)
    cache.get_many(["a", "b"])
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert len(cache._cache._clients) == 1


def test_threads_sharing_the_client_count_every_increment(cache):
    """What the rate limits rely on: an atomic count, whoever increments."""
    cache.set("hits", 0)

    def hit():
        for _ in range(200):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("hits") == 1600
    assert cache.add("hits", 0) is False
    cache.set_many({"x": "één", "y": {"page": b"<html>"}})
    assert cache.get_many(["x", "y", "z"]) == {"x": "één", "y": {"page": b"<html>"}}
    cache.delete_many(["x", "y"])
    assert cache.get("x", "gone") == "gone"
