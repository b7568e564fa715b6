"""Each service's search row holds its themes, audiences, languages, wijken and
municipalities as values, however many there are. Whatever an editor changes,
the values follow, so the filters and counts find the service by what it is
now, and nothing stays behind of a value that is gone."""

import random

from django.core.management import call_command
from django.db.models import Q

from wagtail.models import Locale

import pytest

from directory.models import (
    Municipality,
    PartnerPage,
    ServicePage,
    Theme,
    WijkIndexPage,
    WijkPage,
)
from directory.models.facets import refresh_facets
from search.backends.database import DatabaseBackend
from search.models import ServiceRowValue
from search.query import ServiceQuery

pytestmark = pytest.mark.django_db


def search(**filters):
    nl = Locale.objects.get(language_code="nl")
    return DatabaseBackend().search(ServiceQuery(**filters), nl, 1, per_page=1000)


def found(**filters) -> set[int]:
    return {hit.service.pk for hit in search(**filters).page}


def republish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def live_dutch():
    return ServicePage.objects.live().public().filter(locale__language_code="nl")


def serving(wijk: WijkPage) -> set[int]:
    """The services that serve ``wijk``: they list it or its whole municipality."""
    return set(
        live_dutch()
        .filter(Q(wijken__cbs_code=wijk.cbs_code) | Q(municipalities=wijk.municipality))
        .values_list("pk", flat=True)
        .distinct()
    )


def add_wijk(code: str, municipality: Municipality) -> WijkPage:
    index = WijkIndexPage.objects.filter(locale__language_code="nl").first()
    return index.add_child(
        instance=WijkPage(
            title=f"Wijk {code}",
            cbs_code=code,
            municipality=municipality,
            postcodes="3561",
            latitude=52.09,
            longitude=5.12,
        )
    )


@pytest.fixture
def many_wijken():
    """70 municipalities of one wijk each, one of them with 60 more: 130 new
    wijken, twice the 63 values the bit masks once had room for. The demo's
    services get some of them, written around the models as an import does."""
    municipalities = Municipality.objects.bulk_create(
        Municipality(name=f"Gemeente {n}", cbs_code=f"GM{9000 + n}") for n in range(70)
    )
    wijken = [add_wijk(f"WK{9000 + n}01", m) for n, m in enumerate(municipalities)]
    wijken += [add_wijk(f"WK9000{n:02}", municipalities[0]) for n in range(2, 62)]
    rng = random.Random(17)  # noqa: S311 - test data
    services = list(live_dutch().order_by("path").values_list("pk", flat=True))
    listed, citywide = ServicePage.wijken.through, ServicePage.municipalities.through
    listed.objects.bulk_create(
        listed(servicepage_id=pk, wijkpage_id=wijk.pk)
        for pk in services
        for wijk in rng.sample(wijken, rng.randrange(4))
    )
    citywide.objects.bulk_create(
        citywide(servicepage_id=pk, municipality_id=rng.choice(municipalities).pk)
        for pk in services
        if rng.random() < 0.3
    )
    refresh_facets(ServicePage.objects.filter(pk__in=services))
    assert len(wijken) == 130
    return wijken


def test_every_one_of_130_wijken_filters_exactly(many_wijken):
    for wijk in many_wijken:
        assert found(wijk=wijk.cbs_code) == serving(wijk), wijk.cbs_code
    assert any(serving(wijk) for wijk in many_wijken[63:])


def test_every_one_of_130_wijken_counts_what_choosing_it_finds(many_wijken):
    counts = search().facets["wijk"]
    for wijk in many_wijken:
        assert counts.get(wijk.cbs_code, 0) == len(serving(wijk)), wijk.cbs_code
        assert counts.get(wijk.cbs_code, 0) == search(wijk=wijk.cbs_code).total


def test_a_new_wijk_counts_the_services_of_its_whole_municipality(many_wijken):
    municipality = next(
        w.municipality
        for w in many_wijken[1:]
        if live_dutch().filter(municipalities=w.municipality)
    )
    citywide = set(live_dutch().filter(municipalities=municipality).values_list("pk", flat=True))

    new = add_wijk(f"WK{municipality.number}02", municipality)

    assert found(wijk=new.cbs_code) == citywide
    assert search().facets["wijk"][new.cbs_code] == len(citywide)


def test_a_wijk_moved_to_another_municipality_is_served_by_that_one(many_wijken):
    wijk = WijkPage.objects.get(cbs_code="WK900601")
    # A wijk's code starts with its municipality's number.
    wijk.municipality = Municipality.objects.get(cbs_code="GM9007")
    wijk.cbs_code = "WK900702"
    wijk = republish(wijk)

    assert found(wijk=wijk.cbs_code) == serving(wijk)
    assert search().facets["wijk"].get(wijk.cbs_code, 0) == len(serving(wijk))


def test_a_recoded_wijk_is_found_by_its_new_code_only(many_wijken):
    wijk = next(w for w in many_wijken if live_dutch().filter(wijken=w).exists())
    listing = set(live_dutch().filter(wijken=wijk).values_list("pk", flat=True))
    old = wijk.cbs_code
    wijk.cbs_code = wijk.cbs_code[:-2] + "99"
    wijk = republish(wijk)

    assert listing <= found(wijk=wijk.cbs_code)
    assert found(wijk=old) == set()
    assert old not in search().facets["wijk"]
    assert not ServiceRowValue.objects.filter(facet="wijken", value=old).exists()


def test_a_deleted_wijk_leaves_nothing_behind(many_wijken):
    wijk = next(w for w in many_wijken if live_dutch().filter(wijken=w).exists())
    code = wijk.cbs_code
    wijk.delete()

    assert not ServiceRowValue.objects.filter(facet="wijken", value=code).exists()
    assert found(wijk=code) == set()
    assert code not in search().facets["wijk"]


def test_publishing_new_themes_moves_the_service_between_filters(service):
    old = service.themes.first()
    new = Theme.objects.filter(locale=service.locale).exclude(services=service).first()
    assert service.pk in found(themes=(old.slug,))

    service.themes.set([new])
    service = republish(service)

    assert service.pk in found(themes=(new.slug,))
    assert service.pk not in found(themes=(old.slug,))


def test_a_draft_changes_nothing_until_it_is_published(service):
    new = Theme.objects.filter(locale=service.locale).exclude(services=service).first()
    service.themes.add(new)
    service.save_revision()

    assert service.pk not in found(themes=(new.slug,))


def test_a_partner_that_changes_type_takes_its_services_along(partner, service):
    assert partner.partner_type != "zorg"
    partner.partner_type = "zorg"
    republish(partner)

    assert service.pk in found(partner_types=("zorg",))


def test_a_service_moved_to_another_partner_takes_that_partners_type(service, partner):
    other = (
        PartnerPage.objects.filter(locale=partner.locale)
        .exclude(partner_type=partner.partner_type)
        .first()
    )
    service.move(other, pos="last-child")

    assert service.pk in found(partner_types=(other.partner_type,))
    assert service.pk not in found(partner_types=(partner.partner_type,))


def test_a_theme_with_a_new_slug_is_found_by_it(service):
    theme = service.themes.first()
    old = theme.slug
    for translation in theme.get_translations(inclusive=True):
        translation.slug = "nieuwe-naam"
        translation.save()

    assert service.pk in found(themes=("nieuwe-naam",))
    assert found(themes=(old,)) == set()


def test_a_deleted_theme_leaves_nothing_behind(service):
    theme = Theme.objects.filter(services=service).first()
    slug = theme.slug
    for translation in theme.get_translations(inclusive=True):
        translation.delete()
    theme.delete()

    assert not ServiceRowValue.objects.filter(facet="themes", value=slug).exists()
    assert slug not in search().facets["themes"]


def test_a_hundred_themes_each_filter_and_count(service):
    themes = Theme.objects.bulk_create(
        Theme(name=f"Thema {n}", slug=f"thema-{n}", locale=service.locale) for n in range(100)
    )
    service.themes.add(*themes)
    service = republish(service)

    counts = search().facets["themes"]
    for theme in themes:
        assert found(themes=(theme.slug,)) == {service.pk}
        assert counts[theme.slug] == 1


def test_the_command_repairs_services_written_around_the_models(service, capsys):
    theme = service.themes.first()
    ServicePage.objects.filter(pk=service.pk).update(partner_type="", partner_page=None)
    ServiceRowValue.objects.filter(row=service.pk, facet="themes").delete()
    assert service.pk not in found(themes=(theme.slug,))

    call_command("refresh_facets")

    assert "1 copies of their partner corrected" in capsys.readouterr().out
    assert service.pk in found(themes=(theme.slug,))
    service.refresh_from_db()
    assert (service.partner_page_id, service.partner_type) == (
        service.get_parent().pk,
        service.get_parent().specific.partner_type,
    )
