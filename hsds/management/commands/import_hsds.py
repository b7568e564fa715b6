"""``manage.py import_hsds SOURCE``: an HSDS 3.0 tabular data package (a
folder or a zip file) into the directory (hsds/importer.py)."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.choices import PartnerType
from directory.models import PartnerPage
from hsds import package, remote, tabular
from hsds.importer import Importer, plain_progress

TRANSLATED = ("organization translation", "service translation")


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 tabular data package (datapackage.json and CSVs, in a folder or "
        "a zip): partners and services upserted by their HSDS ids, submitted to the "
        "partner's workflow or, with --publish, published."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            help="A folder or a zip file with datapackage.json, a JSON file from an HSDS API, "
            "or an https:// address of either (an API's /services is followed page by page).",
        )
        parser.add_argument(
            "--partner", help="Only this partner's services: its slug, page id or HSDS id."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, changed and refused; write nothing.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish at once (as a moderator) instead of submitting to the workflow.",
        )
        parser.add_argument(
            "--user", help="The username the revisions, submissions and log entries are by."
        )
        parser.add_argument(
            "--partner-type",
            default=PartnerType.WELFARE,
            choices=PartnerType.values,
            help="The type of organisation of new partners (HSDS has none). Default: welzijn.",
        )
        parser.add_argument(
            "--max-size",
            type=float,
            default=package.MAX_MB,
            help=f"Refuse files (or zips unpacking to) over this many MB. Default: "
            f"{package.MAX_MB}.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=remote.TIMEOUT,
            help=f"For an address: seconds to wait for an answer. Default: {remote.TIMEOUT}.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress display.")

    def handle(self, *args, source, partner, dry_run, publish, user, partner_type, **options):
        try:
            chosen = tabular.find_partner(partner) if partner else None
        except PartnerPage.DoesNotExist as error:
            raise CommandError(str(error)) from None
        if user:
            found = get_user_model().objects.filter(username=user).first()
            if found is None:
                raise CommandError(f"No user {user!r}.")
            user = found
        started = time.perf_counter()
        try:
            read = package.Package(source, max_mb=options["max_size"], timeout=options["timeout"])
        except package.PackageError as error:
            raise CommandError(f"Refused, nothing imported: {error}") from None
        importer = Importer(
            read,
            partner=chosen,
            publish=publish,
            dry_run=dry_run,
            user=user,
            partner_type=partner_type,
            progress=None if options["no_progress"] else plain_progress(self.stderr._out),
        )
        try:
            report = importer.run()
        finally:
            read.close()
        seconds = time.perf_counter() - started
        for problem in report.problems:
            self.stdout.write(f"refused: {problem}")
        for problem in report.left_out:
            self.stdout.write(f"left out: {problem}")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} in {seconds:.1f} s. Organizations: {report.counts('organization')}. "
            f"Services: {report.counts('service')}."
        )
        tallies = (report.created, report.updated, report.unchanged, report.refused, report.skipped)
        # Only for a package with translated rows (hsds/translations.py).
        if any(tally.get(kind) for tally in tallies for kind in TRANSLATED):
            self.stdout.write(
                f"Translations: organizations {report.counts('organization translation')}; "
                f"services {report.counts('service translation')}."
            )
