from django.core.management.base import BaseCommand

from search.engine.indexing import drain_queue
from search.models import IndexChange


class Command(BaseCommand):
    help = (
        "Send queued page changes to the search engine. Run it every few minutes (cron or a "
        "task worker) so the index catches up after the engine was unreachable."
    )

    def handle(self, *args, **options):
        sent = drain_queue(patient=True)
        waiting = IndexChange.objects.count()
        self.stdout.write(f"Sent {sent} change(s) to the search engine; {waiting} still queued.")
