import datetime

from django.conf import settings
from django.utils import timezone

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from .engine.indexing import drain_queue


@task()
def sync_search_index() -> int:
    """Send queued page changes to the search engine (see ``IndexChange``).

    Run inside the editor's request (the immediate backend), it gives up at
    once while the engine is down, and the changes wait for the next one.
    Run by a worker (``manage.py db_worker``), nobody waits on it: it sends
    everything queued, waiting as long as indexing may, and when the engine
    fails it runs again after RETRY_AFTER seconds, so no change waits for
    another edit to reach the index.
    """
    if isinstance(sync_search_index.get_backend(), ImmediateBackend):
        return drain_queue()
    from .models import IndexChange

    sent = 0
    while done := drain_queue(patient=True):
        sent += done
    if IndexChange.objects.exists():
        later = timezone.now() + datetime.timedelta(seconds=settings.SEARCH_ENGINE["RETRY_AFTER"])
        sync_search_index.using(run_after=later).enqueue()
    return sent
