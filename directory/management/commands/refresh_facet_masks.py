from django.core.management.base import BaseCommand

from directory.models import ServicePage
from directory.models.facets import refresh_facet_masks


class Command(BaseCommand):
    help = (
        "Recompute every service's facet masks and partner type, which the database search "
        "filters and counts on, and rewrite the copies of the services that listen to "
        "directory.changes (the database search's rows). Saving a service keeps them; run this "
        "after writing services around the models (bulk imports, SQL)."
    )

    def handle(self, *args, **options):
        services = ServicePage.objects.all()
        changed = refresh_facet_masks(services)
        self.stdout.write(
            self.style.SUCCESS(
                f"Facet masks checked for {services.count()} services, {changed} corrected."
            )
        )
