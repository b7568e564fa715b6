"""The search thesaurus: seeded from the data files, kept by coalition
moderators in the admin, and read by searches through
``search.thesaurus.current()``, which sees every change at once."""

import io
import json
import shutil
from pathlib import Path

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from wagtail.models import Locale, ModelLogEntry, Revision
from wagtail.users.models import UserProfile

import pytest

from coalition.models import PartnerAccess
from directory.models import Audience, Theme
from search import thesaurus
from search.models import ThesaurusConcept, ThesaurusVersion
from search.thesaurus_seed import load_thesaurus
from tests.coalition.helpers import denied, logged_in, make_user, moderator, professional, staff_of

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).with_name("thesaurus_fixture")
LANGUAGES = thesaurus.LANGUAGES
ADD = reverse("wagtailsnippets_search_thesaurusconcept:add")
LIST = reverse("wagtailsnippets_search_thesaurusconcept:list")


def edit_url(concept) -> str:
    return reverse("wagtailsnippets_search_thesaurusconcept:edit", args=[concept.pk])


def form_data(**changes) -> dict:
    data = {
        "key": "rent-allowance",
        "themes": ["wonen", "geldzaken-en-schulden"],
        "terms_nl": "huurtoeslag\ntoeslag voor de huur",
        "terms_en": "rent allowance\nhousing benefit",
        "terms_ar": "بدل الإيجار",
        "terms_fa": "کمک هزینه اجاره",
        "terms_ti": "ሓገዝ ክራይ",
        "terms_uk": "субсидія на оренду",
        "terms_tr": "kira yardımı",
        "terms_pl": "dodatek mieszkaniowy",
        "terms_so": "kaalmada kirada",
    }
    data.update(changes)
    return data


def concept_in(thesaurus_now, key):
    return next((c for c in thesaurus_now.concepts if c.key == key), None)


@pytest.fixture
def empty_thesaurus(db):
    """The demo loads the project's 222 concepts; these tests start from none,
    so the fixture's three are all there is."""
    ThesaurusConcept.objects.all().delete()


@pytest.fixture
def seeded(empty_thesaurus):
    load_thesaurus(FIXTURE)
    return ThesaurusConcept.objects.get(key="debt")


def speaking(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


@pytest.fixture
def moderator_client(django_user_model):
    return logged_in(speaking(moderator(django_user_model), "en"))


# Seeding from the data files


def test_loading_the_files_fills_the_thesaurus_with_every_language(seeded):
    gp = ThesaurusConcept.objects.get(key="gp")
    assert gp.terms()["en"] == ("GP", "family doctor")
    assert gp.terms()["ti"] == ("ሓኪም",)
    assert gp.themes == ["gezondheid-en-zorg"]
    assert set(ThesaurusConcept.objects.values_list("key", flat=True)) >= {"debt", "food-bank"}


def test_loading_the_files_again_changes_nothing(seeded):
    rows = list(ThesaurusConcept.objects.order_by("key").values())
    revisions = Revision.objects.count()
    version = ThesaurusVersion.current()

    report = load_thesaurus(FIXTURE)

    assert (report.created, report.updated, report.unchanged) == ([], [], 3)
    assert list(ThesaurusConcept.objects.order_by("key").values()) == rows
    assert Revision.objects.count() == revisions
    assert ThesaurusVersion.current() == version


def test_a_changed_file_updates_its_concept_by_key_and_records_it(seeded, tmp_path):
    data = json.loads((FIXTURE / "social.json").read_text())
    data["concepts"][0]["terms"]["nl"].append("betalingsachterstand")
    (tmp_path / "social.json").write_text(json.dumps(data))

    report = load_thesaurus(tmp_path)

    assert report.updated == ["debt"]
    seeded.refresh_from_db()
    assert seeded.terms()["nl"] == ("schulden", "schuld", "betalingsachterstand")
    assert ModelLogEntry.objects.for_instance(seeded).filter(action="wagtail.edit").exists()


def test_spaces_around_file_terms_do_not_make_a_concept_look_edited(db, tmp_path):
    entry = {"key": "debt", "terms": {"nl": [" schulden ", "schuld"]}}
    path = tmp_path / "social.json"
    path.write_text(json.dumps({"version": 1, "concepts": [entry]}))
    load_thesaurus(tmp_path)
    entry["terms"]["nl"].append("achterstand")
    path.write_text(json.dumps({"version": 1, "concepts": [entry]}))

    assert load_thesaurus(tmp_path).updated == ["debt"]
    assert ThesaurusConcept.objects.get(key="debt").terms_nl == "schulden\nschuld\nachterstand"


def test_loading_never_deletes_a_concept_that_is_in_no_file(seeded, tmp_path):
    ThesaurusConcept.objects.create(key="own-concept", terms_nl="eigen woord")
    (tmp_path / "empty.json").write_text(json.dumps({"version": 1, "concepts": []}))

    load_thesaurus(tmp_path)

    assert ThesaurusConcept.objects.filter(key__in=["own-concept", "debt", "gp"]).count() == 3


def test_a_moderators_change_is_kept_when_the_file_changes_unless_forced(seeded, tmp_path):
    seeded.terms_nl = "schulden\nrood staan"
    seeded.save()
    data = json.loads((FIXTURE / "social.json").read_text())
    data["concepts"][0]["terms"]["nl"] = ["schulden", "schuld", "achterstand"]
    (tmp_path / "social.json").write_text(json.dumps(data))

    assert load_thesaurus(tmp_path).kept == ["debt"]
    seeded.refresh_from_db()
    assert seeded.terms()["nl"] == ("schulden", "rood staan")

    assert load_thesaurus(tmp_path, force=True).updated == ["debt"]
    seeded.refresh_from_db()
    assert seeded.terms()["nl"] == ("schulden", "schuld", "achterstand")


def test_a_file_entry_the_admin_would_refuse_is_named_and_not_loaded(db, tmp_path):
    shutil.copy(FIXTURE / "social.json", tmp_path)
    bad = {"key": "Bad Key", "terms": {"nl": ["x" * 500]}}
    (tmp_path / "zz-bad.json").write_text(json.dumps({"version": 1, "concepts": [bad]}))

    with pytest.raises(CommandError, match="Bad Key"):
        call_command("load_thesaurus", folder=str(tmp_path), stdout=io.StringIO())

    assert ThesaurusConcept.objects.filter(key="gp").exists()
    assert not ThesaurusConcept.objects.filter(key="Bad Key").exists()


def test_an_unreadable_file_is_named(db, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match="broken.json"):
        call_command("load_thesaurus", folder=str(tmp_path))


def test_the_command_reports_what_it_did(empty_thesaurus):
    first, second = io.StringIO(), io.StringIO()
    call_command("load_thesaurus", folder=str(FIXTURE), stdout=first)
    call_command("load_thesaurus", folder=str(FIXTURE), stdout=second)
    assert "3 new, 0 updated" in first.getvalue()
    assert "0 new, 0 updated, 3 unchanged" in second.getvalue()


def test_every_data_file_of_the_project_loads_without_refusals(db):
    report = load_thesaurus()
    assert report.errors == []


def test_the_demo_has_the_thesaurus_of_the_data_files(db):
    keys = {concept.key for concept in thesaurus.load_files()}
    assert keys <= set(ThesaurusConcept.objects.values_list("key", flat=True))


# Editing in the admin


def test_a_moderator_adds_a_concept_and_its_history_says_who(moderator_client, empty_thesaurus):
    response = moderator_client.post(ADD, form_data())

    assert response.status_code == 302
    concept = ThesaurusConcept.objects.get(key="rent-allowance")
    assert concept.terms()["en"] == ("rent allowance", "housing benefit")
    assert concept.themes == ["geldzaken-en-schulden", "wonen"]
    entry = ModelLogEntry.objects.for_instance(concept).get(action="wagtail.create")
    assert entry.user.username == "moderator-test"
    assert entry.revision is not None


def test_a_moderator_edits_a_concept_and_the_history_page_lists_it(moderator_client, seeded):
    response = moderator_client.post(
        edit_url(seeded), form_data(key="debt", terms_nl="schulden\r\nschuld\r\nrood staan")
    )

    assert response.status_code == 302
    seeded.refresh_from_db()
    assert seeded.terms()["nl"] == ("schulden", "schuld", "rood staan")
    assert seeded.terms_nl == "schulden\nschuld\nrood staan"
    history = moderator_client.get(
        reverse("wagtailsnippets_search_thesaurusconcept:history", args=[seeded.pk])
    )
    assert history.status_code == 200
    assert "moderator-test" in history.content.decode()


def test_the_list_shows_concepts_and_the_languages_they_lack(moderator_client, seeded):
    ThesaurusConcept.objects.create(key="half-done", terms_nl="half", terms_en="half")
    response = moderator_client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "schulden, schuld" in page
    assert "ar fa ti uk tr pl so" in page


def test_the_list_finds_a_concept_by_a_term_in_any_language(moderator_client, seeded):
    page = moderator_client.get(LIST, {"q": "бор"}).content.decode()
    assert edit_url(seeded) in page
    assert edit_url(ThesaurusConcept.objects.get(key="gp")) not in page


def test_each_terms_box_carries_its_language(moderator_client):
    page = moderator_client.get(ADD).content.decode()
    assert 'lang="ar"' in page
    assert 'lang="ti"' in page
    assert 'dir="auto"' in page


REFUSED = [
    ("terms_nl", "schulden\n\nschuld", "Line 2 is empty"),
    ("terms_en", "debt\n  ?!  ", "Line 2 (“?!”) has no letters or digits"),
    ("terms_pl", "dług\n" + "d" * 500, "Line 2 has 500 characters; a term may have at most 100"),
    ("terms_tr", "borç\nBorç", "Line 2 (“Borç”) repeats line 1"),
    ("terms_ar", "ديون\nدين\u202e", "Line 2 contains invisible characters"),
    ("terms_fa", "\u2066بدهی\u2069", "Line 1 contains invisible characters"),
    ("key", "Rent Allowance", "Enter a key of lower-case letters and digits"),
    ("key", "debt", "Another concept already has this key"),
    ("terms_nl", "", "This field is required"),
]


@pytest.mark.parametrize(("field", "value", "message"), REFUSED)
def test_the_admin_refuses_bad_input_and_keeps_what_was_typed(
    moderator_client, seeded, field, value, message
):
    data = form_data(**{field: value})
    concepts = ThesaurusConcept.objects.count()

    response = moderator_client.post(ADD, data)

    assert response.status_code == 200
    assert ThesaurusConcept.objects.count() == concepts
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    assert escape(message) in page
    assert form[field].value() == value
    assert "rent allowance" in page or field == "terms_en"
    for line in filter(str.strip, value.splitlines()):
        assert escape(line.strip()) in page


def test_a_500_character_term_is_refused_when_editing_too(moderator_client, seeded):
    response = moderator_client.post(edit_url(seeded), form_data(key="debt", terms_en="x" * 500))
    assert response.status_code == 200
    seeded.refresh_from_db()
    assert seeded.terms()["en"] == ("debt", "debts")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Regel 2 is leeg."),
        ("uk", "Рядок 2 порожній."),
    ],
)
def test_the_messages_are_in_the_editors_language(django_user_model, seeded, language, message):
    user = speaking(moderator(django_user_model), language)

    response = logged_in(user).post(ADD, form_data(terms_nl="schulden\n\nschuld"))

    assert message in response.content.decode()


# Who may keep it


@pytest.fixture
def outsiders(django_user_model):
    access = PartnerAccess.objects.order_by("pk").first()
    return {
        "partner editor": staff_of(django_user_model, access, "editor-thesaurus"),
        "partner publisher": staff_of(
            django_user_model, access, "publisher-thesaurus", publisher=True
        ),
        "professional": professional(django_user_model),
        "anonymous": None,
    }


@pytest.mark.parametrize(
    "who", ["partner editor", "partner publisher", "professional", "anonymous"]
)
def test_partners_and_professionals_cannot_see_or_change_the_thesaurus(outsiders, seeded, who):
    client = logged_in(outsiders[who])
    delete_url = reverse("wagtailsnippets_search_thesaurusconcept:delete", args=[seeded.pk])

    for url in (LIST, ADD, edit_url(seeded), delete_url):
        assert denied(client.get(url)), url
    assert denied(client.post(ADD, form_data()))
    assert denied(client.post(edit_url(seeded), form_data(key="debt", terms_nl="weg")))
    assert denied(client.post(delete_url))

    seeded.refresh_from_db()
    assert seeded.terms()["nl"] == ("schulden", "schuld")
    assert not ThesaurusConcept.objects.filter(key="rent-allowance").exists()


def test_the_admin_answers_a_partner_editors_background_request_with_403(outsiders, seeded):
    client = logged_in(outsiders["partner editor"])
    response = client.get(edit_url(seeded), headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 403


def test_moderators_and_administrators_can_delete_a_concept(
    django_user_model, moderator_client, seeded
):
    delete = reverse("wagtailsnippets_search_thesaurusconcept:delete", args=[seeded.pk])
    assert moderator_client.post(delete).status_code == 302
    assert not ThesaurusConcept.objects.filter(key="debt").exists()

    admin = make_user(django_user_model, "admin-thesaurus", superuser=True)
    assert logged_in(admin).get(LIST).status_code == 200


def test_the_thesaurus_is_in_a_moderators_admin_menu(moderator_client):
    page = moderator_client.get(reverse("wagtailadmin_home")).content.decode()
    assert LIST in page


# What searches read


def test_an_edit_in_the_admin_reaches_the_next_search_at_once(moderator_client, seeded):
    before = thesaurus.current()
    assert concept_in(before, "debt").terms["nl"] == ("schulden", "schuld")

    moderator_client.post(
        edit_url(seeded), form_data(key="debt", terms_nl="schulden\nbetalingsachterstand")
    )

    after = thesaurus.current()
    assert after.version != before.version
    assert concept_in(after, "debt").terms["nl"] == ("schulden", "betalingsachterstand")
    assert concept_in(after, "debt").themes == ("geldzaken-en-schulden", "wonen")


def test_a_new_and_a_deleted_concept_reach_the_next_search(moderator_client, seeded):
    moderator_client.post(ADD, form_data())
    assert concept_in(thesaurus.current(), "rent-allowance") is not None

    moderator_client.post(
        reverse("wagtailsnippets_search_thesaurusconcept:delete", args=[seeded.pk])
    )
    assert concept_in(thesaurus.current(), "debt") is None


def test_the_thesaurus_is_read_once_and_then_costs_one_query(seeded, django_assert_num_queries):
    first = thesaurus.current()
    with django_assert_num_queries(1):
        again = thesaurus.current()
    assert again is first


def test_every_concept_has_every_language(seeded):
    for concept in thesaurus.current().concepts:
        assert tuple(concept.terms) == LANGUAGES, concept.key


def test_theme_names_in_every_locale_are_terms_of_their_theme(db):
    now = thesaurus.current()
    money = concept_in(now, "theme:geldzaken-en-schulden")

    assert money.themes == ("geldzaken-en-schulden",)
    assert money.terms["nl"] == ("Geldzaken en schulden",)
    for code in LANGUAGES:
        locale = Locale.objects.get(language_code=code)
        theme = Theme.objects.filter(slug="geldzaken-en-schulden", locale=locale).first()
        if theme:
            assert theme.name in money.terms[code], code
    assert sum(bool(terms) for terms in money.terms.values()) > 1


def test_audience_names_are_concepts_too(db):
    older = concept_in(thesaurus.current(), "audience:ouderen")
    assert older.terms["nl"] == ("Ouderen",)
    assert older.themes == ()


def test_renaming_a_theme_changes_the_thesaurus_at_once(db):
    before = thesaurus.current()
    theme = Theme.objects.get(slug="wonen", locale__language_code="nl")
    theme.name = "Wonen en huisvesting"
    theme.save()

    after = thesaurus.current()
    assert after.version != before.version
    assert concept_in(after, "theme:wonen").terms["nl"] == ("Wonen en huisvesting",)


def test_a_deleted_audience_leaves_the_thesaurus(db):
    thesaurus.current()
    Audience.objects.filter(slug="jongeren").delete()
    assert concept_in(thesaurus.current(), "audience:jongeren") is None
