"""The error page (500), served when something failed, perhaps the database.

Django's default handler renders ``500.html`` with no request and no
language. Residents who came for urgent help need it in their own language,
styled like the site, with a way back and a number to call. So this handler
takes the language from the URL's prefix alone and renders a template that
needs nothing that might have failed: no database, no context processors,
no sessions.

When the database cannot be reached (stopped, restarting, failing over), the
failure is not a bug and passes by itself: the visitor gets a 503 page that
says so, with Retry-After, instead of the 500 page. Django's persistent
connections drop a connection that failed, so the next request after the
database is back connects again and the site recovers without a restart.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language_from_path

# Seconds a visitor (or a proxy, or a crawler) is asked to wait after a 503.
RETRY_AFTER = 30


def database_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` is the database being out of reach, not a bug."""
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request, template_name="500.html"):
    # Django calls the handler while it handles the exception.
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(_render(request, "503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(_render(request, template_name))


def _render(request, template_name: str) -> str:
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        number = settings.HELP_PHONE_NUMBER
        return loader.get_template(template_name).render(
            {
                "LANGUAGE_CODE": language,
                "LANGUAGE_BIDI": translation.get_language_bidi(),
                "home_url": f"/{language}/",
                "help_number": number,
                "help_dial": "".join(ch for ch in number if ch.isdigit() or ch == "+"),
            }
        )
