"""Settings shared by every environment; safe to run in production as they are.

Every environment variable the project reads is declared once, in ``env`` below,
with its type and default, and listed in the README.
"""

import datetime
from pathlib import Path

import environ

from wijkwijzer import languages
from wijkwijzer.map_tiles import tile_source

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    DATABASE_CONN_MAX_AGE=(int, 60),
    STATIC_ROOT=(str, str(BASE_DIR / "var" / "static")),
    MEDIA_ROOT=(str, str(BASE_DIR / "var" / "media")),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "Wijkwijzer <noreply@wijkwijzer.localhost>"),
    WAGTAILADMIN_BASE_URL=(str, "http://127.0.0.1:8000"),
    SECURE_HSTS_SECONDS=(int, 31_536_000),
    SECURE_SSL_REDIRECT=(bool, True),
    LOG_LEVEL=(str, "INFO"),
    SEARCH_ENGINE_URL=(str, ""),
    SEARCH_ENGINE_FLAVOUR=(str, "opensearch"),
    SEARCH_ENGINE_TIMEOUT=(float, 1.0),
    SEARCH_INDEX_PREFIX=(str, "wijkwijzer"),
    SEARCH_ENGINE_REPLICAS=(int, 0),
    SEARCH_ENGINE_MAX_CLAUSES=(int, 1024),
    TASKS_BACKEND=(str, "django_tasks.backends.immediate.ImmediateBackend"),
    GEOCODER=(str, "offline"),
    PC4_CENTROIDS_PATH=(str, str(BASE_DIR / "search" / "data" / "pc4_centroids.json")),
    FRESHNESS_EXPIRED_STAY_PUBLIC=(bool, True),
    CACHE_URL=(str, "locmemcache://"),
    PAGE_CACHE_URL=(str, ""),
    PAGE_CACHE_TIMEOUT=(int, 3600),
    PAGE_CACHE_MAX_AGE=(int, 60),
    CLIENT_IP_HEADER=(str, ""),
    LOGIN_FAILURE_LIMIT=(int, 5),
    LOGIN_COOLOFF_MINUTES=(int, 15),
    RATELIMIT_SEARCH=(str, "60/m"),
    RATELIMIT_SUGGEST=(str, "180/m"),
    RATELIMIT_CSP_REPORT=(str, "30/m"),
    ROUTE_URL_TEMPLATE=(str, "https://www.openstreetmap.org/directions?to={lat},{lon}"),
    HELP_PHONE_NUMBER=(str, "14 030"),
    RATELIMIT_API=(str, "120/m"),
    RATELIMIT_CORRECTION=(str, "5/m"),
    SUGGESTION_RETENTION_DAYS=(int, 90),
    HSDS_API_MAX_AGE=(int, 300),
    HSDS_PROFILE_URL=(str, ""),
    MAP_TILE_URL=(str, ""),
    MAP_TILE_ATTRIBUTION=(str, ""),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "directory",
    "search",
    "hsds",
    "spreadsheet",
    "translation_status",
    "coordination",
    "page_cache",
    # Before wagtail_localize: its admin URLs replace two of wagtail-localize's
    # views (see coalition/localize_permissions.py).
    "coalition",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "phonenumber_field",
    "axes",
    "django_ratelimit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The active locale and the view restrictions read once per request
    # (directory/per_request.py).
    "directory.per_request.PerRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wijkwijzer.middleware.LocaleMiddleware",
    "wijkwijzer.middleware.RememberLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wijkwijzer.middleware.PrivateForLoggedInMiddleware",
    # Inside everything that reads who is asking and sets the language cookie;
    # outside what renders the page and its policy (page_cache/middleware.py).
    "page_cache.middleware.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wijkwijzer.csp.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

# Failed logins are counted per account and per address (django-axes, in the
# database, so every app process sees the same count); after
# LOGIN_FAILURE_LIMIT failures that account or address waits
# LOGIN_COOLOFF_MINUTES. `manage.py axes_reset` (or axes_reset_username NAME,
# axes_reset_ip ADDRESS) unlocks at once, as does the admin's "Locked logins".
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env("LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wijkwijzer.throttling.locked_out"
AXES_CLIENT_IP_CALLABLE = "wijkwijzer.throttling.client_ip"
# Passwords are never logged; user names are, to see who is attacked.
AXES_SENSITIVE_PARAMETERS = []

# Public endpoints that cost a search are limited per client address, counted
# in the default cache: it must be shared by every app process (Redis,
# CACHE_URL=redis://...) in production. Beyond the limit: 429 with Retry-After.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER")
RATELIMIT_IP_META_KEY = "wijkwijzer.throttling.client_ip"
RATELIMIT_SEARCH = env("RATELIMIT_SEARCH")
RATELIMIT_SUGGEST = env("RATELIMIT_SUGGEST")
RATELIMIT_CSP_REPORT = env("RATELIMIT_CSP_REPORT")
RATELIMIT_API = env("RATELIMIT_API")
# Residents' corrections ("Klopt er iets niet?"): sending one counts, opening the
# form does not.
RATELIMIT_CORRECTION = env("RATELIMIT_CORRECTION")

# The HSDS open data API (hsds/): how long shared caches may keep an answer,
# and where its profile document is published (empty: the API serves it
# itself, at /api/hsds/profile/).
HSDS_API_MAX_AGE = env("HSDS_API_MAX_AGE")
HSDS_PROFILE_URL = env("HSDS_PROFILE_URL")


def cache_config(url: str, **extra) -> dict:
    config = {**env.cache_url_config(url), **extra}
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Django's, with one client per pool rather than one per call (site/cache.py).
        config["BACKEND"] = "wijkwijzer.cache.RedisCache"
    return config


CACHES = {"default": cache_config(env("CACHE_URL"))}

# Whole public pages for anonymous visitors (page_cache/): kept for
# PAGE_CACHE_TIMEOUT seconds (0: no page cache) unless a change purges them
# first, in the cache at PAGE_CACHE_URL (by default the same server as
# CACHE_URL, under keys of its own; in memory, a process of its own). Shared
# caches (a proxy, a CDN), which no purge reaches, may keep a public page
# PAGE_CACHE_MAX_AGE seconds. The timeout stays well under a day: the hours
# exceptions a service page lists and the services hidden once a year
# unchecked change with the date, not with an edit.
PAGE_CACHE_TIMEOUT = env("PAGE_CACHE_TIMEOUT")
PAGE_CACHE_MAX_AGE = env("PAGE_CACHE_MAX_AGE")
CACHES["pages"] = cache_config(env("PAGE_CACHE_URL") or env("CACHE_URL"), KEY_PREFIX="pages")
if CACHES["pages"]["BACKEND"].endswith("LocMemCache"):
    CACHES["pages"].update(LOCATION="wijkwijzer-pages", OPTIONS={"MAX_ENTRIES": 1000})
# Django's own RedisCache increments atomically (INCR); django-ratelimit only
# lists the third-party Redis backend as supported.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

ROOT_URLCONF = "wijkwijzer.urls"
WSGI_APPLICATION = "wijkwijzer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env("DATABASE_CONN_MAX_AGE")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query whose estimate is high enough: the open-now
    # filter at 100,000 services ran 180 ms and spent 520 ms more compiling.
    # The site's queries are short and planned afresh; JIT only pays off for
    # long reports. A DATABASE_URL that sets options keeps its own.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. Dutch is the source language of every listing. Each language is
# named in itself, as the language switcher shows it; Persian is labelled for
# Dari readers too, who read the same script and mostly the same words.
LANGUAGE_CODE = "nl"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("ar", "العربية"),
    ("fa", "فارسی / دری"),
    ("ti", "ትግርኛ"),
    ("uk", "Українська"),
    ("tr", "Türkçe"),
    ("pl", "Polski"),
    ("so", "Soomaali"),
]
languages.install()
# Wagtail's admin has no Tigrinya or Somali catalog. Without a rule, an editor whose
# browser asks for one sees Dutch fallbacks under `lang="ti"`, mixed with our own
# Tigrinya strings. The admin offers the coalition's languages that Wagtail speaks
# (Dari readers get Persian), and falls back to one whole language for the others;
# each editor can choose another under Account > Preferences.
WAGTAILADMIN_PERMITTED_LANGUAGES = [
    (code, name) for code, name in LANGUAGES if code not in ("ti", "so")
]
ADMIN_LANGUAGE_FALLBACKS = {"ti": "en", "so": "en"}
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Amsterdam"

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# NL Design System CSS comes from npm (package.json) and is served from our own
# static files, never from a CDN. The theme's tokens and the Utrecht components the
# templates use are joined with the font faces into static/vendor/site.css by
# scripts/build-css.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    # Noto Sans for Latin and Cyrillic, Arabic script and Ethiopic (Tigrinya):
    # each face is fetched only when a page uses its characters (unicode-range;
    # the faces and the smaller cuts of them are written by scripts/build-fonts).
    *[
        (f"vendor/fonts/{name}", NODE_MODULES / "@fontsource" / name)
        for name in ("noto-sans", "noto-sans-arabic", "noto-sans-ethiopic")
    ],
    # Leaflet draws the maps; its CSS and script are fetched only by a page
    # that shows one (static/wijkwijzer/wijkwijzer.js).
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env("DEFAULT_FROM_EMAIL")

# Security headers. The production overlay only adds what needs HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Public pages get a strict policy: everything from our own origin, no inline
# script. The admin (and its preview, which renders public templates inside the
# editor) only reports, so editors are never blocked by it. Browsers report
# violations of both to the site, which logs them (wijkwijzer.csp).
CSP_SELF = ("'self'",)
# Maps draw the project's own data and ask no other host, unless a deployment
# configures background tiles: then their host alone is added to img-src.
MAP_TILE_URL = env("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION")
MAP_TILE_SOURCE = tile_source(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": CSP_SELF,
        "script-src": CSP_SELF,
        "style-src": CSP_SELF,
        "img-src": (*CSP_SELF, "data:", *filter(None, [MAP_TILE_SOURCE])),
        "font-src": CSP_SELF,
        "connect-src": CSP_SELF,
        "form-action": CSP_SELF,
        "frame-ancestors": ("'none'",),
        "base-uri": ("'none'",),
        "object-src": ("'none'",),
        "report-uri": "/csp-report/",
        "report-to": "csp",
    },
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = None
CSP_REPORT_ONLY_PATH_PREFIXES = ("/admin/", "/django-admin/")
# A browser's report is a few hundred bytes; anything much larger is refused (413).
CSP_REPORT_MAX_BYTES = 16 * 1024

# Wagtail
WAGTAIL_SITE_NAME = "Wijkwijzer"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
# The directory's own search (search/): the database by default; an
# OpenSearch or Elasticsearch engine when SEARCH_ENGINE_URL is set, with the
# database as fallback while the engine is down. On a cluster, list every node
# (comma-separated) so that a request that cannot reach one goes to another.
SEARCH_ENGINE = {
    "URL": env("SEARCH_ENGINE_URL"),
    "FLAVOUR": env("SEARCH_ENGINE_FLAVOUR"),
    # Searches give up after TIMEOUT seconds and fall back to the database;
    # background indexing may wait longer.
    "TIMEOUT": env("SEARCH_ENGINE_TIMEOUT"),
    "INDEX_TIMEOUT": 30.0,
    "INDEX_PREFIX": env("SEARCH_INDEX_PREFIX"),
    # Copies of each index besides the primary: 0 on one node, 1 on a cluster
    # of two or more, so that any one node may fail without losing an index.
    "REPLICAS": env("SEARCH_ENGINE_REPLICAS"),
    # The engine's indices.query.bool.max_clause_count: a query that would
    # expand into more clauses is made smaller (search/backends/engine.py).
    "MAX_CLAUSES": env("SEARCH_ENGINE_MAX_CLAUSES"),
    # After a failure, skip the engine for this many seconds instead of
    # making every visitor wait for the timeout again.
    "RETRY_AFTER": 30,
}
# Background tasks (search index updates, daily e-mails): run at once, inside
# the request, by default; with several app servers,
# TASKS_BACKEND=django_tasks_db.DatabaseBackend queues them in the database
# for `manage.py db_worker` processes.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND")}}
GEOCODER = env("GEOCODER")
# The "route" link for desktops beside each location's geo: link; {lat} and
# {lon} are filled in. A plain link: nothing is requested from that host
# until the visitor follows it.
ROUTE_URL_TEMPLATE = env("ROUTE_URL_TEMPLATE")
# The number the error page (500) gives residents, who may have come for
# urgent help: the municipality's general number (14 + area code).
HELP_PHONE_NUMBER = env("HELP_PHONE_NUMBER")
# The offline geocoder's PC4 centre points; ``manage.py import_pc4`` writes it.
# Point it outside the code (a volume) to keep a national table across deploys.
PC4_CENTROIDS_PATH = env("PC4_CENTROIDS_PATH")
# Documents are always served by Django, which checks the collection's view
# restrictions; never straight from the media folder.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_IMAGE_FORM_BASE = "directory.image_upload.ImageForm"
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "directory.rich_text.DraftailRichTextArea",
        "OPTIONS": {"features": ["h2", "h3", "bold", "italic", "ol", "ul", "link"]},
    },
}
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: the admin showed a broken image wherever gravatar.com is out of
# reach (and the CSP allows images from our own origin only), and each avatar
# sent a hash of the editor's e-mail address to a third party. Editors get
# Wagtail's own default avatar, or the one they upload in their account.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Workflow e-mails (submitted, approved, changes requested) go through Django's
# e-mail backend: the console in development.
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
# Professionals log in on the public site; only staff reach the admin.
LOGIN_URL = "professional_login"
LOGIN_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

# Freshness: partners are reminded of services not checked for six months;
# after a year moderators see them flagged, and FRESHNESS_EXPIRED_STAY_PUBLIC
# decides whether residents still see them.
FRESHNESS_REMIND_AFTER_DAYS = 183
FRESHNESS_EXPIRE_AFTER_DAYS = 365
FRESHNESS_EXPIRED_STAY_PUBLIC = env("FRESHNESS_EXPIRED_STAY_PUBLIC")

# Residents' suggestions are personal data: `purge_suggestions` deletes closed ones
# this many days after closing, and strips the e-mail address of open ones this old.
SUGGESTION_RETENTION_DAYS = env("SUGGESTION_RETENTION_DAYS")
# A form sent sooner than this after it was opened is a robot's; one older than
# this is sent again with a fresh stamp.
SUGGESTION_MIN_SECONDS = 3
SUGGESTION_MAX_AGE_SECONDS = 24 * 60 * 60
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Phone numbers are stored as E.164 and read as Dutch numbers when typed
# without a country code. Forms show Dutch numbers the Dutch way (the widget
# does that for the default region) and every other number with its country
# code, so that saving the form again keeps the country.
PHONENUMBER_DEFAULT_REGION = "NL"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    # One line per background task is noise at INFO; failures still show.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
