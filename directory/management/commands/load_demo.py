from django.core.management.base import BaseCommand, CommandError

from directory.demo.loader import DEMO_DATA, DemoDataError, load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo directory from directory/demo/demo_data.json. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(DEMO_DATA), help="Another data file of the same format."
        )

    def handle(self, *args, **options):
        try:
            report = load_demo(options["file"])
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo directory loaded. {report.summary()}"))
