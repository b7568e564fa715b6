"""The engine's index: one per content language, with that language's analysis.

``MAPPING_VERSION`` goes into every index name and its ``_meta``; bump it when
the mapping changes, then run ``manage.py search_rebuild``.
"""

from __future__ import annotations

from django.conf import settings

from elasticsearch_dsl import Index, Mapping, analyzer, token_filter

# 3: analysed text and decompounding; 4: title_key, the title order;
# 5: "analysed", the plain forms and stems of search/analysis.py; 6: "channels",
# the ways to reach a service and their languages (``phone``, ``phone:ar``)
# 7: "open_scopes", hours per location
MAPPING_VERSION = 7

# Built-in language analysers of OpenSearch and Elasticsearch; languages
# without one use the standard analyser (Unicode word breaks, lower case).
STEMMERS = {
    "nl": "dutch",
    "en": "english",
    "ar": "arabic",
    "fa": "persian",
    "tr": "turkish",
}

# Words residents use for the same need. Applied when searching only, so that
# changing them needs no reindex of the documents. The thesaurus has each of
# these words, but in separate concepts (geldzorgen: money worries, schulden:
# debt; taalles: language course, inburgering: integration; voedselbank and
# voedselpakket); these lines link the concepts on the engine's Dutch index,
# which tests/search/test_engine.py relies on. Kept until the thesaurus can
# say that one concept is broader than another.
DUTCH_SYNONYMS = [
    "schulden, schuld, geldzorgen, geldproblemen, betalingsachterstand, betalingsachterstanden, rood staan",
    "schuldhulp, schuldhulpverlening, schuldsanering",
    "inburgering, inburgeren, taalles, taallessen, nt2, taalcursus, nederlands leren",
    "huurachterstand, huurschuld",
    "woning, huis, huisvesting",
    "voedselbank, voedselpakket",
    "nachtopvang, daklozenopvang, slaapplek",
    "ggz, geestelijke gezondheidszorg, psychische hulp",
    "mantelzorg, mantelzorger",
    "formulieren, brieven, post, papieren",
    "werk, baan",
    "buurthuis, wijkcentrum, buurtcentrum",
]


def compound_word_list() -> list[str]:
    """The parts of the directory's Dutch compounds (search/analysis.py), for
    the index analyser's decompounder: ``huurachterstand`` is then also
    indexed as ``huur`` and ``achterstand``. Read when an index is created,
    so new words reach it with ``search_rebuild``."""
    from ..analysis import MIN_PART, compound_parts, vocabulary

    known = vocabulary()
    parts = {part for word in known.words for part in compound_parts(word, known)}
    return sorted(part for part in parts if len(part) >= MIN_PART)[:MAX_COMPOUND_PARTS]


MAX_COMPOUND_PARTS = 20_000


def _analyzers(language: str):
    """(index analyser, search analyser) for ``language``."""
    if language == "nl":
        stop = token_filter("nl_stop", "stop", stopwords="_dutch_")
        stem = token_filter("nl_stem", "stemmer", language="dutch")
        synonyms = token_filter("nl_synonyms", "synonym_graph", synonyms=DUTCH_SYNONYMS)
        parts = token_filter(
            "nl_compounds",
            "dictionary_decompounder",
            word_list=compound_word_list() or ["huur"],
            min_subword_size=4,
            only_longest_match=True,
        )
        # Accents folded as search/analysis.py folds them: taalcafe is taalcafé.
        index = analyzer(
            "text_nl",
            tokenizer="standard",
            filter=["lowercase", "asciifolding", parts, stop, stem],
        )
        search = analyzer(
            "text_nl_search",
            tokenizer="standard",
            filter=["lowercase", "asciifolding", synonyms, stop, stem],
        )
        return index, search
    builtin = STEMMERS.get(language, "standard")
    return builtin, builtin


def index_body(language: str) -> dict:
    """Settings and mappings to create a service index for ``language``."""
    index_analyzer, search_analyzer = _analyzers(language)
    text = {"type": "text", "analyzer": index_analyzer, "search_analyzer": search_analyzer}

    mapping = Mapping()
    mapping.meta("dynamic", "strict")
    mapping.meta("_meta", {"mapping_version": MAPPING_VERSION, "language": language})
    mapping.field(
        "title",
        "text",
        analyzer=index_analyzer,
        search_analyzer=search_analyzer,
        fields={
            "sort": {"type": "keyword", "normalizer": "lowercase"},
            "prefix": {"type": "search_as_you_type"},
            "spell": {"type": "text", "analyzer": "standard"},
        },
    )
    for field_name in (
        "summary",
        "body",
        "accessibility",
        "partner_name",
        "theme_names",
        "audience_names",
    ):
        mapping.field(field_name, "text", **{k: v for k, v in text.items() if k != "type"})
    mapping.field("spell", "text", analyzer="standard")
    # Already analysed by search/analysis.py: only split and lower-cased here.
    mapping.field("analysed", "text", analyzer="standard")
    for keyword in (
        "language",
        "translated_into",
        "themes",
        "audiences",
        "languages",
        "channels",
        "wijken",
        "municipalities",
        "partner_type",
        "cost",
        "access",
        "status",
    ):
        mapping.field(keyword, "keyword")
    # Sorted on as stored: hexadecimal collation weights (directory/collation.py).
    mapping.field("title_key", "keyword")
    mapping.field("pk", "long")
    mapping.field("last_verified", "date")
    mapping.field("locations", "geo_point")
    # The hours of each location with hours of its own (or of the service as
    # a whole): nested, so an exception closes only the hours of its place.
    mapping.field(
        "open_scopes",
        "nested",
        properties={
            "open_ranges": {"type": "integer_range"},
            "exception_dates": {"type": "date"},
            "exception_open": {"type": "date_range"},
        },
    )

    index = Index("services")
    # Replicas from the settings: 1 on a cluster, so any one node may fail.
    replicas = settings.SEARCH_ENGINE["REPLICAS"]
    index.settings(number_of_shards=1, number_of_replicas=replicas, refresh_interval="1s")
    index.mapping(mapping)
    if not isinstance(index_analyzer, str):
        index.analyzer(index_analyzer)
        index.analyzer(search_analyzer)
    body = index.to_dict()
    # Index() writes the analysis section itself, so the normaliser goes in afterwards.
    body["settings"].setdefault("analysis", {})["normalizer"] = {
        "lowercase": {"type": "custom", "filter": ["lowercase"]}
    }
    return body
