import sys
import time

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

    def add_arguments(self, parser):
        parser.add_argument(
            "--attempts",
            type=int,
            default=3,
            help="Start again this many times in all when the engine fails (a cluster node "
            "died); each attempt starts clean (default 3).",
        )
        parser.add_argument(
            "--wait", type=float, default=10.0, help="Seconds between attempts (default 10)."
        )

    def handle(self, *args, **options):
        started = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for attempt in range(1, options["attempts"] + 1):
            try:
                counts = rebuild(Engine(for_indexing=True), progress=self.progress)
                break
            except EngineError as error:
                if attempt == options["attempts"]:
                    raise CommandError(
                        f"Rebuild stopped after {attempt} attempt(s); the live indexes of the "
                        f"languages not yet rebuilt are unchanged. {error}"
                    ) from error
                self.stderr.write(f"\nRebuild attempt {attempt} failed, starting again: {error}")
                time.sleep(options["wait"])
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
