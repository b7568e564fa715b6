from django.conf import settings
from django.middleware import locale
from django.utils import translation
from django.utils.translation import get_language_from_path


class RememberLanguageMiddleware:
    """Remember the language of the last page a visitor read, in Django's
    language cookie, so that opening the site at ``/`` later starts in it.

    Functional only: no identifier, no tracking. Django's LocaleMiddleware reads
    the cookie before the browser's Accept-Language on the first page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = get_language_from_path(request.path_info)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        return response


class PrivateForLoggedInMiddleware:
    """Pages shown to a logged-in user may hold contact persons' personal data:
    no shared cache (proxy, CDN) may keep them for the next visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import add_never_cache_headers, patch_cache_control

        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, leaving the open data API (/api/) alone.

    Django answers a 404 at an address without a language prefix with a
    redirect to the same address below /nl/ when that would match, and
    Wagtail's page view matches every address. An API client asking for an
    unknown id must get the API's 404, not a redirect to a web page. The API
    chooses its language from ``?lang=`` (hsds/views.py), not from the browser.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)
        if request.path_info.startswith("/admin/"):
            # Wagtail keeps a language it has no catalog for and translates with
            # the default's (Dutch) under the wrong `lang`: choose one it speaks.
            admin_languages = dict(settings.WAGTAILADMIN_PERMITTED_LANGUAGES)
            language = translation.get_language()
            if language not in admin_languages:
                language = settings.ADMIN_LANGUAGE_FALLBACKS.get(language, settings.LANGUAGE_CODE)
                translation.activate(language)
                request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        if request.path_info.startswith("/api/"):
            return response
        return super().process_response(request, response)
