from django.apps import AppConfig


class HsdsConfig(AppConfig):
    """The directory as open data: the HSDS 3.0 read API and its mapping."""

    name = "hsds"
    verbose_name = "HSDS open data"
