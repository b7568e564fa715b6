"""The engine's index: one per content language, with that language's analysis.

``MAPPING_VERSION`` goes into every index name and its ``_meta``; bump it when
the mapping changes, then run ``manage.py search_rebuild``.
"""

from __future__ import annotations

from elasticsearch_dsl import Index, Mapping, analyzer, token_filter

MAPPING_VERSION = 3  # 3: title_key, the title order

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
# changing them needs no reindex of the documents.
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


def _analyzers(language: str):
    """(index analyser, search analyser) for ``language``."""
    if language == "nl":
        stop = token_filter("nl_stop", "stop", stopwords="_dutch_")
        stem = token_filter("nl_stem", "stemmer", language="dutch")
        synonyms = token_filter("nl_synonyms", "synonym_graph", synonyms=DUTCH_SYNONYMS)
        index = analyzer("text_nl", tokenizer="standard", filter=["lowercase", stop, stem])
        search = analyzer(
            "text_nl_search", tokenizer="standard", filter=["lowercase", synonyms, stop, stem]
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
    for keyword in (
        "language",
        "translated_into",
        "themes",
        "audiences",
        "languages",
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
    mapping.field("open_ranges", "integer_range")
    mapping.field("exception_dates", "date")
    mapping.field("exception_open", "date_range")

    index = Index("services")
    index.settings(number_of_shards=1, number_of_replicas=0, refresh_interval="1s")
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
