"""The labels listings show for a service's cost and a partner's type are
found directly (directory/choices.py ``label``), and say what Django's own
``get_FOO_display`` says, in every interface language."""

from django.conf import settings
from django.db.models import Model
from django.utils import translation

import pytest

from directory.choices import Cost, PartnerType
from directory.models import PartnerPage, ServicePage

pytestmark = pytest.mark.django_db

CASES = [
    (ServicePage, "cost", [*Cost.values, "no-such-cost", ""]),
    (PartnerPage, "partner_type", [*PartnerType.values, "no-such-type", ""]),
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize(("model", "name", "values"), CASES, ids=["cost", "partner type"])
def test_a_label_is_what_django_would_show(model, name, values, language):
    field = model._meta.get_field(name)
    with translation.override(language):
        for value in values:
            page = model(**{name: value})
            ours = getattr(page, f"get_{name}_display")()
            assert ours == Model._get_FIELD_display(page, field)
            assert type(ours) is str
