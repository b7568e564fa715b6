from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TranslationReview(models.Model):
    """A person's word that one language version of a service says what the Dutch
    says. It vouches for the Dutch revision that was live when it was given: once
    the Dutch is published again, the review no longer counts.

    Why a model of our own rather than wagtail-localize's "manual" translation
    type: turning machine strings into manual ones would erase which strings a
    machine wrote, would not say who checked them, and could not go stale when the
    Dutch changes. One row per language version; the history is in the log."""

    translation_key = models.UUIDField(db_index=True)
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.CASCADE, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    source_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("translation review")
        verbose_name_plural = _("translation reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "locale"], name="one_review_per_translation"
            )
        ]

    def __str__(self):
        return f"{self.translation_key} ({self.locale_id})"
