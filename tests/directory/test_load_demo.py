"""The demo directory: realistic, complete and loaded the same way every time."""

import json

from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

import pytest

from coalition.demo import listed_numbers
from coalition.models import ContactPerson
from coalition.onboarding import onboard_partner
from directory.choices import PartnerType
from directory.demo.loader import DEMO_DATA
from directory.models import (
    Audience,
    Language,
    Municipality,
    PartnerPage,
    ServicePage,
    Theme,
    WijkPage,
)
from search.models import ServiceRow

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Page,
            PartnerPage,
            ServicePage,
            WijkPage,
            Theme,
            Audience,
            Language,
            Municipality,
        )
    }


def test_the_demo_covers_every_partner_type_theme_audience_and_wijk():
    assert PartnerPage.objects.filter(locale__language_code="nl").count() >= 15
    assert ServicePage.objects.filter(locale__language_code="nl").count() >= 80
    assert set(PartnerPage.objects.values_list("partner_type", flat=True)) == set(
        PartnerType.values
    )
    dutch = {"locale__language_code": "nl"}
    assert all(ServicePage.objects.filter(themes=t).exists() for t in Theme.objects.filter(**dutch))
    assert all(
        ServicePage.objects.filter(audiences=a).exists() for a in Audience.objects.filter(**dutch)
    )
    for wijk in WijkPage.objects.all():
        assert ServicePage.objects.filter(wijken=wijk).count() >= 3, wijk


def test_demo_partners_are_clearly_fictional():
    assert all(
        "voorbeeld" in title.lower()
        for title in PartnerPage.objects.values_list("title", flat=True)
    )


def test_the_demo_uses_real_cbs_codes_of_one_municipality():
    municipality = Municipality.objects.get()
    assert municipality.cbs_code == "GM0344"
    codes = sorted(WijkPage.objects.values_list("cbs_code", flat=True))
    assert codes == [f"WK0344{n:02d}" for n in range(1, 11)]


def test_demo_pages_are_published_revisions():
    service = ServicePage.objects.first()
    assert service.live
    assert Revision.page_revisions.filter(object_id=str(service.pk)).exists()


def test_a_bad_data_file_is_refused_with_its_reason_and_changes_nothing(tmp_path):
    data = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
    data["partners"][0]["services"][0]["themes"] = ["bestaat-niet"]
    data["partners"][0]["name"] = "Gewijzigde naam (voorbeeld)"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="unknown theme 'bestaat-niet'"):
        call_command("load_demo", file=str(broken), verbosity=0)
    assert counts() == before
    assert not PartnerPage.objects.filter(title="Gewijzigde naam (voorbeeld)").exists()


def test_a_data_file_of_an_unknown_version_is_refused(tmp_path):
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"version": 99}), encoding="utf-8")
    with pytest.raises(CommandError, match="version 99"):
        call_command("load_demo", file=str(future), verbosity=0)


def test_demo_contact_persons_have_numbers_no_listed_service_uses():
    """Calling a number from the public site must never reach a professional's desk."""
    contact_numbers = [str(n) for n in ContactPerson.objects.values_list("phone", flat=True)]
    assert (
        len(contact_numbers) >= 2 * PartnerPage.objects.filter(locale__language_code="nl").count()
    )
    assert all(contact_numbers)
    assert len(set(contact_numbers)) == len(contact_numbers)
    assert not set(contact_numbers) & listed_numbers()


def test_a_file_with_a_partner_not_marked_as_demo_is_refused_and_changes_nothing(tmp_path):
    data = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
    data["partners"][3]["name"] = "Buurthuis De Linde"
    real = tmp_path / "real.json"
    real.write_text(json.dumps(data), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match=data["partners"][3]["slug"]):
        call_command("load_demo", file=str(real), verbosity=0)
    assert counts() == before
    assert not PartnerPage.objects.filter(title="Buurthuis De Linde").exists()


def test_a_real_partner_with_a_demo_partners_slug_is_left_alone():
    partner = PartnerPage.objects.get(locale__language_code="nl", slug="gemeente-werk-en-inkomen")
    partner.title = "Gemeente Utrecht – Werk en Inkomen"
    partner.save_revision().publish()
    with pytest.raises(CommandError, match="not a demo partner"):
        call_command("load_demo", verbosity=0)
    partner.refresh_from_db()
    assert partner.title == "Gemeente Utrecht – Werk en Inkomen"


def test_loading_the_demo_again_changes_no_counts_and_leaves_other_partners_alone():
    # One test for both: a load of the demo takes a minute or more.
    real = onboard_partner("Buurthuis De Linde", "welzijn").partner
    before = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == before
    assert not ContactPerson.objects.filter(partner=real).exists()
    assert ContactPerson.objects.exclude(partner__title__contains="(voorbeeld)").count() == 0


def test_the_copies_the_load_brings_up_to_date_at_its_end_hold_every_page():
    # The loader announces its services once, at its end: each shown one has
    # its search row (what the rows hold, field by field, is checked on the
    # demo as loaded by tests/search/test_rows.py). It keeps Wagtail's
    # reference index and search index off while it saves and builds them at
    # its end, as Wagtail's own commands do: each service's search entry is
    # analysed with every word of the directory, not only those loaded before it.
    assert ServiceRow.objects.count() == ServicePage.objects.live().public().count() > 100

    def references():
        return sorted(
            ReferenceIndex.objects.values_list(
                "content_type_id",
                "object_id",
                "to_content_type_id",
                "to_object_id",
                "model_path",
                "content_path",
            )
        )

    indexed = references()
    assert indexed
    call_command("rebuild_references_index", verbosity=0)
    assert references() == indexed

    def search_entries():
        return sorted(
            IndexEntry.objects.values_list(
                "content_type_id", "object_id", "title", "autocomplete", "body", "title_norm"
            )
        )

    entries = search_entries()
    assert len(entries) >= Page.objects.count()
    call_command("update_index", verbosity=0)
    assert search_entries() == entries
