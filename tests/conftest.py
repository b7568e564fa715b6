import os

from django.db import connection

from wagtail.models import Locale

import pytest

from directory.demo.loader import load_demo
from directory.models import PartnerPage, ServicePage, WijkPage


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test runs on the demo directory, loaded once per run through the models."""
    expected = os.environ.get("WIJKWIJZER_EXPECT_DATABASE")
    if expected and connection.vendor != expected:
        pytest.exit(
            f"Tests were meant to run on {expected}, but the database is {connection.vendor}.",
            returncode=3,
        )
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def dutch(db):
    return Locale.objects.get(language_code="nl")


@pytest.fixture
def service(db) -> ServicePage:
    """A live demo service with locations, hours and a phone number."""
    return (
        ServicePage.objects.live()
        .exclude(phone="")
        .filter(locations__isnull=False, opening_hours__isnull=False)
        .order_by("path")
        .first()
    )


@pytest.fixture
def partner(service) -> PartnerPage:
    return service.get_parent().specific


@pytest.fixture
def wijk(db) -> WijkPage:
    return WijkPage.objects.get(cbs_code="WK034403")
