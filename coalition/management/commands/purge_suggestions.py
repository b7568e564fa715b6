from django.conf import settings
from django.core.management.base import BaseCommand

from ...tasks import purge_suggestions


class Command(BaseCommand):
    help = (
        "Queue the daily privacy task: delete residents' suggestions closed more than "
        "SUGGESTION_RETENTION_DAYS ago and remove the e-mail address from open ones sent "
        "that long ago. Run it daily from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        result = purge_suggestions.enqueue()
        if result.is_finished:
            counts = result.return_value
            self.stdout.write(
                self.style.SUCCESS(
                    f"Suggestions older than {settings.SUGGESTION_RETENTION_DAYS} days: "
                    f"{counts['deleted']} closed deleted, "
                    f"{counts['emails_removed']} e-mail addresses removed."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Suggestion purge queued ({result.id})."))
