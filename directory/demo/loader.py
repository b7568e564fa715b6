"""Load the demo directory from ``demo_data.json`` through the models.

Every page is validated with the same ``full_clean`` the editor runs, then saved
as a published revision, so demo content behaves like content an editor made.
Loading twice changes nothing: pages are matched by slug and lists by slug or code.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from wagtail.models import Locale, Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from .. import changes
from ..models import (
    Audience,
    ContentPage,
    HomePage,
    Language,
    Municipality,
    OpeningHours,
    OpeningHoursException,
    PartnerIndexPage,
    PartnerPage,
    ServiceChannel,
    ServiceLocation,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkIndexPage,
    WijkPage,
)
from ..seed import seed_lists

DEMO_DATA = Path(__file__).with_name("demo_data.json")
# Every demo partner's name carries it, so nobody mistakes one for a real partner.
DEMO_MARK = "(voorbeeld)"
SUPPORTED_VERSIONS = {1}


class DemoDataError(Exception):
    """The data file cannot be loaded; the message says where and why."""


@dataclass
class LoadReport:
    created: Counter
    updated: Counter

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated" for kind in kinds
        )


def load_demo(path: Path = DEMO_DATA) -> LoadReport:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoDataError(f"Cannot read {path}: {exc}") from exc
    if data.get("version") not in SUPPORTED_VERSIONS:
        raise DemoDataError(
            f"{path} has version {data.get('version')!r}; this code reads {sorted(SUPPORTED_VERSIONS)}."
        )
    # The demo writes only its own, clearly fictional partners: never a real one,
    # not even one that happens to share a slug.
    real = [row["slug"] for row in data["partners"] if DEMO_MARK not in row.get("name", "")]
    if real:
        raise DemoDataError(
            f"{path} has partners not named {DEMO_MARK!r}: {', '.join(real)}; "
            "the demo loader only writes demo partners."
        )
    # Each page is saved several times on its way (created, revised, published,
    # translated): its copies follow once, at the end, rather than on every save
    # (the search rows and the page cache: 1,100 announcements; Wagtail's
    # reference index: 2,300 updates; its search index: 2,350 entries written
    # for 650 objects), as the HSDS import defers them per batch. Both of
    # Wagtail's indexes are then rebuilt whole, as its own commands build them.
    with (
        changes.collected(),
        disable_reference_index_auto_update(),
        changes.search_index_deferred(),
    ):
        try:
            report = _load(data)
        finally:
            # Also after an error: what was committed before it is announced.
            changes.send_collected()
    call_command("rebuild_references_index", verbosity=0)
    call_command("update_index", verbosity=0)

    # The search thesaurus, so searches expand words as on a real site.
    from search.thesaurus import ThesaurusFileError
    from search.thesaurus_seed import load_thesaurus

    try:
        thesaurus = load_thesaurus()
    except ThesaurusFileError as exc:
        raise DemoDataError(str(exc)) from exc
    if thesaurus.errors:
        raise DemoDataError("Thesaurus concepts refused:\n" + "\n".join(thesaurus.errors))
    report.created["thesaurus concepts"] += len(thesaurus.created)
    report.updated["thesaurus concepts"] += len(thesaurus.updated)
    return report


def _load(data: dict) -> LoadReport:
    with transaction.atomic():
        report = _Loader().load(data)
    # Imported per language through wagtail-localize, like a translator's PO files.
    from .translations import load_translations

    for language, objects in load_translations().items():
        report.created[f"translations ({language})"] += objects
    _restore_checked_dates(data)

    from coalition.demo import load_demo_coalition

    for kind, count in load_demo_coalition(row["slug"] for row in data["partners"]).items():
        report.updated[f"coalition {kind}"] += count
    return report


def _restore_checked_dates(data: dict) -> None:
    """Publishing marks a service as checked today (``coalition.freshness``); the
    demo keeps the dates in its data, so freshness reminders have something to show."""
    dutch = Locale.get_default()
    for partner_row in data["partners"]:
        partner = PartnerPage.objects.get(locale=dutch, slug=partner_row["slug"])
        for row in partner_row.get("services", []):
            service = ServicePage.objects.child_of(partner).get(slug=row["slug"])
            ServicePage.objects.filter(translation_key=service.translation_key).update_listed(
                last_verified=datetime.date.fromisoformat(row["last_verified"])
            )


class _Loader:
    def __init__(self):
        self.report = LoadReport(Counter(), Counter())
        self.locale = Locale.get_default()

    def load(self, data: dict) -> LoadReport:
        seed_lists(Locale, Theme, Audience, Language, self.locale.language_code)
        self.themes = {t.slug: t for t in Theme.objects.filter(locale=self.locale)}
        self.audiences = {a.slug: a for a in Audience.objects.filter(locale=self.locale)}
        self.languages = {language.code: language for language in Language.objects.all()}

        municipality = Municipality.objects.filter(cbs_code=data["municipality"]["code"]).first()
        created = municipality is None
        municipality = municipality or Municipality(cbs_code=data["municipality"]["code"])
        municipality.name = data["municipality"]["name"]
        municipality.phone = data["municipality"].get("phone", "")
        # Through the same validation as the admin form (the phone number above all).
        municipality.full_clean()
        municipality.save()
        self.report.created["Municipality"] += created
        self.municipality = municipality

        home = self._home_page(data.get("home", {}))
        indexes = data.get("indexes", {})
        wijk_index = self._upsert(home, WijkIndexPage, "wijken", indexes.get("wijken", {}))
        partner_index = self._upsert(
            home, PartnerIndexPage, "partners", indexes.get("partners", {})
        )
        self._upsert(home, ThemeIndexPage, "themas", indexes.get("themas", {}))
        for page in data.get("pages", []):
            self._upsert(
                home, ContentPage, page["slug"], {k: v for k, v in page.items() if k != "slug"}
            )

        self.wijken = {}
        for row in data["wijken"]:
            self.wijken[row["code"]] = self._upsert(
                wijk_index,
                WijkPage,
                row["slug"],
                {
                    "title": row["name"],
                    "cbs_code": row["code"],
                    "municipality": municipality,
                    "postcodes": ", ".join(row["postcodes"]),
                    "latitude": row["latitude"],
                    "longitude": row["longitude"],
                    "intro": row.get("intro", ""),
                },
            )
        for row in data["partners"]:
            self._partner(partner_index, row)
        return self.report

    def _home_page(self, fields: dict) -> HomePage:
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific
        if not isinstance(home, HomePage):
            raise DemoDataError(
                "The default site's root page is not a HomePage; run the migrations on a new database."
            )
        if fields:
            self._save(home, fields, kind="home")
        return home

    def _partner(self, parent, row: dict) -> None:
        where = f"partner {row['slug']!r}"
        existing = PartnerPage.objects.child_of(parent).filter(slug=row["slug"]).first()
        if existing is not None and DEMO_MARK not in existing.title:
            raise DemoDataError(f"{where}: a partner that is not a demo partner has this slug.")
        partner = self._upsert(
            parent,
            PartnerPage,
            row["slug"],
            {
                "title": row["name"],
                "partner_type": row["type"],
                "description": _paragraphs(row.get("description", "")),
                "website": row.get("website", ""),
                "phone": row.get("phone", ""),
                "email": row.get("email", ""),
                "wijken": [self._wijk(code, where) for code in row.get("wijken", [])],
            },
        )
        for service in row["services"]:
            self._service(partner, service)

    def _service(self, partner, row: dict) -> None:
        where = f"service {row['slug']!r} of {partner.slug!r}"
        locations = [ServiceLocation(**location) for location in row.get("locations", [])]
        self._upsert(
            partner,
            ServicePage,
            row["slug"],
            {
                "title": row["title"],
                "summary": row["summary"],
                "body": _paragraphs(row.get("body", "")),
                "status": row.get("status", "active"),
                "themes": [self._lookup(self.themes, s, "theme", where) for s in row["themes"]],
                "audiences": [
                    self._lookup(self.audiences, s, "audience", where) for s in row["audiences"]
                ],
                "languages": [
                    self._lookup(self.languages, c, "language", where) for c in row["languages"]
                ],
                "wijken": [self._wijk(code, where) for code in row.get("wijken", [])],
                "municipalities": [self.municipality] if row.get("whole_municipality") else [],
                "cost": row["cost"],
                "cost_note": row.get("cost_note", ""),
                "access": row["access"],
                "access_note": row.get("access_note", ""),
                "phone": row.get("phone", ""),
                "email": row.get("email", ""),
                "whatsapp": row.get("whatsapp", ""),
                "website": row.get("website", ""),
                "accessibility": row.get("accessibility", ""),
                "last_verified": datetime.date.fromisoformat(row["last_verified"]),
                "locations": locations,
                "channels": [self._channel(c, locations, where) for c in row.get("channels", [])],
                "opening_hours": [
                    OpeningHours(
                        weekday=h["day"],
                        opens=datetime.time.fromisoformat(h["opens"]),
                        closes=datetime.time.fromisoformat(h["closes"]),
                        location_key=self._location_key(locations, h, where),
                    )
                    for h in row.get("hours", [])
                ],
                "opening_hours_exceptions": [
                    OpeningHoursException(
                        start_date=datetime.date.fromisoformat(e["date"]),
                        end_date=datetime.date.fromisoformat(e.get("end_date") or e["date"]),
                        closed=e.get("closed", True),
                        opens=_time(e.get("opens")),
                        closes=_time(e.get("closes")),
                        note=e.get("note", ""),
                        location_key=self._location_key(locations, e, where),
                    )
                    for e in row.get("exceptions", [])
                ],
            },
        )

    def _channel(self, row: dict, locations: list, where: str) -> ServiceChannel:
        """A way to reach the service; a desk names its location by its place
        in the service's list of locations."""
        at = row.get("location")
        return ServiceChannel(
            kind=row["kind"],
            value=row.get("value", ""),
            location_key=None if at is None else locations[at].hsds_id,
            languages=[
                self._lookup(self.languages, c, "language", where) for c in row["languages"]
            ],
            hours_note=row.get("hours_note", ""),
        )

    @staticmethod
    def _location_key(locations: list, row: dict, where: str):
        """Hours with ``"location": n`` hold for the n-th location (from 0) only."""
        if row.get("location") is None:
            return None
        try:
            return locations[row["location"]].hsds_id
        except (IndexError, TypeError):
            raise DemoDataError(f"{where}: no location {row['location']!r}") from None

    def _wijk(self, code: str, where: str) -> WijkPage:
        return self._lookup(self.wijken, code, "wijk", where)

    @staticmethod
    def _lookup(table: dict, key: str, kind: str, where: str):
        try:
            return table[key]
        except KeyError:
            raise DemoDataError(f"{where}: unknown {kind} {key!r}") from None

    def _upsert(self, parent: Page, model, slug: str, fields: dict):
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        kind = model.__name__
        if existing is None:
            page = model(slug=slug, title=fields.get("title") or slug, locale=parent.locale)
            self._assign(page, fields)
            parent.add_child(instance=page)
            self.report.created[kind] += 1
        else:
            page = existing
            self.report.updated[kind] += 1
        return self._save(page, fields, kind=f"{model.__name__} {slug!r}")

    @staticmethod
    def _assign(page, fields: dict) -> None:
        for name, value in fields.items():
            setattr(page, name, value)

    def _save(self, page, fields: dict, kind: str):
        self._assign(page, fields)
        try:
            page.full_clean()
            if isinstance(page, ServicePage):
                area_error = page.service_area_error(
                    list(page.wijken.all()), list(page.municipalities.all())
                )
                if area_error:
                    raise ValidationError({"wijken": area_error})
            for relation in ("locations", "opening_hours", "opening_hours_exceptions", "channels"):
                for child in getattr(page, relation).all() if hasattr(page, relation) else ():
                    child.full_clean(exclude=["page"])
        except ValidationError as exc:
            raise DemoDataError(f"{kind}: {exc.message_dict}") from exc
        page.save_revision().publish()
        return page


def _paragraphs(text: str) -> str:
    """Plain paragraphs separated by blank lines as rich text."""
    from django.utils.html import escape

    return "".join(f"<p>{escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def _time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None
