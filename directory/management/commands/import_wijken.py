from django.core.management.base import BaseCommand, CommandError

from directory.validators import validate_cbs_municipality_code
from directory.wijk_import import import_wijken
from search.opendata import OpenDataError


class Command(BaseCommand):
    help = (
        "Create or update municipalities and wijk pages (with their buurten) from CBS's "
        "'Kerncijfers wijken en buurten' CSV, and optionally centre points and outlines from "
        "the CBS/PDOK wijken GeoJSON. Idempotent; a refused row refuses its municipality."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CBS CSV (Statline export, ';' or ',').")
        parser.add_argument("--geojson", help="The CBS/PDOK wijken GeoJSON (WGS84 or RD New).")
        parser.add_argument(
            "--municipality", help="Import only this municipality, by CBS code: GM0344."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, write nothing.")

    def handle(self, *args, **options):
        municipality = (options["municipality"] or "").strip().upper() or None
        if municipality:
            try:
                validate_cbs_municipality_code(municipality)
            except Exception as exc:
                raise CommandError(
                    f"--municipality {municipality}: GM and 4 digits, like GM0344."
                ) from exc
        try:
            report = import_wijken(
                options["file"],
                geojson=options["geojson"],
                municipality=municipality,
                dry_run=options["dry_run"],
            )
        except OpenDataError as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(str(problem))
        for kind in ("municipalities", "wijken"):
            counts = ", ".join(
                f"{report.counts[f'{kind} {state}']} {state}"
                for state in ("created", "updated", "unchanged", "refused")
            )
            self.stdout.write(f"{kind.capitalize()}: {counts}")
        for key, count in sorted(report.counts.items()):
            if key.startswith("skipped"):
                self.stdout.write(f"{key.capitalize()}: {count}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        if report.problems:
            raise CommandError(
                f"{report.counts['rows refused']} rows refused; their municipalities were not "
                "changed. Fix the rows above and run the import again."
            )
        self.stdout.write(self.style.SUCCESS("Done."))
