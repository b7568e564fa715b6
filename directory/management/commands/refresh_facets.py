from django.core.management.base import BaseCommand

from directory.models import ServicePage
from directory.models.facets import refresh_facets


class Command(BaseCommand):
    help = (
        "Recompute every service's copies of its partner (type and page) and rewrite the "
        "copies of the services that listen to directory.changes (the database search's "
        "rows, with their themes, audiences, languages, wijken and municipalities). Saving a "
        "service keeps them; run this after writing services around the models (bulk "
        "imports, SQL)."
    )

    def handle(self, *args, **options):
        services = ServicePage.objects.all()
        changed = refresh_facets(services)
        self.stdout.write(
            self.style.SUCCESS(
                f"Facets rewritten for {services.count()} services, "
                f"{changed} copies of their partner corrected."
            )
        )
