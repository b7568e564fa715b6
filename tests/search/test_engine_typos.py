"""How many typos the engine itself looks for in a resident's own word: in
Dutch one (the vocabulary's correction covers two, as on the database
backend), in the other languages two from eight letters. Looking for two in
Dutch was most of a text search's work at 300,000 services (bench/README.md,
"Where the engine's time goes"); the relevance set needs two in Arabic and
Somali. Whether typed words still find their services is
tests/search/test_analysis_contract.py's."""

import pytest

from search.analysis import AnalysedQuery, WordGroup
from search.backends.engine import build_search
from search.query import FACETS, ServiceQuery

SIZES = dict.fromkeys(FACETS, 10)


def fuzziness_asked(body) -> list:
    """Every ``fuzziness`` in the search body, in order."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "fuzziness":
                found.append(value)
            else:
                found += fuzziness_asked(value)
    elif isinstance(body, list):
        for value in body:
            found += fuzziness_asked(value)
    return found


def typos_in(language: str) -> list:
    # The resident's word, then a thesaurus term and a compound's parts:
    # only her own word is looked for with typos.
    group = WordGroup(
        "schuldhulpverlening",
        [
            (("schuldhulpverlening", True),),
            (("schuldsanering", True),),
            (("schuld", True), ("hulpverlening", True)),
        ],
    )
    analysed = AnalysedQuery([group])
    query = ServiceQuery(text="schuldhulpverlening")
    return fuzziness_asked(build_search(query, analysed, "and", 0, 20, language, SIZES))


def test_a_dutch_word_is_looked_for_with_one_typo_from_five_letters():
    assert typos_in("nl") == ["AUTO:5,100"]


@pytest.mark.parametrize("language", ["en", "ar", "fa", "ti", "uk", "tr", "pl", "so"])
def test_in_every_other_language_with_two_typos_from_eight_letters(language):
    assert typos_in(language) == ["AUTO:5,8"]
