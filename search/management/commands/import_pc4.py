from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search.opendata import OpenDataError
from search.pc4_import import import_pc4


class Command(BaseCommand):
    help = (
        "Load PC4 centre points for the offline geocoder from a CBS or PDOK file: a CSV with "
        "a postcode column and latitude/longitude or RD New x/y, or a GeoJSON of PC4 areas. "
        "Merges into PC4_CENTROIDS_PATH unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--output", help="Write this table instead of settings.PC4_CENTROIDS_PATH."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Drop PC4 areas the file does not list."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, write nothing.")

    def handle(self, *args, **options):
        target = options["output"] or settings.PC4_CENTROIDS_PATH
        try:
            report = import_pc4(
                options["file"], target, replace=options["replace"], dry_run=options["dry_run"]
            )
        except OpenDataError as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(str(problem))
        counts = ", ".join(
            f"{report.counts[kind]} {kind}"
            for kind in ("created", "updated", "unchanged", "removed", "refused")
        )
        prefix = "Dry run, nothing written: " if options["dry_run"] else f"{target}: "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{counts} PC4 areas."))
