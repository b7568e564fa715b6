"""Settings for the app processes that ``tests/test_shared_limits.py`` starts:
the test settings, but with the cache from ``CACHE_URL`` (a Redis server all the
processes share) instead of each process's own memory."""

from wijkwijzer.settings.test import *  # noqa: F403
from wijkwijzer.settings.test import SILENCED_SYSTEM_CHECKS, cache_config, env

CACHES = {
    "default": cache_config(env("CACHE_URL")),
    "pages": cache_config(env("CACHE_URL"), KEY_PREFIX="pages"),
}
SILENCED_SYSTEM_CHECKS = [c for c in SILENCED_SYSTEM_CHECKS if c != "django_ratelimit.E003"]
