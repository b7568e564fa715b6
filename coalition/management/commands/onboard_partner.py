from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.choices import PartnerType
from directory.models import PartnerPage

from ...onboarding import OnboardingError, add_staff, onboard_partner


class Command(BaseCommand):
    help = (
        "Onboard a partner in one step: its page (a draft, unless --existing names a "
        "published one), editors' and publishers' groups, collection, permissions and "
        "workflow. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default="", help="Name of the organisation")
        parser.add_argument("--type", dest="partner_type", choices=PartnerType.values)
        parser.add_argument("--existing", metavar="SLUG", help="An existing Dutch partner page")
        parser.add_argument("--publish-directly", action="store_true")
        parser.add_argument("--editor", action="append", default=[], metavar="USERNAME")
        parser.add_argument("--publisher", action="append", default=[], metavar="USERNAME")

    def handle(self, *args, **options):
        users = get_user_model().objects
        staff = []
        for option, publisher in (("editor", False), ("publisher", True)):
            for username in options[option]:
                try:
                    staff.append((users.get(username=username, is_active=True), publisher))
                except users.model.DoesNotExist:
                    raise CommandError(f"No active user {username!r}.") from None
        partner = None
        if options["existing"]:
            partner = PartnerPage.objects.filter(
                slug=options["existing"], locale__language_code=settings.LANGUAGE_CODE
            ).first()
            if partner is None:
                raise CommandError(f"No Dutch partner page with slug {options['existing']!r}.")
        elif not (options["name"] and options["partner_type"]):
            raise CommandError("Give a name and --type, or --existing SLUG.")
        try:
            access = onboard_partner(
                options["name"],
                options["partner_type"] or "",
                partner=partner,
                may_publish_directly=options["publish_directly"],
            )
        except OnboardingError as error:
            raise CommandError(str(error)) from error
        for user, publisher in staff:
            add_staff(access, user, publisher=publisher)
        self.stdout.write(
            self.style.SUCCESS(
                f"{access.partner.title} onboarded: groups {access.editors.name!r} and "
                f"{access.publishers.name!r}, collection {access.collection.name!r}, "
                f"workflow {access.workflow.name!r}; {len(staff)} staff added."
            )
        )
