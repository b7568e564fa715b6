"""Brute force and scraping are slowed down, and ordinary visitors never notice.

Logins: after ``LOGIN_FAILURE_LIMIT`` failures for one account or from one
address, both login forms answer 429 with ``Retry-After`` until the cool-down
ends or an administrator unlocks. Search and suggestions: beyond the
configured rate per client address, 429 with ``Retry-After``.
"""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

import pytest

from tests.coalition.helpers import PASSWORD, logged_in, make_user, moderator

pytestmark = pytest.mark.django_db

LOGIN_FORMS = ["/admin/login/", "/nl/inloggen/"]


@pytest.fixture
def anna(django_user_model):
    return make_user(django_user_model, "anna-throttle", superuser=True)


def try_login(client, url, username, password, address="192.0.2.10"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def logged_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_thirty_wrong_passwords_in_a_row_are_throttled(url, anna, settings):
    client = Client()
    statuses = [try_login(client, url, anna.username, f"wrong-{n}").status_code for n in range(30)]

    limit = settings.AXES_FAILURE_LIMIT
    assert 429 not in statuses[: limit - 1]
    assert set(statuses[limit:]) == {429}
    refused = try_login(client, url, anna.username, "wrong-again")
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert refused["Cache-Control"] == "private, no-store"

    # Even the right password waits for the cool-down.
    assert try_login(client, url, anna.username, PASSWORD).status_code == 429
    assert not logged_in_as(client, anna)


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_one_address_trying_many_accounts_is_throttled(url, anna, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        try_login(client, url, f"someone-{n}", "wrong", address="198.51.100.7")

    assert (
        try_login(client, url, anna.username, PASSWORD, address="198.51.100.7").status_code == 429
    )
    # Another address is not affected.
    assert try_login(
        Client(), url, anna.username, PASSWORD, address="198.51.100.8"
    ).status_code in (
        200,
        302,
    )


def test_one_account_attacked_from_many_addresses_is_throttled(anna, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        try_login(Client(), LOGIN_FORMS[0], anna.username, "wrong", address=f"203.0.113.{n + 1}")

    client = Client()
    assert (
        try_login(client, LOGIN_FORMS[0], anna.username, PASSWORD, "203.0.113.99").status_code
        == 429
    )
    assert not logged_in_as(client, anna)


def test_the_lockout_is_explained_in_the_visitors_language(anna, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        response = try_login(client, "/ar/inloggen/", anna.username, f"wrong-{n}")

    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="ar"' in html
    assert "112" in html
    assert "Please wait a moment" not in html


def test_a_failure_count_below_the_limit_is_forgotten_after_a_good_login(anna, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        try_login(client, LOGIN_FORMS[1], anna.username, f"wrong-{n}")
    try_login(client, LOGIN_FORMS[1], anna.username, PASSWORD)

    other = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(other, LOGIN_FORMS[1], anna.username, f"wrong-{n}").status_code != 429


def test_the_command_line_unlocks_an_account(anna, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        try_login(client, LOGIN_FORMS[0], anna.username, f"wrong-{n}")
    assert try_login(client, LOGIN_FORMS[0], anna.username, PASSWORD).status_code == 429

    call_command("axes_reset", verbosity=0)

    try_login(client, LOGIN_FORMS[0], anna.username, PASSWORD)
    assert logged_in_as(client, anna)


def test_an_administrator_unlocks_in_the_admin_and_nobody_else_sees_the_list(
    anna, django_user_model, settings
):
    from axes.models import AccessAttempt

    victim = make_user(django_user_model, "victim-throttle")
    for n in range(settings.AXES_FAILURE_LIMIT):
        try_login(Client(), LOGIN_FORMS[0], victim.username, f"wrong-{n}", address="192.0.2.50")
    attempt = AccessAttempt.objects.get(username=victim.username)

    assert logged_in(moderator(django_user_model)).get("/admin/locked_logins/").status_code in (
        302,
        403,
    )
    admin = logged_in(anna)
    listing = admin.get("/admin/locked_logins/")
    assert listing.status_code == 200
    assert victim.username in listing.content.decode()

    admin.post(f"/admin/locked_logins/delete/{attempt.pk}/")

    assert not AccessAttempt.objects.filter(username=victim.username).exists()
    client = Client()
    try_login(client, LOGIN_FORMS[0], victim.username, PASSWORD, address="192.0.2.50")
    assert logged_in_as(client, victim)


@pytest.mark.parametrize(
    ("name", "setting", "params"),
    [
        ("search", "RATELIMIT_SEARCH", {"q": "schulden"}),
        ("search_suggest", "RATELIMIT_SUGGEST", {"q": "sch"}),
    ],
)
def test_a_burst_beyond_the_limit_gets_429_with_retry_after(name, setting, params, settings):
    # Per hour, not per minute: django-ratelimit counts in fixed windows, and
    # on a busy machine eight searches can take seconds; a burst that crossed
    # a minute's window was counted in two (seen once in a full run).
    setattr(settings, setting, "5/h")
    url = (
        "/nl" + reverse(name).removeprefix("/nl")
        if not reverse(name).startswith("/nl")
        else reverse(name)
    )
    client = Client()
    statuses = [client.get(url, params, REMOTE_ADDR="192.0.2.77").status_code for _ in range(8)]

    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3
    refused = client.get(url, params, REMOTE_ADDR="192.0.2.77")
    assert 0 < int(refused["Retry-After"]) <= 3600
    # Another client is served as usual.
    assert client.get(url, params, REMOTE_ADDR="192.0.2.78").status_code == 200


def test_ordinary_use_stays_well_within_the_default_limits(settings):
    """A resident who searches, refines and types for a minute is never refused."""
    client = Client()
    for word in ["sch", "schu", "schul", "schuld", "schulden"] * 4:
        assert client.get(reverse("search_suggest"), {"q": word}).status_code == 200
    for page in range(1, 11):
        assert client.get(reverse("search"), {"q": "hulp", "page": page}).status_code == 200
