import json

from django.core.management.base import BaseCommand

from directory.demo.translations import TRANSLATIONS_DIR, source_strings


class Command(BaseCommand):
    help = (
        "Write the Dutch strings of the demo objects that get translated to "
        "directory/demo/translations/source.json, for translators."
    )

    def handle(self, *args, **options):
        strings = source_strings()
        path = TRANSLATIONS_DIR / "source.json"
        path.write_text(
            json.dumps({"strings": strings}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.stdout.write(f"{len(strings)} Dutch strings written to {path}")
