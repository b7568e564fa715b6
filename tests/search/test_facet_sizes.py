"""The engine's terms aggregations ask for as many values as each facet can
have, so that no wijk, theme, audience or language goes uncounted."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from directory.models import Audience, Language, Theme, WijkPage
from search.backends.engine import FACET_MARGIN, facet_sizes
from search.query import FACETS

pytestmark = pytest.mark.django_db


def test_each_facet_has_room_for_every_value_it_has_in_any_language():
    sizes = facet_sizes()

    # Translations share the value (a theme's slug, a wijk's code): counted once.
    assert sizes["themes"] == len(set(Theme.objects.values_list("slug", flat=True))) + FACET_MARGIN
    assert sizes["audiences"] == (
        len(set(Audience.objects.values_list("slug", flat=True))) + FACET_MARGIN
    )
    assert sizes["languages"] == Language.objects.count() + FACET_MARGIN
    assert sizes["wijk"] == (
        len(set(WijkPage.objects.values_list("cbs_code", flat=True))) + FACET_MARGIN
    )
    assert Theme.objects.count() > len(set(Theme.objects.values_list("slug", flat=True)))
    assert set(sizes) == set(FACETS)


def test_a_new_wijk_makes_room_for_itself(wijk):
    before = facet_sizes()["wijk"]
    wijk.get_parent().add_child(
        instance=WijkPage(
            title="Nieuwe wijk",
            slug="nieuwe-wijk",
            cbs_code="WK034499",
            municipality=wijk.municipality,
            latitude=wijk.latitude,
            longitude=wijk.longitude,
        )
    )

    assert facet_sizes()["wijk"] == before + 1


def test_the_sizes_take_one_query_per_search():
    with CaptureQueriesContext(connection) as queries:
        facet_sizes()

    assert len(queries) == 1
