"""Stable HSDS ids for locations and opening hours, and the partner's KvK number.

The ids are added empty and filled row by row: a callable default in AddField
would give every existing row the same value. The latest revision of each
service gets the ids of its live rows too, or the next edit would publish
rows without one and take new ids.
"""

import uuid

import django.core.validators
from django.db import migrations, models

CHILD_MODELS = {
    "servicelocation": "locations",
    "openinghours": "opening_hours",
    "openinghoursexception": "opening_hours_exceptions",
}


def fill_ids(apps, schema_editor):
    ids_by_pk = {}
    for model_name in CHILD_MODELS:
        model = apps.get_model("directory", model_name)
        for row in model.objects.filter(hsds_id__isnull=True).only("pk"):
            row.hsds_id = uuid.uuid4()
            row.save(update_fields=["hsds_id"])
        ids_by_pk[model_name] = dict(model.objects.values_list("pk", "hsds_id"))

    ServicePage = apps.get_model("directory", "ServicePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    revision_ids = ServicePage.objects.exclude(latest_revision=None).values_list(
        "latest_revision_id", flat=True
    )
    for revision in Revision.objects.filter(pk__in=list(revision_ids)).iterator():
        content = revision.content
        for model_name, relation in CHILD_MODELS.items():
            for child in content.get(relation, []):
                known = ids_by_pk[model_name].get(child.get("pk"))
                child["hsds_id"] = str(known or uuid.uuid4())
        revision.content = content
        revision.save(update_fields=["content"])


def uuid_field(**kwargs):
    return models.UUIDField(db_index=True, editable=False, **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0010_drop_facet_masks"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        *[
            migrations.AddField(model_name=name, name="hsds_id", field=uuid_field(null=True))
            for name in CHILD_MODELS
        ],
        migrations.RunPython(fill_ids, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name=name, name="hsds_id", field=uuid_field(default=uuid.uuid4)
            )
            for name in CHILD_MODELS
        ],
        migrations.AddField(
            model_name="partnerpage",
            name="kvk_number",
            field=models.CharField(blank=True, help_text="The 8 digits of the organisation's number in the Dutch Chamber of Commerce register, if it has one. Published in the open data.", max_length=8, validators=[django.core.validators.RegexValidator('^\\d{8}$', 'Enter a KvK number of 8 digits, for example 30123456.', code='kvk_number')], verbose_name='KvK number'),
        ),
    ]
