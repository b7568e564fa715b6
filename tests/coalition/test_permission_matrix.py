"""Who may do what, through the admin's HTTP views: every role, every action, on
partner A's pages ("own") and on partner B's ("other").

Roles: anonymous, an inactive editor of A, a professional, an editor of A, a
publisher of A (A lets its publishers publish directly), an editor of B, a
coalition moderator and an administrator. Each action reports whether it took
effect, judged by the database or the response content; a refused action must be
refused the admin's way (403, 404 or a redirect to the dashboard or a login page)
and change nothing.
"""

import io
import itertools
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Locale, Page, PageLogEntry, PageViewRestriction, Revision
from wagtail_localize.models import TranslationSource

import openpyxl
import pytest
from PIL import Image as PILImage

from coalition.models import ContactPerson, PartnerAccess, Suggestion, SuggestionStatus
from coalition.roles import MODERATORS
from directory.models import Audience, PartnerPage, ServicePage, Theme, WijkPage
from tests.directory.test_page_tree import service_form_data
from translation_status.models import TranslationReview

from .helpers import denied, make_user, moderator, professional, staff_of

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "inactive",
    "professional",
    "editor",
    "publisher",
    "other_editor",
    "moderator",
    "administrator",
]
OWN, OTHER = "own", "other"


def png(name="foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def partners_with_translated_services() -> list[PartnerPage]:
    dutch = Locale.objects.get(language_code="nl")
    translated = ServicePage.objects.exclude(locale=dutch).values("translation_key")
    paths = {
        s.path[: -ServicePage.steplen]
        for s in ServicePage.objects.filter(locale=dutch, translation_key__in=translated, live=True)
    }
    return list(PartnerPage.objects.filter(path__in=paths, locale=dutch).order_by("path"))


@dataclass
class Side:
    """One partner's things that the actions work on."""

    access: PartnerAccess
    word: str

    @property
    def partner(self) -> PartnerPage:
        return self.access.partner

    @cached_property
    def draft(self) -> ServicePage:
        """A service never published, with two revisions; its title holds ``word``."""
        wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
        page = ServicePage(
            title=f"Concept {self.word}",
            slug=f"concept-{self.word}",
            summary="Nog niet gepubliceerd.",
            cost="free",
            access="walk_in",
            phone="+31307999999",
            live=False,
        )
        self.partner.add_child(instance=page)
        page.wijken.set([wijk])
        page.save_revision()
        page.summary = "Nog steeds niet gepubliceerd."
        page.save_revision()
        return page

    @cached_property
    def live_service(self) -> ServicePage:
        return (
            ServicePage.objects.child_of(self.partner)
            .live()
            .filter(translation_key__in=self.translated_keys())
            .order_by("path")
            .first()
        )

    def translated_keys(self):
        return ServicePage.objects.exclude(locale__language_code="nl").values("translation_key")

    @cached_property
    def image(self) -> Image:
        return Image.objects.create(
            title=f"Beeld {self.word}", file=png(), collection=self.access.collection
        )

    @cached_property
    def document(self) -> Document:
        return Document.objects.create(
            title=f"Folder {self.word}",
            file=SimpleUploadedFile("folder.txt", b"Folder"),
            collection=self.access.collection,
        )

    @cached_property
    def contact(self) -> ContactPerson:
        return ContactPerson.objects.filter(partner=self.partner).order_by("pk").first()

    @cached_property
    def suggestion(self) -> Suggestion:
        """A resident's open suggestion about one of the partner's services."""
        return Suggestion.objects.create(
            service=self.live_service,
            text=f"Suggestie {self.word}",
            email=f"bewoner-{self.word}@voorbeeld.nl",
            language="nl",
        )

    @cached_property
    def in_review(self) -> ServicePage:
        """The draft, submitted by one of the partner's editors: at partner review."""
        page = self.draft
        submitter = staff_of(get_user_model(), self.access, f"indiener-{self.word}")
        page.get_workflow().start(page, submitter)
        return page


class World:
    def __init__(self, django_user_model):
        a, b = partners_with_translated_services()[:2]
        self.sides = {
            OWN: Side(PartnerAccess.objects.get(partner=a), "zonnebloemxq"),
            OTHER: Side(PartnerAccess.objects.get(partner=b), "klaproosxq"),
        }
        own = self.sides[OWN].access
        own.may_publish_directly = True
        own.save()
        from coalition.onboarding import apply_access

        apply_access(own)
        self.neutral = (
            PartnerPage.objects.filter(locale__language_code="nl")
            .exclude(pk__in=[a.pk, b.pk])
            .order_by("path")
            .first()
        )
        users = {
            "anonymous": None,
            "inactive": staff_of(django_user_model, own, "slaper"),
            "professional": professional(django_user_model),
            "editor": staff_of(django_user_model, own, "redacteur-a"),
            "publisher": staff_of(django_user_model, own, "publicist-a", publisher=True),
            "other_editor": staff_of(django_user_model, self.sides[OTHER].access, "redacteur-b"),
            "moderator": moderator(django_user_model),
            "administrator": make_user(django_user_model, "beheerder", superuser=True),
        }
        users["inactive"].is_active = False
        users["inactive"].save()
        self.users = users
        self.homes = {
            "inactive": a,
            "editor": a,
            "publisher": a,
            "other_editor": b,
            "moderator": a,
            "administrator": a,
        }

    def client(self, role) -> Client:
        """Logged in as the role; the inactive user's session was made while she
        was still active, and must not work now."""
        client = Client()
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client


def refused(response, *changed) -> bool:
    assert denied(response), (response.status_code, response.get("Location"))
    assert not any(changed), "a refused action changed something"
    return False


def found(response, text) -> bool:
    """For lookups (search, choosers, API): a refusal, or a result without ``text``."""
    if response.status_code == 200:
        return text in response.content.decode()
    return refused(response)


# Each action returns True when it took effect, False when it was refused (after
# checking that the refusal changed nothing).


def view_draft(c, side, world, role):
    r = c.get(reverse("wagtailadmin_pages:view_draft", args=(side.draft.pk,)))
    return r.status_code == 200 and side.word in r.content.decode() or refused(r)


def edit_form(c, side, world, role):
    r = c.get(reverse("wagtailadmin_pages:edit", args=(side.draft.pk,)))
    return r.status_code == 200 and b"page-edit-form" in r.content or refused(r)


def draft_form_data(side, **overrides):
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    return service_form_data(
        wijk, title=f"Concept {side.word}", slug=f"concept-{side.word}", **overrides
    )


def save_draft(c, side, world, role):
    before = side.draft.latest_revision_id
    r = c.post(
        reverse("wagtailadmin_pages:edit", args=(side.draft.pk,)),
        draft_form_data(side, summary="Gewijzigd door de matrix."),
    )
    latest = Page.objects.get(pk=side.draft.pk).latest_revision
    if r.status_code == 302 and latest.pk != before:
        return latest.content["summary"] == "Gewijzigd door de matrix."
    return refused(r, latest.pk != before)


def preview(c, side, world, role):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(side.draft.pk,))
    posted = c.post(url, draft_form_data(side, summary="Voorbeeldtekst matrix."))
    if posted.status_code != 200:
        return refused(posted)
    shown = c.get(url)
    return shown.status_code == 200 and "Voorbeeldtekst matrix." in shown.content.decode()


def compare_revisions(c, side, world, role):
    first, second = Revision.page_revisions.filter(object_id=str(side.draft.pk)).order_by("pk")[:2]
    r = c.get(
        reverse("wagtailadmin_pages:revisions_compare", args=(side.draft.pk, first.pk, second.pk))
    )
    return r.status_code == 200 and "steeds" in r.content.decode() or refused(r)


def history(c, side, world, role):
    r = c.get(reverse("wagtailadmin_pages:history", args=(side.draft.pk,)))
    return r.status_code == 200 and side.word in r.content.decode() or refused(r)


def publish(c, side, world, role):
    r = c.post(
        reverse("wagtailadmin_pages:edit", args=(side.draft.pk,)),
        {**draft_form_data(side), "action-publish": "Publish"},
    )
    page = Page.objects.get(pk=side.draft.pk)
    if page.live:
        return True
    # Without publish permission the admin keeps what was typed as a draft and
    # says so; nothing is published.
    assert r.status_code in (302, 403), r.status_code
    assert page.live_revision_id is None
    return False


def unpublish(c, side, world, role):
    page = side.live_service
    r = c.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)), {})
    live = Page.objects.get(pk=page.pk).live
    return (not live) if not live else refused(r)


def delete(c, side, world, role):
    pk = side.draft.pk
    r = c.post(reverse("wagtailadmin_pages:delete", args=(pk,)), {})
    gone = not Page.objects.filter(pk=pk).exists()
    return gone or refused(r)


def bulk_delete(c, side, world, role):
    pk = side.draft.pk
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "delete"))
    r = c.post(f"{url}?id={pk}", {})
    gone = not Page.objects.filter(pk=pk).exists()
    if gone:
        return True
    # The bulk view drops the pages the user may not delete and says so.
    assert r.status_code in (200, 302, 403), r.status_code
    return False


def move(c, side, world, role):
    pk = side.draft.pk
    r = c.post(reverse("wagtailadmin_pages:move_confirm", args=(pk, world.neutral.pk)), {})
    moved = Page.objects.get(pk=pk).get_parent().pk == world.neutral.pk
    return moved or refused(r)


def move_confirm_page(c, side, world, role):
    """The confirmation before a move names the page: only for who may move it."""
    r = c.get(reverse("wagtailadmin_pages:move_confirm", args=(side.draft.pk, world.neutral.pk)))
    return found(r, side.draft.title)


def cancel_workflow_confirmation(c, side, world, role):
    """Publishing a page in review first asks to cancel the step it is at."""
    page = side.in_review
    r = c.get(reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=(page.pk,)))
    return found(r, "Partnerreview")


def bulk_publish_listing(c, side, world, role):
    """The bulk action lists the chosen pages, also those the user may not publish."""
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    r = c.get(f"{url}?id={side.draft.pk}")
    return found(r, side.draft.title)


def page_chooser_restricted(c, side, world, role):
    """A live page only moderators may view is not in the chooser for others."""
    page = side.live_service
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MODERATORS)])
    page.title = page.draft_title = f"Afgeschermd {side.word}"
    page.save(update_fields=["title", "draft_title"])
    r = c.get(reverse("wagtailadmin_choose_page_search"), {"q": side.word})
    return found(r, page.title)


def draft_title_of_live_page(side) -> str:
    """The live service with a saved draft under a new title holding ``word``."""
    page = side.live_service
    page.title = f"Ontwerp {side.word}"
    page.save_revision()
    return page.draft_title


def page_chooser_search_draft_title(c, side, world, role):
    """Search finds a live page by its live title and shows that title to those
    who may not edit it, never the draft's."""
    live_title = side.live_service.title
    draft_title = draft_title_of_live_page(side)
    r = c.get(reverse("wagtailadmin_choose_page_search"), {"q": live_title})
    return found(r, draft_title)


def page_chooser_browse_draft_title(c, side, world, role):
    draft_title = draft_title_of_live_page(side)
    r = c.get(reverse("wagtailadmin_choose_page_child", args=(side.partner.pk,)))
    return found(r, draft_title)


def page_chooser_chosen_titles(c, side, world, role):
    """Choosing pages by id returns their titles: the never-published draft and
    the draft title of a live page only for who may edit them."""
    draft_title = draft_title_of_live_page(side)
    url = reverse("wagtailadmin_choose_page_chosen_multiple")
    r = c.get(url, {"id": [side.draft.pk, side.live_service.pk]})
    assert found(r, side.draft.title) == found(r, draft_title)
    return found(r, draft_title)


def copy(c, side, world, role):
    home = world.homes.get(role, world.neutral)
    slug = f"kopie-{side.word}"
    r = c.post(
        reverse("wagtailadmin_pages:copy", args=(side.draft.pk,)),
        {"new_title": f"Kopie {side.word}", "new_slug": slug, "new_parent_page": home.pk},
    )
    copied = ServicePage.objects.filter(slug=slug).exists()
    return copied or refused(r)


def submit_translation(c, side, world, role):
    turkish = Locale.objects.get(language_code="tr")
    r = c.post(
        reverse("wagtail_localize:submit_page_translation", args=(side.draft.pk,)),
        {"locales": [turkish.pk]},
    )
    made = ServicePage.objects.filter(
        translation_key=side.draft.translation_key, locale=turkish
    ).exists()
    return made or refused(r)


def _source(side) -> TranslationSource:
    return TranslationSource.objects.get_for_instance(side.live_service)


def sync_translation(c, side, world, role):
    source = _source(side)
    before = source.last_updated_at
    r = c.post(reverse("wagtail_localize:update_translations", args=(source.pk,)), {})
    source.refresh_from_db()
    return source.last_updated_at != before or refused(r)


def sync_and_publish(c, side, world, role):
    source = _source(side)
    targets = ServicePage.objects.filter(translation_key=side.live_service.translation_key).exclude(
        pk=side.live_service.pk
    )
    before = {p.pk: p.live_revision_id for p in targets}
    # wagtail-localize publishes synced translations once the transaction commits.
    with world.capture_on_commit(execute=True):
        r = c.post(
            reverse("wagtail_localize:update_translations", args=(source.pk,)),
            {"publish_translations": "on"},
        )
    after = {p.pk: p.live_revision_id for p in targets.all()}
    if after != before:
        return True
    # Editors may sync their own pages; only the publishing must not happen.
    assert r.status_code in (302, 403, 404) or denied(r), r.status_code
    return False


def _snippet_translation_actions(model):
    """Submit and sync translations of one of the coalition's shared lists, which
    no partner owns: ``target`` makes no difference to them."""
    name = model._meta.model_name

    def term():
        dutch = Locale.objects.get(language_code="nl")
        return model.objects.filter(locale=dutch).order_by("pk").first()

    def submit(c, side, world, role):
        source = term()
        # A partner's editor once made both, and they appeared on the public site.
        locales = list(Locale.objects.filter(language_code__in=["ar", "en"]))
        model.objects.filter(translation_key=source.translation_key, locale__in=locales).delete()
        r = c.post(
            reverse(
                "wagtail_localize:submit_snippet_translation",
                args=(model._meta.app_label, name, source.pk),
            ),
            {"locales": [locale.pk for locale in locales]},
        )
        made = model.objects.filter(
            translation_key=source.translation_key, locale__in=locales
        ).exists()
        return made or refused(r)

    def sync(c, side, world, role):
        source, _created = TranslationSource.get_or_create_from_instance(term())
        before = source.last_updated_at
        r = c.post(reverse("wagtail_localize:update_translations", args=(source.pk,)), {})
        source.refresh_from_db()
        return source.last_updated_at != before or refused(r)

    submit.__name__ = f"submit_snippet_translation_{name}"
    sync.__name__ = f"sync_snippet_translation_{name}"
    return [submit, sync]


def approve(c, side, world, role):
    page = side.in_review
    state = Page.objects.get(pk=page.pk).specific.current_workflow_state
    task_state = state.current_task_state
    r = c.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
        {},
    )
    task_state.refresh_from_db()
    return task_state.status == "approved" or refused(r)


def upload_image(c, side, world, role):
    before = Image.objects.filter(collection=side.access.collection).count()
    r = c.post(
        reverse("wagtailimages:add"),
        {"title": "Geupload", "file": png(), "collection": side.access.collection.pk, "tags": ""},
    )
    after = Image.objects.filter(collection=side.access.collection).count()
    # A user's upload can only land in a collection she may add to.
    assert r.status_code < 500
    return after > before


def choose_image(c, side, world, role):
    title = side.image.title
    r = c.get(reverse("wagtailimages_chooser:choose"))
    return found(r, title)


def upload_document(c, side, world, role):
    before = Document.objects.filter(collection=side.access.collection).count()
    r = c.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Geupload",
            "file": SimpleUploadedFile("folder.pdf", b"%PDF-1.4\n%%EOF\n"),
            "collection": side.access.collection.pk,
            "tags": "",
        },
    )
    after = Document.objects.filter(collection=side.access.collection).count()
    assert r.status_code < 500
    return after > before


def choose_document(c, side, world, role):
    title = side.document.title
    r = c.get(reverse("wagtaildocs_chooser:choose"))
    return found(r, title)


def see_contact_persons(c, side, world, role):
    name = side.contact.name
    r = c.get(side.partner.url)
    assert r.status_code == 200
    return name in r.content.decode()


def edit_contact_person(c, side, world, role):
    person = side.contact
    url = reverse("wagtailsnippets_coalition_contactperson:edit", args=(person.pk,))
    r = c.post(
        url,
        {
            "partner": person.partner_id,
            "name": person.name,
            "role": "Gewijzigd door de matrix",
            "phone": "030 799 1234",
            "email": "",
            "availability": "",
            "note": "",
        },
    )
    person.refresh_from_db()
    return person.role == "Gewijzigd door de matrix" or refused(r)


def suggestions_on_dashboard(c, side, world, role):
    return found(c.get(reverse("wagtailadmin_home")), side.suggestion.text)


def open_suggestion(c, side, world, role):
    suggestion = side.suggestion
    r = c.get(reverse("wagtailsnippets_coalition_suggestion:edit", args=(suggestion.pk,)))
    return r.status_code == 200 and suggestion.email in r.content.decode() or refused(r)


def close_suggestion(c, side, world, role):
    suggestion = side.suggestion
    r = c.post(
        reverse("wagtailsnippets_coalition_suggestion:edit", args=(suggestion.pk,)),
        {"status": "closed", "closing_note": "Afgehandeld door de matrix."},
    )
    suggestion.refresh_from_db()
    closed = suggestion.status == SuggestionStatus.CLOSED
    return closed and suggestion.closed_by == world.users[role] or refused(r, closed)


def translation_report(c, side, world, role):
    r = c.get(reverse("translation_status:report"), {"partner": side.partner.pk, "language": "ar"})
    return found(r, f'data-service="{side.live_service.pk}"')


def mark_translation_reviewed(c, side, world, role):
    service = side.live_service
    target = service.get_translations().live().order_by("locale__language_code").first()
    r = c.post(reverse("translation_status:mark_reviewed", args=(target.pk,)))
    reviewed = TranslationReview.objects.filter(
        translation_key=service.translation_key, locale=target.locale
    ).exists()
    return reviewed and r.status_code == 302 or refused(r, reviewed)


def coalition_overview(c, side, world, role):
    r = c.get(reverse("coordination:overview"))
    return found(r, f'data-partner="{side.partner.pk}"')


def coalition_scorecard_csv(c, side, world, role):
    r = c.get(reverse("coordination:scorecard_csv"))
    return found(r, f",{side.partner.pk},")


def spreadsheet_template(c, side, world, role):
    r = c.get(reverse("spreadsheet:template", args=(side.partner.pk,)))
    if r.status_code != 200:
        return refused(r)
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    ids = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    return str(side.live_service.translation_key) in ids


def spreadsheet_submit(c, side, world, role):
    """Upload a sheet changing the live service's summary, then submit it."""
    book = openpyxl.Workbook()
    book.active.append(["id", "summary"])
    book.active.append([str(side.live_service.translation_key), f"Blad {side.word}."])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "diensten.xlsx"
    url = reverse("spreadsheet:upload", args=(side.partner.pk,))
    r = c.post(url, {"file": upload})
    if r.status_code != 302:
        return refused(r)
    c.post(reverse("spreadsheet:preview", args=(side.partner.pk,)))
    draft = ServicePage.objects.get(pk=side.live_service.pk).get_latest_revision_as_object()
    return draft.summary == f"Blad {side.word}."


def manage_users(c, side, world, role):
    r = c.post(
        reverse("wagtailusers_users:add"),
        {
            "username": f"nieuw-{side.word}",
            "email": "nieuw@wijkwijzer.localhost",
            "first_name": "Nieuw",
            "last_name": "Account",
            "password1": "een-heel-lang-wachtwoord-9",
            "password2": "een-heel-lang-wachtwoord-9",
            "is_active": "on",
        },
    )
    made = get_user_model().objects.filter(username=f"nieuw-{side.word}").exists()
    return made or refused(r)


def admin_search(c, side, world, role):
    side.draft  # noqa: B018 - make sure the draft exists
    # The query is echoed on the page; only the title means the draft was found.
    r = c.get(reverse("wagtailadmin_pages:search"), {"q": side.word})
    return found(r, side.draft.title)


def page_chooser(c, side, world, role):
    side.draft  # noqa: B018
    r = c.get(reverse("wagtailadmin_choose_page_search"), {"q": side.word})
    return found(r, side.draft.title)


def admin_api(c, side, world, role):
    r = c.get(reverse("wagtailadmin_api:pages:detail", args=(side.draft.pk,)), follow=True)
    return found(r, side.word)


ACTIONS = {
    f.__name__: f
    for f in [
        view_draft,
        edit_form,
        save_draft,
        preview,
        compare_revisions,
        history,
        publish,
        unpublish,
        bulk_delete,
        delete,
        move,
        move_confirm_page,
        cancel_workflow_confirmation,
        bulk_publish_listing,
        copy,
        submit_translation,
        sync_translation,
        sync_and_publish,
        *_snippet_translation_actions(Theme),
        *_snippet_translation_actions(Audience),
        approve,
        upload_image,
        choose_image,
        upload_document,
        choose_document,
        see_contact_persons,
        edit_contact_person,
        suggestions_on_dashboard,
        open_suggestion,
        close_suggestion,
        translation_report,
        mark_translation_reviewed,
        coalition_overview,
        coalition_scorecard_csv,
        spreadsheet_template,
        spreadsheet_submit,
        manage_users,
        admin_search,
        page_chooser,
        page_chooser_restricted,
        page_chooser_search_draft_title,
        page_chooser_browse_draft_title,
        page_chooser_chosen_titles,
        admin_api,
    ]
}

STAFF_OF = {OWN: {"editor", "publisher"}, OTHER: {"other_editor"}}
COALITION = {"moderator", "administrator"}


def insiders(target):
    return STAFF_OF[target] | COALITION


def publishers(target):
    return ({"publisher"} if target == OWN else set()) | COALITION


EXPECTED = {
    "view_draft": insiders,
    "edit_form": insiders,
    "save_draft": insiders,
    "preview": insiders,
    "compare_revisions": insiders,
    "history": insiders,
    "publish": publishers,
    "unpublish": publishers,
    "bulk_delete": insiders,
    "delete": insiders,
    "move": lambda target: COALITION,
    "move_confirm_page": lambda target: COALITION,
    "cancel_workflow_confirmation": insiders,
    "bulk_publish_listing": insiders,
    "copy": insiders,
    "submit_translation": insiders,
    "sync_translation": insiders,
    "sync_and_publish": publishers,
    # The shared lists are the administrators' (who may also give that right to
    # a group): no partner's staff translates them, not even into a new language.
    **{
        f"{verb}_snippet_translation_{model}": lambda target: {"administrator"}
        for verb in ("submit", "sync")
        for model in ("theme", "audience")
    },
    "approve": publishers,
    # Moderators choose pictures and files; only partners and administrators upload them.
    "upload_image": lambda target: STAFF_OF[target] | {"administrator"},
    "choose_image": insiders,
    "upload_document": lambda target: STAFF_OF[target] | {"administrator"},
    "choose_document": insiders,
    "see_contact_persons": lambda target: (
        {
            "professional",
            "editor",
            "publisher",
            "other_editor",
        }
        | COALITION
    ),
    "edit_contact_person": insiders,
    # Residents' suggestions: the partner's own staff and the coalition, no one else.
    "suggestions_on_dashboard": insiders,
    "open_suggestion": insiders,
    "close_suggestion": insiders,
    # The translation status report: the partner's staff and the coalition; only
    # the partner's publishers and the coalition vouch for a translation.
    "translation_report": insiders,
    "mark_translation_reviewed": publishers,
    # The coordinators' overview covers every partner: the coalition's alone.
    "coalition_overview": lambda target: COALITION,
    "coalition_scorecard_csv": lambda target: COALITION,
    # The spreadsheet import: whoever may edit the partner's services.
    "spreadsheet_template": insiders,
    "spreadsheet_submit": insiders,
    "manage_users": lambda target: {"administrator"},
    "admin_search": insiders,
    "page_chooser": insiders,
    "page_chooser_restricted": insiders,
    "page_chooser_search_draft_title": insiders,
    "page_chooser_browse_draft_title": insiders,
    "page_chooser_chosen_titles": insiders,
    "admin_api": insiders,
}

CELLS = list(itertools.product(ROLES, ACTIONS, (OWN, OTHER)))


@pytest.mark.parametrize(("role", "action", "target"), CELLS)
def test_permission_matrix(
    role, action, target, django_user_model, django_capture_on_commit_callbacks
):
    world = World(django_user_model)
    side = world.sides[target]
    # Build what the action needs before logging in, as another user would have.
    for needed in ("draft", "image", "document", "contact", "live_service", "suggestion"):
        getattr(side, needed)
    client = world.client(role)
    world.capture_on_commit = django_capture_on_commit_callbacks
    took_effect = ACTIONS[action](client, side, world, role)
    expected = role in EXPECTED[action](target)
    assert took_effect == expected, (
        f"{role} {'could' if took_effect else 'could not'} {action} on {target} partner's page"
    )
    # Nothing a refused user did is in the log under her name (a refused publish
    # keeps the editor's text as a draft, as the admin says).
    if not expected and action not in ("see_contact_persons", "publish"):
        user = world.users[role]
        if user is not None:
            assert (
                not PageLogEntry.objects.filter(user=user)
                .exclude(action__in=["wagtail.workflow.start"])
                .exists()
            )


def test_the_matrix_covers_every_role_action_and_ownership():
    assert len(CELLS) == len(ROLES) * len(ACTIONS) * 2 == 736
