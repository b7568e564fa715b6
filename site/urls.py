from pathlib import Path

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import views as sitemaps
from wagtail.documents import urls as wagtaildocs_urls

from coalition import page_admin_permissions
from coalition import views as coalition_views
from directory import explorer
from directory import views as directory_views
from directory.sitemap import LanguageSitemap
from search import views as search_views

from . import csp
from .style_guide import style_guide
from .throttling import limited

handler500 = "wijkwijzer.errors.server_error"
SITEMAPS = {"pages": LanguageSitemap}

urlpatterns = [
    # Before Wagtail's admin: the same addresses with the permission checks it lacks.
    path("admin/", include(page_admin_permissions.urlpatterns)),
    # Before Wagtail's admin: a service in the explorer opens in the editor.
    path("admin/", include(explorer.urlpatterns)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("csp-report/", csp.report, name="csp_report"),
    # Every component in every state, Dutch and Arabic side by side (site/style_guide.py).
    path("stijlgids/", style_guide, name="style_guide"),
    # An index of numbered files: one file cannot hold a national directory.
    # Wagtail's views hand the sitemap the request: its scheme and host.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # The HSDS open data API; Dutch unless asked otherwise (?lang=). Not
    # below a language prefix: every object says which language it is in.
    path("api/hsds/", include("hsds.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Images only: documents are served by Wagtail's view, which checks their
    # collection's permissions.
    urlpatterns += static(
        f"{settings.MEDIA_URL}images/", document_root=Path(settings.MEDIA_ROOT, "images")
    )
    urlpatterns += static(
        f"{settings.MEDIA_URL}original_images/",
        document_root=Path(settings.MEDIA_ROOT, "original_images"),
    )

# Every public address carries its language (/nl/, /en/...), so a shared link
# opens in the language it was shared in.
urlpatterns += i18n_patterns(
    path("zoeken/", limited("RATELIMIT_SEARCH", search_views.search), name="search"),
    path(
        "zoeken/suggesties/",
        limited("RATELIMIT_SUGGEST", search_views.suggest),
        name="search_suggest",
    ),
    path(
        "zoeken/gemeenten/",
        limited("RATELIMIT_SUGGEST", search_views.municipalities),
        name="search_municipalities",
    ),
    path("inloggen/", coalition_views.ProfessionalLoginView.as_view(), name="professional_login"),
    path(
        "uitloggen/", coalition_views.ProfessionalLogoutView.as_view(), name="professional_logout"
    ),
    # "Klopt er iets niet?": rate-limited per address when sent (RATELIMIT_CORRECTION).
    path(
        "klopt-er-iets-niet/<int:service_id>/",
        coalition_views.suggest,
        name="suggest_correction",
    ),
    path(
        "klopt-er-iets-niet/<int:service_id>/bedankt/",
        coalition_views.thanks,
        name="suggestion_thanks",
    ),
    # Wagtail's page URLs: its helper views, then its page view with a
    # fallback to Dutch for pages that are not translated yet.
    *[pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"],
    re_path(r"^((?:[\w\-]+/)*)$", directory_views.serve, name="wagtail_serve"),
    prefix_default_language=True,
)
