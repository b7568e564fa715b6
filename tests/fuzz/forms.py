"""Posting a valid admin form with some of its fields replaced, dropped or
repeated, and judging the answer: a saved object, or a form that names the
field it refuses."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from hypothesis import strategies as st

MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
# Names a form must never take from a request; posted to check that it does not.
NOT_EDITABLE = ["live", "owner", "locked", "path", "depth", "pk", "id", "locale", "partner_type"]


@contextmanager
def rolled_back():
    """One example's requests in a savepoint that is rolled back afterwards, so
    every example starts from the same database (and an empty cache)."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


@dataclass
class Posted:
    """The form data sent, and which fields the fuzzer changed."""

    data: dict
    changed: set[str] = field(default_factory=set)

    def single(self, name: str) -> str | None:
        """The value the form reads for ``name`` (the last one when repeated)."""
        value = self.data.get(name)
        if isinstance(value, list):
            return value[-1] if value else None
        return value

    def untouched(self, name: str) -> bool:
        return name not in self.changed


@st.composite
def mutated(draw, baseline: dict, values: dict, min_changes: int = 1) -> Posted:
    """``baseline`` with some fields set to drawn values, dropped or repeated.

    ``values`` maps a field name to the strategy for its replacement values; the
    names of ``NOT_EDITABLE`` and an unknown one may be added as well.
    """
    data = dict(baseline)
    changed: set[str] = set()
    names = sorted(values)
    for _change in range(draw(st.integers(min_changes, 4))):
        name = draw(st.sampled_from(names), label="field")
        kind = draw(st.sampled_from(["set", "set", "set", "drop", "repeat"]), label="how")
        if kind == "drop":
            data.pop(name, None)
        elif kind == "repeat":
            repeated = draw(st.lists(values[name], min_size=2, max_size=3))
            # A multiple choice is already a list: repeat its values instead.
            if all(isinstance(value, list) for value in repeated):
                repeated = [value for values_ in repeated for value in values_] * 2
            data[name] = repeated
        else:
            data[name] = draw(values[name])
        changed.add(name)
    if draw(st.booleans()):
        extra = draw(st.sampled_from([*NOT_EDITABLE, "onbekend_veld"]), label="extra field")
        data[extra] = draw(st.sampled_from(["1", "true", "on", "0", "/", "-1", "99999999"]))
    return Posted(data, changed)


def error_names(form) -> set[str]:
    """Every field that carries an error, inline forms' fields as the admin
    names them (``locations-0-postcode``), a formset's own errors by its prefix."""
    names = {name for name, errors in form.errors.items() if errors}
    for prefix, formset in getattr(form, "formsets", {}).items():
        if formset.non_form_errors():
            names.add(prefix)
        for child in formset.forms:
            names |= {f"{child.prefix}-{name}" for name, errors in child.errors.items() if errors}
    return names


def _formset(name: str) -> str | None:
    parts = name.split("-")
    return parts[0] if len(parts) >= 2 else None


def explains(error: str, changed: str, related: dict[str, set[str]]) -> bool:
    """Whether an error on the field ``error`` is an answer to changing ``changed``."""
    if error == changed or error in related.get(changed, ()):
        return True
    group = _formset(changed)
    if group is None:
        return False
    # A broken management form, or a row the fuzzer changed, may be refused as
    # a whole formset or on any field of that row.
    if changed.endswith(MANAGEMENT):
        return error == group or error.startswith(f"{group}-")
    row = changed.rsplit("-", 1)[0]
    column = changed.rsplit("-", 1)[1]
    return error == group or (
        error.startswith(f"{row}-") and error.rsplit("-", 1)[1] in related.get(column, ())
    )


def assert_refused_on_a_changed_field(response, posted: Posted, related: dict[str, set[str]]):
    """A refused form is shown again (200, not a redirect) with an error on a
    field the fuzzer changed, or on a field that a documented rule ties to it."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    errors = error_names(form)
    assert errors, "the form was shown again without an error"
    assert any(
        explains(error, changed, related) for error in errors for changed in posted.changed
    ), f"errors on {sorted(errors)}, but the fuzzer changed {sorted(posted.changed)}"
