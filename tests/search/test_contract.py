"""The search contract: the database backend and the engine give the same answers.

Every test here runs twice, once per backend (the ``backend`` fixture), against
the demo directory; the engine is a real OpenSearch node started by the tests.
Expected answers are computed from the models directly, never from a backend.
"""

import dataclasses
import datetime

from django.utils import timezone

from wagtail.models import Locale, PageViewRestriction

import pytest

from directory.collation import title_key
from directory.models import PartnerPage, ServicePage, WijkPage
from search.geocoding import Point
from search.query import ServiceQuery, count_services, search_services

pytestmark = pytest.mark.django_db

PER_PAGE = 20


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


def run(query, locale, page=1, per_page=PER_PAGE):
    results = search_services(query, locale, page_number=page, per_page=per_page)
    return results


def every_hit(query, locale):
    first = run(query, locale, per_page=200)
    assert first.total <= 200
    return [hit.service for hit in first.page]


def live(locale):
    return ServicePage.objects.live().public().filter(locale=locale)


def test_the_chosen_backend_answers_itself(backend, nl):
    results = run(ServiceQuery(text="schulden"), nl)
    assert results.backend == backend
    assert not results.degraded


def test_no_query_lists_every_live_service_by_title(backend, nl):
    """In the order of the Unicode Collation Algorithm: letters by their
    alphabet, case and accents after the letter, then the id."""
    services = every_hit(ServiceQuery(), nl)
    expected = sorted(live(nl), key=lambda s: (title_key(s.title), s.pk))
    assert [s.pk for s in services] == [s.pk for s in expected]


@pytest.mark.parametrize("code", ["ti", "ar"])
def test_without_words_her_language_comes_before_the_dutch_fallbacks(backend, code):
    """Each part in title order: Ge'ez and Arabic titles by their alphabet,
    not after every Latin title as code points would have it."""
    locale = Locale.objects.get(language_code=code)
    services = every_hit(ServiceQuery(), locale)
    own = [s for s in services if s.locale_id == locale.pk]
    assert len(own) == 22
    assert services[: len(own)] == own
    assert all(s.locale.language_code == "nl" for s in services[len(own) :])
    assert [s.pk for s in own] == [
        s.pk for s in sorted(own, key=lambda s: (title_key(s.title), s.pk))
    ]
    first_page = run(ServiceQuery(), locale).page
    assert all(hit.service.locale_id == locale.pk for hit in first_page)


def test_collation_orders_letters_by_their_alphabet_not_their_code_points():
    titles = ["Zwemles", "ärger", "Apotheek", "Ète", "eten"]
    assert sorted(titles, key=title_key) == ["Apotheek", "ärger", "Ète", "eten", "Zwemles"]
    # Ge'ez: ሀ (ha) comes before ለ (le) before መ (me), whatever the code points.
    assert sorted(["መረዳእታ", "ሀገር", "ለውጢ"], key=title_key) == ["ሀገር", "ለውጢ", "መረዳእታ"]
    # Arabic: alif before ba before mim.
    assert sorted(["مساعدة", "بيت", "أسرة"], key=title_key) == ["أسرة", "بيت", "مساعدة"]


def test_words_find_the_services_that_contain_them(backend, nl):
    found = {s.pk for s in every_hit(ServiceQuery(text="schulden"), nl)}
    with_word = {s.pk for s in live(nl) if "schulden" in f"{s.title} {s.summary}".lower()}
    assert with_word
    assert with_word <= found


def test_all_words_are_required_when_some_service_has_them_all(backend, nl):
    found = every_hit(ServiceQuery(text="inloopspreekuur geldzaken"), nl)
    assert found
    assert any("geldzaken" in s.title.lower() for s in found)
    results = run(ServiceQuery(text="inloopspreekuur geldzaken"), nl)
    assert not results.matched_some_words


def test_otherwise_services_with_some_of_the_words_are_shown(backend, nl):
    results = run(ServiceQuery(text="schulden zwembadvergunning"), nl)
    assert results.matched_some_words
    assert results.total > 0


def test_with_some_of_the_words_services_with_more_of_them_come_first(backend, nl):
    # No service says all three; some say huur and buren, many only huur.
    found = every_hit(ServiceQuery(text="huur buren zwembadvergunning"), nl)
    position = {service.pk: number for number, service in enumerate(found)}

    def says(service, *parts):
        return any(
            part in f"{service.title} {service.summary} {service.body}".lower() for part in parts
        )

    both = [s.pk for s in live(nl) if says(s, "huur") and says(s, "buren")]
    only_rent = [s.pk for s in live(nl) if says(s, "huur") and not says(s, "bur", "buur")]
    assert both
    assert only_rent
    assert max(position[pk] for pk in both) < min(position[pk] for pk in only_rent)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ServiceQuery(themes=("wonen",)), lambda qs: qs.filter(themes__slug="wonen")),
        (
            ServiceQuery(audiences=("ouderen", "jongeren")),
            lambda qs: qs.filter(audiences__slug__in=["ouderen", "jongeren"]),
        ),
        (ServiceQuery(languages=("ti",)), lambda qs: qs.filter(languages__code="ti")),
        (ServiceQuery(costs=("contribution",)), lambda qs: qs.filter(cost="contribution")),
        (ServiceQuery(accesses=("referral",)), lambda qs: qs.filter(access="referral")),
        (
            ServiceQuery(themes=("geldzaken-en-schulden",), languages=("ar",)),
            lambda qs: qs.filter(themes__slug="geldzaken-en-schulden").filter(languages__code="ar"),
        ),
    ],
    ids=["theme", "two-audiences", "language", "cost", "access", "theme-and-language"],
)
def test_filters_select_exactly_the_matching_services(backend, nl, query, expected):
    found = {s.pk for s in every_hit(query, nl)}
    assert found == set(expected(live(nl)).values_list("pk", flat=True))
    assert found


def test_a_wijk_includes_services_for_the_whole_municipality(backend, nl, wijk):
    found = {s.pk for s in every_hit(ServiceQuery(wijk=wijk.cbs_code), nl)}
    direct = set(live(nl).filter(wijken=wijk).values_list("pk", flat=True))
    citywide = set(live(nl).filter(municipalities=wijk.municipality).values_list("pk", flat=True))
    assert found == direct | citywide


@pytest.mark.parametrize("code", ["GM0344", "GM9999"])
def test_a_municipality_selects_the_services_for_any_of_its_wijken_or_all_of_it(backend, nl, code):
    found = {s.pk for s in every_hit(ServiceQuery(municipality=code, themes=("wonen",)), nl)}
    housing = live(nl).filter(themes__slug="wonen")
    expected = set(
        housing.filter(wijken__municipality__cbs_code=code).values_list("pk", flat=True)
    ) | set(housing.filter(municipalities__cbs_code=code).values_list("pk", flat=True))
    assert found == expected
    assert bool(found) == (code == "GM0344")


def engine_caught_up(backend):
    """The engine shows what was indexed (the queue runs at once in tests)."""
    if backend == "engine":
        from search.engine.client import Engine

        engine = Engine(for_indexing=True)
        engine.call("indices.refresh", index=engine.alias("nl"))


def test_a_new_wijk_counts_the_services_of_its_whole_municipality(
    backend, nl, wijk, django_capture_on_commit_callbacks
):
    citywide = set(live(nl).filter(municipalities=wijk.municipality).values_list("pk", flat=True))
    assert citywide
    with django_capture_on_commit_callbacks(execute=True):
        new = wijk.get_parent().add_child(
            instance=WijkPage(
                title="Nieuwe wijk",
                cbs_code="WK034499",
                municipality=wijk.municipality,
                postcodes=wijk.postcodes,
                latitude=wijk.latitude,
                longitude=wijk.longitude,
            )
        )
    try:
        engine_caught_up(backend)
        assert {s.pk for s in every_hit(ServiceQuery(wijk=new.cbs_code), nl)} == citywide
        assert run(ServiceQuery(), nl).facets["wijk"][new.cbs_code] == len(citywide)
    finally:
        # The engine's index outlives the test's transaction: leave it as it was.
        with django_capture_on_commit_callbacks(execute=True):
            new.delete()


def test_a_recoded_wijk_is_found_by_its_new_code_only(
    backend, nl, wijk, django_capture_on_commit_callbacks
):
    serving = {s.pk for s in every_hit(ServiceQuery(wijk=wijk.cbs_code), nl)}
    old = wijk.cbs_code

    def recode(code):
        # Translations of a wijk share its code.
        with django_capture_on_commit_callbacks(execute=True):
            for translation in wijk.get_translations(inclusive=True).specific():
                translation.cbs_code = code
                translation.save_revision().publish()

    try:
        recode("WK034498")
        engine_caught_up(backend)
        assert {s.pk for s in every_hit(ServiceQuery(wijk="WK034498"), nl)} == serving
        assert every_hit(ServiceQuery(wijk=old), nl) == []
        assert old not in run(ServiceQuery(), nl).facets["wijk"]
    finally:
        recode(old)


def test_partner_type_follows_the_service_up_to_its_partner(backend, nl):
    found = {s.pk for s in every_hit(ServiceQuery(partner_types=("politie",)), nl)}
    police = PartnerPage.objects.filter(partner_type="politie")
    expected = {s.pk for p in police for s in live(nl).child_of(p)}
    assert found == expected
    assert found


def test_facet_counts_equal_the_totals_of_choosing_them(backend, nl):
    query = ServiceQuery(wijk="WK034408")
    facets = run(query, nl).facets
    for facet, field in [("themes", "themes"), ("languages", "languages"), ("costs", "costs")]:
        assert facets[facet]
        for value, count in facets[facet].items():
            chosen = ServiceQuery(wijk="WK034408", **{field: (value,)})
            assert run(chosen, nl).total == count, (facet, value)


def test_facets_do_not_narrow_their_own_options(backend, nl):
    one_theme = run(ServiceQuery(themes=("wonen",)), nl)
    no_theme = run(ServiceQuery(), nl)
    assert one_theme.facets["themes"] == no_theme.facets["themes"]
    assert one_theme.facets["languages"] != no_theme.facets["languages"]


@pytest.mark.parametrize(
    "query",
    [
        ServiceQuery(wijk="WK034408", languages=("en",), costs=("free",)),
        ServiceQuery(themes=("wonen",), accesses=("walk_in",)),
        ServiceQuery(text="hulp", languages=("en",), partner_types=("welzijn",)),
    ],
    ids=["wijk-language-cost", "theme-access", "text-language-partner"],
)
def test_with_several_filters_a_count_is_the_total_of_choosing_that_value_instead(
    backend, nl, query
):
    """Each facet counts what every other filter leaves, whichever of them
    the engine can apply before counting."""
    found = run(query, nl)
    assert found.total
    checked = 0
    for facet, counts in found.facets.items():
        for value, count in counts.items():
            chosen = dataclasses.replace(query, **{facet: value if facet == "wijk" else (value,)})
            assert run(chosen, nl).total == count, (facet, value)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    "query",
    [ServiceQuery(wijk="WK034408"), ServiceQuery(themes=("wonen",)), ServiceQuery(text="schulden")],
    ids=["wijk", "theme", "text"],
)
def test_a_search_counts_only_the_facets_asked_for_and_finds_the_same(backend, nl, query):
    """A page that shows no counts (a theme's page) asks for none, and the
    themes index for the themes only."""
    every = search_services(query, nl)
    themes_only = search_services(query, nl, facets=["themes"])
    none = search_services(query, nl, facets=())
    assert themes_only.facets == {"themes": every.facets["themes"]}
    assert none.facets == {}
    for found in (themes_only, none):
        assert found.total == every.total
        assert [hit.service.pk for hit in found.page] == [hit.service.pk for hit in every.page]
    counted = count_services(query, nl, facets=["themes", "wijk"])
    assert counted.total == every.total and not list(counted.page)
    assert counted.facets == {facet: every.facets[facet] for facet in ("themes", "wijk")}


def test_places_within_the_radius_come_nearest_first(backend, nl):
    centre = Point(52.1140, 5.1120)  # PC4 3563, Overvecht
    hits = run(ServiceQuery(point=centre, radius_km=1.5), nl, per_page=200)
    distances = [hit.distance_km for hit in hits.page]
    expected = {
        s.pk
        for s in live(nl).prefetch_related("locations")
        if any(centre.distance_km(Point(p.latitude, p.longitude)) <= 1.5 for p in s.locations.all())
    }
    assert {hit.service.pk for hit in hits.page} == expected
    assert expected
    assert distances == sorted(distances)
    assert max(distances) <= 1.5


@pytest.mark.parametrize("radius_km", [5, None])
def test_pages_by_distance_are_slices_of_one_nearest_first_list(backend, nl, radius_km):
    # Small pages are found among the services close by, one large page by
    # sorting everything in the radius: both must give the same order.
    centre = Point(52.1140, 5.1120)  # PC4 3563, Overvecht
    query = ServiceQuery(point=centre, radius_km=radius_km, sort="distance")
    whole = [hit.service.pk for hit in run(query, nl, per_page=200).page]
    paged = [hit.service.pk for n in (1, 2, 3) for hit in run(query, nl, n, per_page=2).page]
    assert len(whole) > 6
    assert paged == whole[:6]


def test_open_now_uses_weekly_hours_and_exceptions(backend, nl):
    tz = timezone.get_current_timezone()
    for moment in (
        datetime.datetime(2027, 1, 4, 10, 0, tzinfo=tz),  # an ordinary Monday morning
        datetime.datetime(2026, 12, 24, 10, 0, tzinfo=tz),  # Christmas Eve: exceptions
        datetime.datetime(2026, 12, 27, 22, 30, tzinfo=tz),  # Sunday night
    ):
        found = {s.pk for s in every_hit(ServiceQuery(open_at=moment), nl)}
        expected = {
            s.pk
            for s in live(nl).prefetch_related("opening_hours", "opening_hours_exceptions")
            if s.is_open_at(moment)
        }
        assert found == expected, moment


def test_recently_verified_first(backend, nl):
    dates = [s.last_verified for s in every_hit(ServiceQuery(sort="verified"), nl)]
    assert dates == sorted(dates, reverse=True)


def test_pages_split_the_results_without_overlap(backend, nl):
    first, second = run(ServiceQuery(), nl, 1, 30), run(ServiceQuery(), nl, 2, 30)
    assert first.total == second.total == live(nl).count()
    assert len(first.page) == 30
    assert not {h.service.pk for h in first.page} & {h.service.pk for h in second.page}


def test_a_page_past_the_end_shows_the_last_page(backend, nl):
    results = run(ServiceQuery(), nl, page=999, per_page=PER_PAGE)
    assert results.page.number == results.page.paginator.num_pages
    assert len(results.page) > 0


def test_highlights_mark_the_words_and_escape_the_text(backend, nl):
    results = run(ServiceQuery(text="geldzaken"), nl)
    highlights = [hit.highlight for hit in results.page if hit.highlight]
    assert any("<mark>" in h.lower() for h in highlights)
    assert not any("<script" in h for h in highlights)


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed',
        "AND OR NOT (",
        "schulden) OR (1=1",
        "title:* AND _id:1",
        "<img src=x onerror=alert(1)>",
        "💸🏠",
        "x" * 10_000,
        "مساعدة في الديون",
    ],
)
def test_odd_input_never_breaks_the_search(backend, nl, text):
    results = run(ServiceQuery(text=text), nl)
    assert results.backend == backend
    assert not results.degraded


def test_unpublished_and_private_services_never_appear(backend, nl):
    hidden, private = list(live(nl).order_by("path")[:2])
    hidden.unpublish()
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    found = {s.pk for s in every_hit(ServiceQuery(), nl)}
    assert hidden.pk not in found
    assert private.pk not in found
    assert len(found) == live(nl).count()
