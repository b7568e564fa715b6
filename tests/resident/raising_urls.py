"""The site's addresses plus one whose view fails, for the error page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from wijkwijzer.urls import handler500  # noqa: F401
from wijkwijzer.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a view that fails")


urlpatterns = [
    *i18n_patterns(path("kapot/", broken), prefix_default_language=True),
    *site_urlpatterns,
]
