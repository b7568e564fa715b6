import functools
import json
from pathlib import Path

from django.test import Client

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).with_name("schemas")


def _registry() -> Registry:
    """The uncompiled taxonomy schemas refer to their neighbours by file name."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema, DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


@functools.cache
def schema_validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


@pytest.fixture
def api(db, settings):
    """A client of the API; the rate limit is tested on its own (test_limits.py)."""
    settings.RATELIMIT_API = "100000/m"
    return Client()


def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_valid(name: str, instance) -> None:
    errors = sorted(schema_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def contact_persons_found_in(text: str) -> list[str]:
    """What of any contact person's personal data ``text`` holds. A number that
    is public anyway (a service's or a partner's own, which some demo contact
    persons share: issue 16, item 8) is no leak."""
    from coalition.models import ContactPerson
    from directory.models import PartnerPage, ServicePage

    public = {
        str(number)
        for numbers in [
            ServicePage.objects.values_list("phone", "whatsapp"),
            PartnerPage.objects.values_list("phone"),
        ]
        for row in numbers
        for number in row
        if number
    }
    people = list(ContactPerson.objects.all())
    assert people, "the demo has contact persons to look for"
    found = []
    for person in people:
        found += [person.name, person.email, person.note]
        if person.phone and str(person.phone) not in public:
            found.append(person.phone.as_e164)
    return [value for value in found if value and value in text]
