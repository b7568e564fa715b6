"""What the engine's counting searches ask for. A facet counts the services
that pass every filter but its own, so the search that counts it cannot
apply that filter to all it reads; but it need not read the services that
none of its counts can count. That they count the same is the contract's
(tests/search/test_contract.py, several filters)."""

from search.backends.engine import FACETS, build_search, counted_by, counting_searches
from search.query import ServiceQuery

EVERYTHING = {"match_all": {}}
SIZES = dict.fromkeys(FACETS, 100)


def counting_queries(query: ServiceQuery) -> list[dict]:
    body = build_search(query, None, "and", 0, 20, sizes=SIZES)
    return [search["query"] for search in counting_searches(body)]


def terms(field: str, *values: str) -> dict:
    return {"terms": {field: list(values)}}


def test_without_filters_every_service_is_counted():
    assert counting_queries(ServiceQuery()) == [EVERYTHING, EVERYTHING]


def test_a_filter_no_count_of_the_group_leaves_out_is_applied_to_what_it_reads():
    themes_group, places_group = counting_queries(ServiceQuery(wijk="WK034408"))
    # The wijk's own count must see every wijk: that group reads everything.
    assert places_group == EVERYTHING
    assert themes_group == {"bool": {"must": [EVERYTHING], "filter": [terms("wijken", "WK034408")]}}


def test_of_the_filters_counts_leave_out_a_service_passes_all_but_one():
    query = ServiceQuery(wijk="WK034408", languages=("ar",), costs=("free",))
    themes_group, places_group = counting_queries(query)
    wijk, language, cost = (
        terms("wijken", "WK034408"),
        terms("languages", "ar"),
        terms("cost", "free"),
    )
    # Themes and audiences apply all three filters, languages two of them.
    assert sorted(map(str, themes_group["bool"]["filter"])) == sorted(map(str, [wijk, cost]))
    # The wijk's count leaves out the wijk, the costs' count the cost.
    every_count, some_counts = places_group["bool"]["filter"]
    assert every_count == language
    assert some_counts["bool"]["minimum_should_match"] == 1
    assert sorted(map(str, some_counts["bool"]["should"])) == sorted(map(str, [wijk, cost]))


def test_a_group_that_is_not_plain_filters_is_counted_as_asked():
    group = {"near": {"filter": {"geo_distance": {"distance": "5km"}}}}
    assert counted_by(EVERYTHING, group) == EVERYTHING
