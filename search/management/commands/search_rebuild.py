import sys

from django.core.management.base import BaseCommand, CommandError

from search.engine.client import Engine
from search.engine.indexing import rebuild
from search.models import IndexChange
from search.query import EngineError


class Command(BaseCommand):
    help = (
        "Rebuild the search engine's indexes without downtime: index every live service into "
        "new indexes, then switch the aliases over and delete the old indexes."
    )

    def handle(self, *args, **options):
        started = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            counts = rebuild(Engine(for_indexing=True), progress=self.progress)
        except EngineError as error:
            raise CommandError(
                f"Rebuild stopped; the live indexes are unchanged. {error}"
            ) from error
        # Changes queued before the rebuild started are in the new indexes.
        IndexChange.objects.filter(pk__lte=started).delete()
        self.stdout.write("")
        summary = ", ".join(f"{language}: {count}" for language, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Search indexes rebuilt ({summary})."))

    def progress(self, language: str, done: int, total: int):
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r{language} [{bar}] {done}/{total}", ending="")
        if sys.stdout.isatty():
            self.stdout.flush()
