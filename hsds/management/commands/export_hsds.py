"""``manage.py export_hsds OUTPUT``: the directory as an HSDS 3.0 tabular
data package (hsds/tabular.py), into a folder or, with ``--zip``, a zip file."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Locale

from directory.models import PartnerPage
from hsds import tabular


class Command(BaseCommand):
    help = (
        "Write the live, public services as an HSDS 3.0 tabular data package "
        "(datapackage.json and one CSV per object) into OUTPUT."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="A folder (made if missing), or a zip file with --zip.")
        parser.add_argument(
            "--partner", help="Only this partner's services: its slug, page id or HSDS id."
        )
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            help="The language of the texts (Dutch where not translated). Default: nl.",
        )
        parser.add_argument("--zip", action="store_true", help="Write OUTPUT as one zip file.")
        parser.add_argument(
            "--chunk-size", type=int, default=tabular.CHUNK_SIZE, help="Services read at a time."
        )

    def handle(self, *args, output, partner, lang, zip, chunk_size, **options):
        locale = Locale.objects.filter(language_code=lang).first()
        if locale is None:
            raise CommandError(f"Unknown language {lang!r}.")
        try:
            chosen = tabular.find_partner(partner) if partner else None
        except PartnerPage.DoesNotExist as error:
            raise CommandError(str(error)) from None
        target = Path(output)
        exported = {
            "locale": locale,
            "partner": chosen,
            "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
            "chunk_size": chunk_size,
        }
        started = time.perf_counter()
        if zip:
            target.parent.mkdir(parents=True, exist_ok=True)
            counts = tabular.export_zip(target, **exported)
        else:
            target.mkdir(parents=True, exist_ok=True)
            counts = tabular.export(target, **exported)
        seconds = time.perf_counter() - started
        filled = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        self.stdout.write(f"Wrote {target} in {seconds:.1f} s: {filled}.")
