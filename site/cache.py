"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's ``RedisCacheClient`` makes a new ``redis.Redis`` for every cache
call, and redis-py 8 fills some 170 response callbacks in each: 61 µs here,
twice for every page served from the page cache, once more for each rate
limit and site token read. A client holds no connection of its own (it takes
one from the pool for each command), so redis-py lets threads share it.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # By the pool's identity: Django keeps each pool for the process's life.
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
