"""What a sheet's rows would change, checked as the editor form checks it,
and submitting them to the partner's workflow.

Each row is put through a model form of the service's own fields
(``DirectoryModelForm``: the same field rules and the same refusal of
invisible direction controls as the editor form, the model's ``clean()``,
the service-area rule of ``ServicePageForm``), on the service as its latest
revision holds it. ``evaluate`` writes nothing; ``submit`` evaluates again
(the directory may have changed since the preview) and saves each valid
changed or new row as a revision submitted to the workflow, one row per
transaction, so a refused row never leaves half a service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import transaction
from django.forms import modelform_factory
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.models import Page, WorkflowState

from directory.choices import Access, Cost
from directory.forms import DirectoryModelForm
from directory.models import Audience, PartnerPage, ServicePage, Theme
from hsds import mapping
from hsds.importer import paragraphs, rich_text, service_state

from . import sheet
from .sheet import BY_KEY, ID, SEPARATOR

FIELDS = [
    "title",
    "summary",
    "themes",
    "audiences",
    "languages",
    "wijken",
    "cost",
    "cost_note",
    "access",
    "access_note",
    "phone",
    "email",
    "website",
]
# service_state's names for the sheet's columns, to say which columns changed.
STATE_KEYS = {"description": "body"}
NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"


class RowFormBase(DirectoryModelForm):
    description = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = self.instance.locale
        for name, model in (("themes", Theme), ("audiences", Audience)):
            self.fields[name].queryset = model.choices_for(locale)
        self.fields["wijken"].queryset = self.fields["wijken"].queryset.filter(locale=locale)

    def clean(self):
        cleaned_data = super().clean()
        # ServicePageForm's rule, with the municipalities the sheet leaves as they are.
        municipalities = list(self.instance.municipalities.all())
        error = self.instance.service_area_error(cleaned_data.get("wijken"), municipalities)
        if error:
            self.add_error("wijken", error)
        return cleaned_data


RowForm = modelform_factory(ServicePage, form=RowFormBase, fields=FIELDS)


@dataclass
class RowResult:
    number: int
    cells: dict[str, str]
    state: str = UNCHANGED
    # Column key ("" for the row as a whole) to messages.
    problems: dict[str, list[str]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    existing: ServicePage | None = None
    page: ServicePage | None = None

    def refuse(self, column: str, message: str) -> None:
        self.problems.setdefault(column, []).append(str(message))

    @property
    def title(self) -> str:
        return self.cells.get("title") or (self.existing.title if self.existing else "")

    def problem_list(self) -> list[tuple[str, list[str]]]:
        return [
            (BY_KEY[key].header() if key else "", messages)
            for key, messages in self.problems.items()
        ]

    def changed_headers(self) -> list[str]:
        return [BY_KEY[key].header() for key in self.changed]


class Lookup:
    """The listed columns' values by label (and by slug or code), per column."""

    def __init__(self):
        self.index: dict[str, dict[str, object]] = {}
        for key, values in sheet.choices().items():
            found = self.index[key] = {}
            for label, value in values:
                found[label.casefold()] = value
                for alias in ("slug", "code", "cbs_code", "name"):
                    if isinstance(getattr(value, alias, None), str):
                        found.setdefault(getattr(value, alias).casefold(), value)
        # Cost and access as labelled in any of the site's languages: a sheet
        # may be filled in by a colleague whose admin speaks another.
        for key, choices in (("cost", Cost), ("access", Access)):
            for value, _label in choices.choices:
                self.index[key].setdefault(value, value)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    for value, label in choices.choices:
                        self.index[key].setdefault(str(label).casefold(), value)

    def one(self, key: str, text: str):
        return self.index[key].get(text.strip().casefold())


def split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", SEPARATOR).split(SEPARATOR) if part.strip()]


class Evaluation:
    def __init__(self, partner: PartnerPage, user):
        self.partner = partner
        self.user = user
        self.lookup = Lookup()
        self.slugs = set(Page.objects.child_of(partner).values_list("slug", flat=True))
        self.seen: dict[str, int] = {}

    def row(self, number: int, cells: dict[str, str]) -> RowResult:
        result = RowResult(number, cells)
        self.find(result)
        if result.problems:
            result.state = REFUSED
            return result
        page = (
            result.existing.get_latest_revision_as_object()
            if result.existing
            else ServicePage(locale=self.partner.locale, live=False)
        )
        before = service_state(page) if result.existing else None
        data = self.form_data(result, page)
        form = RowForm(data, instance=page)
        # The slug is the sheet's business (new rows get one below), not the form's.
        page._check_slug_is_unique = lambda: None
        try:
            valid = form.is_valid()
        finally:
            del page._check_slug_is_unique
        for name, messages in form.errors.items():
            column = name if name in BY_KEY else ""
            if column not in result.problems:  # the list's own message said it already
                for message in messages:
                    result.refuse(column, message)
        if result.problems or not valid:
            result.state = REFUSED
            return result
        cleaned = form.cleaned_data
        for name in ("themes", "audiences", "languages", "wijken"):
            getattr(page, name).set(cleaned[name])
        text = "\n\n".join(paragraphs(cleaned["description"]))
        if text != mapping.plain(page.body):
            # Plain paragraphs: rich text the sheet cannot show is kept while
            # the description is left as it was.
            page.body = rich_text(paragraphs(text))
        if result.existing is None:
            page.slug = self.new_slug(page.title)
        result.page = page
        if before is None:
            result.state = NEW
            result.changed = [key for key in BY_KEY if key != ID and cells.get(key)]
        else:
            after = service_state(page)
            result.changed = [
                key
                for key in BY_KEY
                if key != ID
                and before.get(STATE_KEYS.get(key, key)) != after.get(STATE_KEYS.get(key, key))
            ]
            result.state = CHANGED if before != after else UNCHANGED
        return result

    def find(self, result: RowResult) -> None:
        """The service the row's id names: one of the partner's own, or none."""
        text = result.cells.get(ID, "")
        if not text:
            if not self.partner.permissions_for_user(self.user).can_add_subpage():
                result.refuse(
                    ID,
                    _("You may not add services to %(partner)s.") % {"partner": self.partner.title},
                )
            return
        try:
            key = uuid.UUID(text)
        except ValueError:
            result.refuse(
                ID,
                _("“%(value)s” is not a service id. Leave the cell empty for a new service.")
                % {"value": text[:60]},
            )
            return
        if str(key) in self.seen:
            result.refuse(
                ID,
                _("This id is also on row %(row)s: each service can be on one row only.")
                % {"row": self.seen[str(key)]},
            )
            return
        self.seen[str(key)] = result.number
        existing = ServicePage.objects.filter(
            translation_key=key, locale=self.partner.locale
        ).first()
        if existing is None:
            result.refuse(
                ID,
                _(
                    "No service has this id (it may have been deleted). Leave the cell "
                    "empty to add the row as a new service."
                ),
            )
            return
        if existing.path[: -Page.steplen] != self.partner.path:
            # Whose it is stays unsaid: its drafts are that partner's business.
            result.refuse(
                ID,
                _(
                    "This service belongs to another partner. Here you can change only "
                    "the services of %(partner)s."
                )
                % {"partner": self.partner.title},
            )
            return
        if not existing.permissions_for_user(self.user).can_edit():
            result.refuse(ID, _("You may not edit this service."))
            return
        lock = existing.get_lock()
        if lock is not None and lock.for_user(self.user):
            result.refuse(ID, _("This service is locked; it cannot be changed now."))
            return
        result.existing = existing

    def form_data(self, result: RowResult, page: ServicePage) -> dict:
        """What the form gets: the row's cells, and for columns the sheet does
        not have, what the service holds now."""
        cells = {**sheet.service_values(page), **result.cells} if result.existing else result.cells
        data = {}
        for key, column in BY_KEY.items():
            if key == ID:
                continue
            text = cells.get(key, "")
            if key in ("cost", "access"):
                if not text:
                    data[key] = "" if result.existing else getattr(page, key)
                    continue
                value = self.lookup.one(key, text)
                if value is None:
                    result.refuse(
                        key,
                        _("“%(value)s” is not in the list of %(column)s.")
                        % {"value": text[:60], "column": column.header()},
                    )
                data[key] = value or ""
            elif column.many:
                chosen = []
                for part in split(text):
                    value = self.lookup.one(key, part)
                    if value is None:
                        result.refuse(
                            key,
                            _("“%(value)s” is not in the list of %(column)s.")
                            % {"value": part[:60], "column": column.header()},
                        )
                    else:
                        chosen.append(str(value.pk))
                data[key] = chosen
            else:
                data[key] = text
        return data

    def new_slug(self, title: str) -> str:
        base = slugify(title)[:70].strip("-") or "dienst"
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug


def evaluate(partner: PartnerPage, user, rows: list[dict]) -> list[RowResult]:
    evaluation = Evaluation(partner, user)
    return [evaluation.row(row["row"], row["cells"]) for row in rows]


def submit(partner: PartnerPage, user, rows: list[dict]) -> list[RowResult]:
    """Each valid new or changed row as a revision submitted to the partner's
    workflow, as the editor's "Submit for moderation" does it."""
    results = evaluate(partner, user, rows)
    for result in results:
        if result.state not in (NEW, CHANGED):
            continue
        page = result.page
        with transaction.atomic():
            if result.existing is None:
                page.owner = user
                partner.add_child(instance=page)
            elif not page.live:
                page.save()
            page.save_revision(user=user, log_action=True)
            state = page.current_workflow_state
            workflow = page.get_workflow()
            if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(user)
            elif workflow is not None:
                if state is not None:
                    state.cancel(user=user)
                workflow.start(page, user)
    return results
