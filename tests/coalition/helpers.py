"""People and pages for the coalition tests, made the way the coalition makes them."""

from django.test import Client
from django.urls import reverse

from wagtail.models import Page

from coalition import roles
from coalition.models import PartnerAccess
from coalition.onboarding import add_staff, onboard_partner

PASSWORD = "een-lang-test-wachtwoord-42"


def make_user(django_user_model, username, *, groups=(), active=True, superuser=False, **extra):
    user = django_user_model.objects.create_user(
        username,
        f"{username}@wijkwijzer.localhost",
        PASSWORD,
        is_active=active,
        is_superuser=superuser,
        **extra,
    )
    user.groups.add(*groups)
    return user


def staff_of(django_user_model, access: PartnerAccess, username: str, *, publisher=False):
    user = make_user(django_user_model, username)
    add_staff(access, user, publisher=publisher)
    return user


def moderator(django_user_model, username="moderator-test"):
    from django.contrib.auth.models import Group

    return make_user(django_user_model, username, groups=[Group.objects.get(name=roles.MODERATORS)])


def professional(django_user_model, username="professional-test"):
    from django.contrib.auth.models import Group

    return make_user(
        django_user_model, username, groups=[Group.objects.get(name=roles.PROFESSIONALS)]
    )


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def admin_login(user) -> Client:
    """A client that logged in through the admin's own login form."""
    client = Client()
    response = client.post(
        reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def onboarded(title="Stichting Testhulp (test)", partner_type="welzijn", **kwargs) -> PartnerAccess:
    return onboard_partner(title, partner_type, **kwargs)


def approve(client: Client, page: Page):
    """Approve the page's current workflow step through the admin's workflow action."""
    page = Page.objects.get(pk=page.pk).specific
    task_state = page.current_workflow_state.current_task_state
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
        {},
    )


def denied(response) -> bool:
    """Refused the way the admin refuses: 403, 404, or a redirect to the dashboard
    (with "Sorry, you do not have permission") or to a login page."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return (
            location == reverse("wagtailadmin_home")
            or "/login/" in location
            or ("/inloggen/" in location)
        )
    return False
