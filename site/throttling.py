"""Slowing down brute force and scraping: locked-out logins (django-axes) and
rate-limited public endpoints (django-ratelimit) answer with the same page.

Both answer ``429 Too Many Requests`` with ``Retry-After`` and a short page in
the visitor's language; a blocked client never sees a 403 or a 500. The
limits are settings (``LOGIN_FAILURE_LIMIT``, ``LOGIN_COOLOFF_MINUTES``,
``RATELIMIT_SEARCH``, ``RATELIMIT_SUGGEST``, ``RATELIMIT_API``,
``RATELIMIT_CORRECTION``), documented in the README. The suggestion form answers
its own 429, keeping what the resident wrote.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header that the site's
    own reverse proxy sets (``CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``).
    Never a header a client could set itself, or a scraper would pick a new
    address for every request."""
    if settings.CLIENT_IP_HEADER:
        return request.META.get(settings.CLIENT_IP_HEADER, "").split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def limited(setting: str, view, refuse=None):
    """``view`` limited per client address (IPv6 per /64) to the rate in
    ``setting``, read at request time. GET and POST count alike. Beyond the
    limit ``refuse(request, retry_after)`` answers (the 429 page by default)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        usage = get_usage(
            request, group=setting, key="ip", rate=getattr(settings, setting), increment=True
        )
        if usage and usage["should_limit"]:
            logger.warning(
                "Rate limit %s exceeded by %s on %s",
                getattr(settings, setting),
                client_ip(request),
                request.path,
            )
            # The end of the current window: a client that waits that long
            # is served again.
            retry_after = max(1, usage["time_left"])
            if refuse is not None:
                return refuse(request, retry_after)
            return too_many(request, retry_after, "requests")
        return view(request, *args, **kwargs)

    return wrapper


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed logins from this
    address or for this account. axes has logged the lockout already."""
    return too_many(request, int(settings.AXES_COOLOFF_TIME.total_seconds()), "login")


def too_many(request, retry_after: int, reason: str) -> HttpResponse:
    # Rendered at once: django-axes answers from a middleware, after the
    # point where Django renders template responses.
    response = render(
        request,
        "429.html",
        {"retry_after_minutes": max(1, -(-retry_after // 60)), "reason": reason},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    # A shared cache must never hand one client's refusal to another.
    response["Cache-Control"] = "private, no-store"
    return response
