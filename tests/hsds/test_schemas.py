"""Every answer of the HSDS API validates against Open Referral's published
HSDS 3.0 schemas (tests/hsds/schemas/), for every demo service in every language."""

import json
from pathlib import Path

from django.conf import settings

import pytest
from jsonschema import Draft202012Validator, FormatChecker, validate

from directory.models import ServicePage

from .conftest import SCHEMAS, assert_valid, get_json

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def every_item(api, url, **params):
    """All items of a list endpoint, page by page."""
    items, page = [], 1
    while True:
        data = get_json(api, url, page=page, per_page=200, **params)
        items += data["contents"]
        if data["last_page"]:
            return items
        page += 1


def test_every_language_of_the_site_is_tested():
    assert len(LANGUAGES) == 9


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_shown_service_validates_in_the_list_and_in_full(api, lang):
    listed = every_item(api, "/api/hsds/services", lang=lang)
    full = every_item(api, "/api/hsds/services", lang=lang, full="true")
    shown = ServicePage.objects.shown().values("translation_key").distinct().count()
    assert len(listed) == len(full) == shown
    for item in listed:
        assert_valid("service_list", item)
    for item in full:
        assert_valid("service", item)


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_every_service_detail_validates_and_is_the_full_list_item(api, lang):
    # The full list items come from the same mapping as the details: every
    # language is validated above, details in Dutch and in Arabic here.
    full = {
        item["id"]: item for item in every_item(api, "/api/hsds/services", lang=lang, full="true")
    }
    for key, item in full.items():
        detail = get_json(api, f"/api/hsds/services/{key}", lang=lang)
        assert_valid("service", detail)
        assert detail == item


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organizations_validate(api, lang):
    organizations = every_item(api, "/api/hsds/organizations", lang=lang, full="true")
    assert organizations
    for item in organizations:
        assert_valid("organization_list", item)
        detail = get_json(api, f"/api/hsds/organizations/{item['id']}", lang=lang)
        assert_valid("organization", detail)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_service_at_locations_validate(api, lang):
    listed = every_item(api, "/api/hsds/service_at_locations", lang=lang)
    assert listed
    for item in listed:
        assert_valid("service_at_location_list", item)
    for item in every_item(api, "/api/hsds/service_at_locations", lang=lang, full="true"):
        assert_valid("service_at_location", item)
    detail = get_json(api, f"/api/hsds/service_at_locations/{listed[0]['id']}", lang=lang)
    assert_valid("service_at_location", detail)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_taxonomies_and_terms_validate(api, lang):
    taxonomies = get_json(api, "/api/hsds/taxonomies", lang=lang)["contents"]
    assert len(taxonomies) == 2
    for item in taxonomies:
        assert_valid("taxonomy", item)
        assert_valid("taxonomy", get_json(api, f"/api/hsds/taxonomies/{item['id']}"))
    terms = every_item(api, "/api/hsds/taxonomy_terms", lang=lang)
    assert terms
    for item in terms:
        assert_valid("taxonomy_term", item)
        assert_valid("taxonomy_term", get_json(api, f"/api/hsds/taxonomy_terms/{item['id']}"))


def test_list_pages_have_the_hsds_page_fields(api):
    openapi = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    page = openapi["components"]["schemas"]["Page"]
    data = get_json(api, "/api/hsds/services", per_page=5)
    validate(data, page)
    assert set(page["properties"]) | {"contents"} == set(data)


PROFILE = Path(settings.BASE_DIR, "docs", "hsds-profile", "extensions.json")


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_answers_follow_the_dutch_profile(api, lang):
    schema = json.loads(PROFILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)

    def check(instance, definition):
        validator = Draft202012Validator(
            {**schema, "$ref": f"#/$defs/{definition}"}, format_checker=FormatChecker()
        )
        errors = list(validator.iter_errors(instance))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]

    for item in every_item(api, "/api/hsds/services", lang=lang, full="true"):
        check(item, "service")
    for item in every_item(api, "/api/hsds/organizations", lang=lang, full="true"):
        check(item, "organization")
    for item in every_item(api, "/api/hsds/taxonomy_terms", lang=lang):
        check(item, "taxonomy_term")
