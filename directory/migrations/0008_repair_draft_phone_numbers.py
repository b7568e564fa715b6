"""Give the phone numbers in drafts and revisions their country back.

Before ``directory.fields.PhoneField``, revisions kept numbers in the national
format without a country code (``030 12345678`` for ``+49 30 12345678``), and
publishing such a draft read them as Dutch and failed. A number is repaired to the
E.164 number of the same field (on the page itself or in another revision of it)
whose national format it is; failing that, to the Dutch number it spells. A
number that is neither is left for the editor, whose form then asks for it again.
"""

import phonenumbers
from django.db import migrations

PHONE_FIELDS = {"servicepage": ("phone", "whatsapp"), "partnerpage": ("phone",)}


def _parsed(international: str):
    try:
        return phonenumbers.parse(international)
    except phonenumbers.NumberParseException:
        return None


def _dutch(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def repair(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    for model_name, fields in PHONE_FIELDS.items():
        content_type = ContentType.objects.filter(app_label="directory", model=model_name).first()
        if content_type is None:
            continue
        model = apps.get_model("directory", model_name)
        revisions = Revision.objects.filter(content_type=content_type).order_by("object_id", "pk")
        by_page: dict[str, list] = {}
        for revision in revisions.iterator():
            by_page.setdefault(revision.object_id, []).append(revision)
        for object_id, page_revisions in by_page.items():
            page = model.objects.filter(pk=object_id).first()
            for field in fields:
                known = {
                    value
                    for value in [
                        str(getattr(page, field) or "") if page else "",
                        *(r.content.get(field) or "" for r in page_revisions),
                    ]
                    if value.startswith("+")
                }
                by_national = {
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL): (
                        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                    )
                    for number in filter(None, map(_parsed, known))
                }
                for revision in page_revisions:
                    value = revision.content.get(field)
                    if not value or value.startswith("+"):
                        continue
                    repaired = by_national.get(value) or _dutch(value)
                    if repaired:
                        revision.content[field] = repaired
                        revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_phone_keeps_country"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
