"""The error page (500), served when something failed, perhaps the database.

Django's default handler renders ``500.html`` with no request and no
language. Residents who came for urgent help need it in their own language,
styled like the site, with a way back and a number to call. So this handler
takes the language from the URL's prefix alone and renders a template that
needs nothing that might have failed: no database, no context processors,
no sessions.
"""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language_from_path


def server_error(request, template_name="500.html"):
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        number = settings.HELP_PHONE_NUMBER
        html = loader.get_template(template_name).render(
            {
                "LANGUAGE_CODE": language,
                "LANGUAGE_BIDI": translation.get_language_bidi(),
                "home_url": f"/{language}/",
                "help_number": number,
                "help_dial": "".join(ch for ch in number if ch.isdigit() or ch == "+"),
            }
        )
    return HttpResponseServerError(html)
