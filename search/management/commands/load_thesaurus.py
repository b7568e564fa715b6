from django.core.management.base import BaseCommand, CommandError

from search.thesaurus import DATA_DIR, ThesaurusFileError
from search.thesaurus_seed import load_thesaurus


class Command(BaseCommand):
    help = (
        "Load the search thesaurus from search/data/thesaurus/*.json. Safe to run again: "
        "concepts are matched by key, none is deleted, and concepts moderators changed "
        "in the admin are kept unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", default=str(DATA_DIR), help="Another folder of data files.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also replace concepts that moderators changed since they were loaded.",
        )

    def handle(self, *args, **options):
        from pathlib import Path

        try:
            report = load_thesaurus(Path(options["folder"]), force=options["force"])
        except ThesaurusFileError as exc:
            raise CommandError(str(exc)) from exc
        if report.kept:
            self.stdout.write(
                "Kept as moderators changed them (use --force to replace): "
                + ", ".join(report.kept)
            )
        if report.unknown_themes:
            self.stdout.write(
                "Loaded with theme slugs that are no theme: "
                + ", ".join(sorted(report.unknown_themes))
            )
        self.stdout.write(f"Thesaurus loaded: {report.summary()}.")
        if report.errors:
            raise CommandError("These concepts were not loaded:\n" + "\n".join(report.errors))
