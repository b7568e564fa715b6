from wagtail.search.management.commands.update_index import Command as WagtailUpdateIndex

from search.analysis import growing_vocabulary


class Command(WagtailUpdateIndex):
    """Wagtail's ``update_index``, with the search vocabulary read once.

    Outside a bulk writer, every service indexed counts all services to see
    whether the vocabulary has grown a tenth since it was read. A full
    reindex adds no services, so that count per service (300,000 counts at
    national scale) buys nothing: the vocabulary read at the start holds."""

    def handle(self, **options):
        with growing_vocabulary():
            super().handle(**options)
