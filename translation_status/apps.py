from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationStatusConfig(AppConfig):
    name = "translation_status"
    verbose_name = _("Translation status")
    default_auto_field = "django.db.models.BigAutoField"
