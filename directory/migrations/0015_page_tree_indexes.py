from django.db import migrations

# Two reads of Wagtail's page table that its own indexes do not serve, each a
# scan of every page (43 and 31 ms at 100,000 services, on each page view):
# routing by address in one query (directory/routing.py) looks pages up by
# url_path, and a page's children (the navigation, an index page's listing)
# are the pages one level deeper within its path range, which the index on
# path alone reads for every descendant.
INDEXES = {
    "directory_page_url_path": "(url_path)",
    "directory_page_depth_path": "(depth, path)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0014_location_hours"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON wagtailcore_page {columns}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
