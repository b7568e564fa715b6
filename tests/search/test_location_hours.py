"""What the engine stores for "open now" of a service in two buildings: the
hours of each building, an exception closing only the building it names."""

import datetime

from search.engine.documents import open_scopes

# Wednesday 2 December 2026.
WEDNESDAY = datetime.date(2026, 12, 2)


def test_the_engine_document_holds_the_hours_of_each_building():
    overvecht, kanaleneiland = "a", "b"
    nine, noon = datetime.time(9), datetime.time(12)
    scopes = open_scopes(
        [overvecht, kanaleneiland],
        [(1, nine, noon, overvecht), (2, nine, noon, None)],
        [(WEDNESDAY, WEDNESDAY, True, None, None, kanaleneiland)],
    )
    tuesday, wednesday = 1 * 24 * 60 + 9 * 60, 2 * 24 * 60 + 9 * 60
    assert [[r["gte"] for r in scope["open_ranges"]] for scope in scopes] == [
        [tuesday, wednesday],
        [wednesday],
    ]
    assert [scope["exception_dates"] for scope in scopes] == [[], ["2026-12-02"]]


def test_a_service_without_hours_of_one_building_has_one_set_of_hours():
    scopes = open_scopes(["a", "b"], [(1, datetime.time(9), datetime.time(12), None)], [])
    assert len(scopes) == 1
