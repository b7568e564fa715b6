"""Local development: debug on, a throw-away secret, e-mail to the console."""

import contextlib

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY") or "django-insecure-dev-only-never-use-this-key-in-production"
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# runserver serves static files from the finders; collectstatic is for production.
STATIC_ROOT = None

# One runserver process: its in-memory cache counts every request.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405

# An untracked local.py may override anything for one developer's machine.
with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
