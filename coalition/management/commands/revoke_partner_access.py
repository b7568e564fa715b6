from django.core.management.base import BaseCommand, CommandError

from ...models import PartnerAccess
from ...onboarding import revoke_partner_access


class Command(BaseCommand):
    help = "Remove every editor and publisher of a partner, and their permissions, in one step."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The partner page's slug")

    def handle(self, *args, **options):
        access = PartnerAccess.objects.filter(partner__slug=options["slug"]).first()
        if access is None:
            raise CommandError(f"No onboarded partner with slug {options['slug']!r}.")
        users = revoke_partner_access(access)
        self.stdout.write(
            self.style.SUCCESS(
                f"Access of {access.partner.title} removed from {len(users)} users: "
                + (", ".join(users) or "none")
            )
        )
