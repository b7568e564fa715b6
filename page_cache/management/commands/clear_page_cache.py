from django.core.management.base import BaseCommand

from page_cache import store


class Command(BaseCommand):
    help = "Forget every cached page (every app process sharing the page cache)."

    def handle(self, *args, **options):
        store.purge_all()
        self.stdout.write("Every cached page is forgotten.")
