"""The service editor as a partner's editor meets it: themes and audiences as boxes to
tick in the page's own language, translations that keep their source's terms."""

import re

from django.urls import reverse

from wagtail.models import Locale
from wagtail_localize.models import Translation, TranslationSource

import pytest

from directory.models import Audience, Language, ServicePage, Theme, WijkPage
from tests.directory.test_page_tree import service_form_data

pytestmark = pytest.mark.django_db


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def boxes(html: str, name: str) -> dict[int, bool]:
    """The checkboxes named ``name`` in ``html``: value to ticked."""
    found = {}
    for tag in re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", html):
        assert 'type="checkbox"' in tag, tag
        value = int(re.search(r'value="(\d+)"', tag).group(1))
        found[value] = "checked" in tag
    return found


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def translated_service(language_code: str) -> ServicePage:
    """A demo translation, edited in the page editor rather than kept in sync
    (as after "Stop synced translation")."""
    page = (
        ServicePage.objects.filter(locale__language_code=language_code, alias_of__isnull=True)
        .order_by("path")
        .first()
    )
    Translation.objects.filter(
        target_locale=page.locale,
        source__object_id=page.translation_key,
    ).update(enabled=False)
    return page


def test_a_dutch_service_offers_each_dutch_theme_and_audience_once_as_a_box(
    admin_client, service, dutch
):
    html = admin_client.get(edit_url(service)).content.decode()
    themes, audiences = boxes(html, "themes"), boxes(html, "audiences")
    assert set(themes) == pks(Theme.objects.filter(locale=dutch))
    assert len(themes) == 12
    assert set(audiences) == pks(Audience.objects.filter(locale=dutch))
    assert {pk for pk, ticked in themes.items() if ticked} == pks(service.themes.all())


def test_a_translation_offers_its_own_languages_terms_with_the_sources_ticked(admin_client):
    page = translated_service("ar")
    source = ServicePage.objects.get(
        translation_key=page.translation_key, locale__language_code="nl"
    )
    html = admin_client.get(edit_url(page)).content.decode()
    themes = boxes(html, "themes")
    assert set(themes) == pks(Theme.objects.filter(locale=page.locale))
    ticked = Theme.objects.filter(pk__in=[pk for pk, on in themes.items() if on])
    assert set(ticked.values_list("slug", flat=True)) == set(
        source.themes.values_list("slug", flat=True)
    )


def test_a_language_without_its_own_terms_is_offered_the_dutch_ones(admin_client, dutch):
    page = translated_service("ti")
    Theme.objects.filter(locale=page.locale).delete()
    html = admin_client.get(edit_url(page)).content.decode()
    assert set(boxes(html, "themes")) == pks(Theme.objects.filter(locale=dutch))
    # Audiences of its language are still its own.
    assert set(boxes(html, "audiences")) == pks(Audience.objects.filter(locale=page.locale))


def test_a_theme_of_another_language_is_refused_and_nothing_is_saved(admin_client, service):
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale=service.locale)
    arabic = Theme.objects.get(slug="geldzaken-en-schulden", locale__language_code="ar")
    before = ServicePage.objects.get(pk=service.pk).latest_revision_id
    response = admin_client.post(
        edit_url(service),
        service_form_data(wijk, title=service.title, slug=service.slug, themes=[arabic.pk]),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["themes"]
    [error] = form.errors.as_data()["themes"]
    assert error.code == "invalid_choice"
    assert error.message == form.fields["themes"].error_messages["invalid_choice"]
    assert ServicePage.objects.get(pk=service.pk).latest_revision_id == before


def test_a_new_translation_keeps_the_sources_terms_in_its_language(dutch):
    polish = Locale.objects.get(language_code="pl")
    # A Dutch service not yet translated into Polish (at most an alias of it there).
    translated = ServicePage.objects.filter(locale=polish, alias_of__isnull=True)
    service = (
        ServicePage.objects.filter(locale=dutch)
        .exclude(translation_key__in=translated.values("translation_key"))
        .order_by("path")
        .first()
    )
    source, _created = TranslationSource.get_or_create_from_instance(service)
    translation, _created = source.create_or_update_translation(polish, fallback=True)
    translation = ServicePage.objects.get(pk=translation.pk)
    for name in ("themes", "audiences"):
        terms = getattr(translation, name).all()
        assert {term.locale_id for term in terms} == {polish.pk}
        assert set(terms.values_list("slug", flat=True)) == set(
            getattr(service, name).values_list("slug", flat=True)
        )

    # The source gets another theme; the next sync brings it along, in Polish.
    added = Theme.objects.filter(locale=service.locale).exclude(pk__in=service.themes.all())[0]
    service.themes.add(added)
    service.save()
    source.update_from_db()
    source.create_or_update_translation(polish, fallback=True)
    translation = ServicePage.objects.get(pk=translation.pk)
    assert translation.themes.get(slug=added.slug).locale == polish
    # Readers and search still find it by the slug.
    assert translation.pk in ServicePage.objects.filter(themes__slug=added.slug).values_list(
        "pk", flat=True
    )


def test_the_preview_shows_the_terms_being_edited_not_the_saved_ones(admin_client, service):
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale=service.locale)
    saved = set(service.themes.values_list("name", flat=True))
    chosen = Theme.objects.filter(locale=service.locale).exclude(name__in=saved).first()
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(service.pk,))
    posted = admin_client.post(
        url,
        service_form_data(
            wijk,
            title=service.title,
            slug=service.slug,
            themes=[chosen.pk],
            languages=[Language.objects.get(code="ti").pk],
        ),
    )
    assert posted.json()["is_valid"]
    facts = admin_client.get(url).content.decode().split('class="ww-facts"')[1].split("</dl>")[0]
    assert chosen.name in facts
    assert not any(name in facts for name in saved)
    assert 'lang="ti"' in facts
    assert ServicePage.objects.get(pk=service.pk).themes.filter(pk=chosen.pk).exists() is False
