"""Each service carries its facet values as bit masks on its own row, for the
database search. Whatever an editor changes, the masks follow, so the filters
find the service by what it is now."""

import logging

from django.core.management import call_command

from wagtail.models import Locale

import pytest

from directory.models import FacetBit, PartnerPage, ServicePage, Theme
from directory.models.facets import BITS_PER_FACET
from search.backends.database import DatabaseBackend
from search.models import ServiceRow
from search.query import ServiceQuery

pytestmark = pytest.mark.django_db


def found(**filters) -> set[int]:
    nl = Locale.objects.get(language_code="nl")
    results = DatabaseBackend().search(ServiceQuery(**filters), nl, 1, per_page=1000)
    return {hit.service.pk for hit in results.page}


def republish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


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
    for translation in theme.get_translations(inclusive=True):
        translation.slug = "nieuwe-naam"
        translation.save()

    assert service.pk in found(themes=("nieuwe-naam",))


def test_a_deleted_theme_leaves_no_bit_behind(service):
    theme = Theme.objects.filter(services=service).first()
    bit = FacetBit.bits("themes")[theme.slug]
    users = list(theme.services.values_list("pk", flat=True))
    theme.delete()

    masks = ServicePage.objects.filter(pk__in=users).values_list("theme_mask", flat=True)
    assert all(not mask & (1 << bit) for mask in masks)


def test_the_command_repairs_services_written_around_the_models(service, capsys):
    theme = service.themes.first()
    for written in (ServicePage.objects, ServiceRow.objects):
        written.filter(pk=service.pk).update(theme_mask=0, partner_type="")
    assert service.pk not in found(themes=(theme.slug,))

    call_command("refresh_facet_masks")

    assert "1 corrected" in capsys.readouterr().out
    assert service.pk in found(themes=(theme.slug,))


def test_a_value_past_the_last_bit_is_logged_and_the_save_still_succeeds(service, caplog):
    taken = set(FacetBit.objects.filter(facet="themes").values_list("bit", flat=True))
    FacetBit.objects.bulk_create(
        FacetBit(facet="themes", value=f"filler-{bit}", bit=bit)
        for bit in range(BITS_PER_FACET)
        if bit not in taken
    )
    extra = Theme.objects.create(name="Extra", slug="extra", locale=service.locale)
    service.themes.add(extra)

    with caplog.at_level(logging.ERROR, logger="directory.models.facets"):
        service = republish(service)

    assert "No free bit for themes=extra" in caplog.text
    assert ServicePage.objects.get(pk=service.pk).live
    assert service.pk in found(themes=(service.themes.exclude(pk=extra.pk).first().slug,))
