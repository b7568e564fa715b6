from django.apps import AppConfig
from django.core import checks


def shared_page_cache(app_configs, **kwargs):
    """A cache in each process's memory is purged only in the process that
    saved the change: the other app processes would keep serving the old page."""
    from django.conf import settings

    from .store import ALIAS

    backend = settings.CACHES.get(ALIAS, {}).get("BACKEND", "")
    if settings.PAGE_CACHE_TIMEOUT and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The page cache is kept in each process's memory.",
                hint="Set CACHE_URL (or PAGE_CACHE_URL) to a Redis server all app processes "
                "share, or PAGE_CACHE_TIMEOUT=0.",
                id="page_cache.W001",
            )
        ]
    return []


class PageCacheConfig(AppConfig):
    name = "page_cache"

    def ready(self):
        from directory import per_request

        from . import signals, store

        signals.connect()
        # What every page shows is purged with the site's token: while it
        # stays, each process may keep what it read of it.
        per_request.share_while(store.site_token)
        checks.register(shared_page_cache, checks.Tags.caches, deploy=True)
