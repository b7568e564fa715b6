"""A page whose policy allows its inline script by a CSP nonce, at an address
the page cache would keep (Wijkwijzer's own pages use no nonce)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from csp.constants import NONCE
from csp.decorators import csp_update

from wijkwijzer import csp


@csp_update({"script-src": [NONCE]})
def with_nonce(request):
    return HttpResponse(str(request.csp_nonce))


urlpatterns = [
    path("csp-report/", csp.report, name="csp_report"),
    *i18n_patterns(path("met-nonce/", with_nonce, name="wagtail_serve")),
]
