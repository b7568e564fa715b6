from django.core.management.base import BaseCommand

from ...tasks import send_freshness_digests


class Command(BaseCommand):
    help = (
        "Queue the daily freshness task: each partner's staff get an e-mail listing the "
        "services not checked for six months. Run it daily from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        result = send_freshness_digests.enqueue()
        self.stdout.write(self.style.SUCCESS(f"Freshness digests queued ({result.id})."))
