import django.db.models.deletion
from django.db import migrations, models

# Each service's partner page is its parent (a page's path is its parent's
# plus one step of four characters, Wagtail's steplen); written in SQL that
# SQLite and PostgreSQL both run, in one statement at any size.
FILL = """
UPDATE directory_servicepage SET partner_page_id = (
    SELECT parent.id FROM wagtailcore_page child
    JOIN wagtailcore_page parent ON parent.path = substr(child.path, 1, length(child.path) - 4)
    WHERE child.id = directory_servicepage.page_ptr_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0016_exceptions_by_end_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicepage",
            name="partner_page",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="directory.partnerpage",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="servicepage",
            index=models.Index(
                fields=["partner_page", "title_key", "page_ptr"], name="service_partner_listing"
            ),
        ),
    ]
