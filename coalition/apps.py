from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_roles(sender, using="default", **kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .roles import ensure_roles

    # Django makes each app's permissions in its own post_migrate call; apps after
    # this one (wagtail_localize, Wagtail's own) would not have theirs yet.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_roles()


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        post_migrate.connect(create_roles, sender=self, dispatch_uid="coalition_create_roles")
        signals.connect()
