from django.conf import settings
from django.db.models.signals import post_delete, post_save

from wagtail.models import ModelLogEntry
from wagtail.signals import page_published

from directory.models import PartnerPage

from . import freshness
from .models import ContactPerson
from .onboarding import grant_translation


def partner_translated(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.locale.language_code != settings.LANGUAGE_CODE:
        grant_translation(instance)


def forget_contact_person(sender, instance, **kwargs):
    """The audit trail keeps who changed what and when, not the person's name."""
    from django.contrib.contenttypes.models import ContentType

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ContactPerson), object_id=str(instance.pk)
    ).update(label=f"#{instance.pk}", data={})


def connect():
    post_save.connect(partner_translated, sender=PartnerPage, dispatch_uid="coalition_translated")
    post_delete.connect(
        forget_contact_person, sender=ContactPerson, dispatch_uid="coalition_forget_person"
    )
    page_published.connect(
        freshness.mark_checked_on_publish, dispatch_uid="coalition_checked_on_publish"
    )
