from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_locales(sender, **kwargs):
    """Every content language has its Wagtail locale, so editors can translate into it."""
    from django.conf import settings

    from wagtail.models import Locale

    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import chooser_values, inline_ids, per_request, redirects, signals

        post_migrate.connect(create_locales, sender=self, dispatch_uid="directory_create_locales")
        signals.connect()
        redirects.connect()
        chooser_values.install()
        inline_ids.install()
        per_request.install()
