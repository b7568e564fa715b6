from django_tasks import task

from .engine.indexing import drain_queue


@task()
def sync_search_index() -> int:
    """Send queued page changes to the search engine (see ``IndexChange``)."""
    return drain_queue()
