"""The HSDS API's behaviour: paging, filters, languages, privacy, bad
parameters, caching and the number of queries per page."""

import datetime
import json

from django.test import Client
from django.utils import timezone

from wagtail.models import Locale

import pytest

from directory.models import PartnerPage, ServicePage, Theme
from hsds import mapping

from .conftest import contact_persons_found_in, get_json

pytestmark = pytest.mark.django_db


def test_root_names_version_profile_and_openapi(api):
    data = get_json(api, "/api/hsds/")
    assert data["version"] == "3.0"
    assert api.get(data["profile"]).status_code == 200
    openapi = get_json(api, data["openapi_url"])
    assert openapi["openapi"] == "3.1.0"
    assert {"/services", "/services/{id}", "/taxonomy_terms/{id}"} <= set(openapi["paths"])


def test_pages_cover_every_service_once(api):
    first = get_json(api, "/api/hsds/services", per_page=40)
    ids = [item["id"] for item in first["contents"]]
    for number in range(2, first["total_pages"] + 1):
        page = get_json(api, "/api/hsds/services", per_page=40, page=number)
        assert page["page_number"] == number and not page["first_page"]
        ids += [item["id"] for item in page["contents"]]
    assert page["last_page"] and first["first_page"]
    assert len(ids) == len(set(ids)) == first["total_items"]


def test_a_page_past_the_end_is_empty_not_an_error(api):
    total = get_json(api, "/api/hsds/services")["total_items"]
    data = get_json(api, "/api/hsds/services", page=total + 1, per_page=1)
    assert data["contents"] == [] and data["size"] == 0 and not data["empty"]


def test_minimal_gives_ids_and_modification_dates(api):
    data = get_json(api, "/api/hsds/services", minimal="true", per_page=3)
    assert all(set(item) == {"id", "last_modified"} for item in data["contents"])


def test_translated_fields_in_the_requested_language_with_dutch_fallback(api, dutch):
    english = Locale.objects.get(language_code="en")
    translated = ServicePage.objects.live().filter(locale=english).first()
    source = translated.get_translation(dutch)
    untranslated = (
        ServicePage.objects.shown()
        .filter(locale=dutch)
        .exclude(
            translation_key__in=ServicePage.objects.filter(locale=english).values("translation_key")
        )
        .first()
    )
    for url in ("/api/hsds/services/{}?lang=en",):
        data = get_json(api, url.format(translated.translation_key))
        assert (data["name"], data["x_language"]) == (translated.title, "en")
        assert data["id"] == str(source.translation_key)
        fallback = get_json(api, url.format(untranslated.translation_key))
        assert (fallback["name"], fallback["x_language"]) == (untranslated.title, "nl")
    dutch_data = get_json(api, f"/api/hsds/services/{translated.translation_key}")
    assert (dutch_data["name"], dutch_data["x_language"]) == (source.title, "nl")


def test_ids_are_the_same_in_every_language(api):
    def ids(lang):
        data = get_json(api, "/api/hsds/services", full="true", per_page=200, lang=lang)
        found = set()
        for item in data["contents"]:
            found.add(item["id"])
            found |= {s["id"] for s in item.get("schedules", [])}
            found |= {s["id"] for s in item.get("service_at_locations", [])}
            found |= {a["taxonomy_term_id"] for a in item.get("attributes", [])}
        return found

    assert ids("nl") == ids("en") == ids("uk")


def test_taxonomy_term_filter(api):
    theme = Theme.objects.get(locale__language_code="nl", slug="geldzaken-en-schulden")
    data = get_json(
        api, "/api/hsds/services", taxonomy_term_id=str(theme.translation_key), per_page=200
    )
    expected = ServicePage.objects.shown().filter(locale__language_code="nl", themes=theme)
    assert {item["id"] for item in data["contents"]} == {
        str(key) for key in expected.values_list("translation_key", flat=True)
    }


def test_organization_filter(api, partner):
    data = get_json(
        api, "/api/hsds/services", organization_id=str(partner.translation_key), per_page=200
    )
    children = ServicePage.objects.child_of(partner).live()
    assert data["total_items"] == children.count() > 0
    assert {item["organization_id"] for item in data["contents"]} == {str(partner.translation_key)}


def test_modified_after_filter(api, service):
    # Days apart, so the date means the same in UTC and in Amsterdam at any hour.
    later = timezone.now() + datetime.timedelta(days=3)
    ServicePage.objects.filter(translation_key=service.translation_key).update(
        last_published_at=later
    )
    after = timezone.localdate() + datetime.timedelta(days=2)
    data = get_json(api, "/api/hsds/services", modified_after=after.isoformat())
    assert [item["id"] for item in data["contents"]] == [str(service.translation_key)]


def test_a_cost_no_longer_among_the_choices_is_published_as_stored(api, service):
    """A value stored under an earlier list of choices breaks no page of the
    API: it is published as stored, as the service's page shows it."""
    ServicePage.objects.filter(translation_key=service.translation_key).update(
        cost="naar_inkomen", cost_note="afhankelijk van uw inkomen"
    )
    data = get_json(api, f"/api/hsds/services/{service.translation_key}")
    assert data["fees_description"] == "naar_inkomen: afhankelijk van uw inkomen"
    listed = get_json(api, "/api/hsds/services", per_page=200)
    assert str(service.translation_key) in {item["id"] for item in listed["contents"]}


def test_search_goes_through_the_query_api(api):
    data = get_json(api, "/api/hsds/services", search="schulden", per_page=200)
    assert data["total_items"] > 0
    assert any("schuld" in item["name"].lower() for item in data["contents"])
    nothing = get_json(api, "/api/hsds/services", search="qqqxyzzy")
    assert nothing["empty"] and nothing["total_items"] == 0


def test_postcode_filter_gives_services_for_its_wijk(api, wijk):
    pc4 = wijk.postcodes.split(",")[0].strip()
    data = get_json(api, "/api/hsds/services", postcode=pc4, per_page=200)
    expected = ServicePage.objects.shown().filter(locale__language_code="nl").in_wijk(wijk)
    assert {item["id"] for item in data["contents"]} == {
        str(key) for key in expected.values_list("translation_key", flat=True)
    }


def test_postcode_with_proximity_gives_services_near_it(api, service):
    location = service.locations.first()
    near = get_json(
        api, "/api/hsds/service_at_locations", postcode=location.postcode, proximity="3000",
        per_page=200,
    )  # fmt: skip
    assert str(service.translation_key) in {item["service_id"] for item in near["contents"]}
    too_far = get_json(api, "/api/hsds/services", postcode=location.postcode, proximity="1")
    assert too_far["empty"]


def test_an_unknown_postcode_is_refused(api):
    data = get_json(api, "/api/hsds/services", status=400, postcode="9999 AA")
    assert data["parameter"] == "postcode"


def test_drafts_unpublished_pages_and_contact_persons_never_appear(api, service):
    draft = service.specific
    draft.title = "GEHEIM CONCEPT"
    draft.save_revision()
    hidden = ServicePage.objects.live().exclude(pk=service.pk).filter(locale=service.locale).last()
    for version in ServicePage.objects.filter(translation_key=hidden.translation_key):
        version.unpublish()
    everything = json.dumps(
        [
            get_json(api, "/api/hsds/services", full="true", per_page=200, lang=lang)
            for lang in ("nl", "en")
        ]
        + [get_json(api, "/api/hsds/service_at_locations", full="true", per_page=200)]
        + [get_json(api, "/api/hsds/organizations", full="true", per_page=200)],
        ensure_ascii=False,
    )
    assert "GEHEIM CONCEPT" not in everything
    assert str(hidden.translation_key) not in everything
    get_json(api, f"/api/hsds/services/{hidden.translation_key}", status=404)
    assert contact_persons_found_in(everything) == []


def test_private_pages_never_appear(api, partner):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=partner, restriction_type="login")
    data = get_json(api, "/api/hsds/services", per_page=200)
    assert str(partner.translation_key) not in {
        item["organization_id"] for item in data["contents"]
    }
    get_json(api, f"/api/hsds/organizations/{partner.translation_key}", status=404)


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/api/hsds/services", {"per_page": "-1"}, 400),
        ("/api/hsds/services", {"per_page": "0"}, 400),
        ("/api/hsds/services", {"per_page": "100000000"}, 400),
        ("/api/hsds/services", {"page": "abc"}, 400),
        ("/api/hsds/services", {"page": "0"}, 400),
        ("/api/hsds/services", {"page": "99999999999999999999999"}, 400),
        ("/api/hsds/services", {"full": "perhaps"}, 400),
        ("/api/hsds/services", {"taxonomy_term_id": "not-a-uuid"}, 400),
        ("/api/hsds/services", {"taxonomy_term_id": "00000000-0000-0000-0000-000000000000"}, 400),
        ("/api/hsds/services", {"organization_id": "1' OR 1=1"}, 400),
        ("/api/hsds/services", {"modified_after": "yesterday"}, 400),
        ("/api/hsds/services", {"modified_after": "2026-13-45"}, 400),
        ("/api/hsds/services", {"postcode": "ABCD"}, 400),
        ("/api/hsds/services", {"proximity": "500"}, 400),
        ("/api/hsds/services", {"postcode": "3563", "proximity": "-5"}, 400),
        ("/api/hsds/services", {"postcode": "3563", "proximity": "far"}, 400),
        ("/api/hsds/services", {"lang": "xx"}, 400),
        ("/api/hsds/taxonomy_terms", {"taxonomy_id": "00000000-0000-0000-0000-000000000000"}, 400),
        ("/api/hsds/services/not-a-uuid", {}, 400),
        ("/api/hsds/services/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/api/hsds/organizations/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/api/hsds/service_at_locations/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/api/hsds/taxonomies/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/api/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000", {}, 404),
    ],
)
def test_bad_parameters_are_json_errors(api, url, params, status):
    data = get_json(api, url, status=status, **params)
    assert data["status"] == status and data["message"]


def test_answers_are_publicly_cacheable_and_errors_are_not(api):
    response = api.get("/api/hsds/services")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["Content-Language"] == "nl"
    assert "no-store" in api.get("/api/hsds/services", {"page": "x"})["Cache-Control"]


def test_the_api_is_rate_limited_with_retry_after(db, settings):
    # Per hour: a burst that crosses django-ratelimit's fixed minute window
    # would be counted in two.
    settings.RATELIMIT_API = "3/h"
    client = Client()
    statuses = [client.get("/api/hsds/taxonomies").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/hsds/services")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["status"] == 429
    assert "no-store" in refused["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/hsds/services?per_page=200",
        "/api/hsds/services?per_page=200&full=true",
        "/api/hsds/services?per_page=200&full=true&lang=en",
        "/api/hsds/service_at_locations?per_page=200&full=true",
        "/api/hsds/organizations?per_page=200&full=true",
        "/api/hsds/taxonomy_terms?per_page=200",
    ],
)
def test_a_list_page_takes_a_bounded_number_of_queries(api, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = api.get(url)
    assert response.status_code == 200


def test_kvk_number_is_an_organization_identifier(api, partner):
    PartnerPage.objects.filter(translation_key=partner.translation_key).update(
        kvk_number="30123456"
    )
    data = get_json(api, f"/api/hsds/organizations/{partner.translation_key}")
    assert data["organization_identifiers"] == [
        {
            "id": mapping.derived_id("kvk", partner.translation_key),
            "organization_id": str(partner.translation_key),
            "identifier_scheme": "NL-KVK",
            "identifier_type": "KvK-nummer",
            "identifier": "30123456",
        }
    ]


def test_service_areas_carry_cbs_codes(api, service):
    data = get_json(api, f"/api/hsds/services/{service.translation_key}")
    codes = {area["x_cbs_code"] for area in data["service_areas"]}
    expected = {w.cbs_code for w in service.wijken.all()} | {
        m.cbs_code for m in service.municipalities.all()
    }
    assert codes == expected and codes
