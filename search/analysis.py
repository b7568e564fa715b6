"""The text analysis both search backends share: what a resident's words and
a service's text become, so that the one finds the other.

- :func:`normalise`: case folded, Latin accents dropped (``taalcafe`` is
  ``taalcafé``), Arabic and Persian letters in one form (no tashkeel or
  tatweel; ي/ی/ى, ك/ک and the alefs each one letter).
- :func:`stem`: Snowball stems, Dutch for Dutch text; the languages Snowball
  has (english, arabic, persian, turkish, polish); a light suffix stripper for
  Somali (:func:`somali_stem`). Tigrinya and Ukrainian are only normalised.
- :func:`without_clitic`: an Arabic word without the article and the
  conjunctions and prepositions written onto it (``والكتابة``: ``كتابة``).
- :func:`compound_parts`: a Dutch compound split into words the directory
  knows (``huurachterstand``: ``huur`` + ``achterstand``), with the linking
  ``s``/``e``/``en`` between them.
- :func:`analyse_query`: a query as word groups (all groups must match, any
  alternative within a group may): the word and its prefix, its stems, its
  compound parts, a typo correction from the vocabulary, and the terms of
  every thesaurus concept it names, in the visitor's language and Dutch.
  Thesaurus phrases are found first; the words left that only frame the
  question (``search/stopwords.py``: "in", "my", "ik zoek") are dropped.
- :func:`index_terms`: the extra words indexed with a service (stems,
  compound parts, normalised forms), which the database index then holds.

Everything is bounded: a query has at most ``MAX_TERMS`` words, a group at
most ``MAX_ALTERNATIVES`` alternatives and a query ``MAX_QUERY_ALTERNATIVES``
in all, whatever the thesaurus says.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import snowballstemmer
from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from . import thesaurus as thesaurus_module
from .query import MAX_TERM_LENGTH, MAX_TERMS
from .stopwords import STOPWORDS

DUTCH = "nl"
SNOWBALL = {
    # Snowball 3's new Dutch stemmer drops a leading "ge" (gezondheid: zon,
    # gemeente: meen); the classic one keeps the word recognisable, as the
    # engine's Dutch stemmer does.
    "nl": "dutch_porter",
    "en": "english",
    "ar": "arabic",
    "fa": "persian",
    "tr": "turkish",
    "pl": "polish",
}
# Parts of a compound are at least this long: shorter ones (``ver``, ``be``)
# are syllables, not words.
MIN_PART = 4
# Between the parts of a Dutch compound: betaling-s-achterstand, gemeent-e-huis.
LINKING = ("s", "en", "e", "")
# A word shorter than this is matched whole, never as a prefix.
MIN_PREFIX = 4
MAX_ALTERNATIVES = 24
MAX_QUERY_ALTERNATIVES = 160
MAX_PHRASE = 4
# Every this many seconds a process learns the words of the services added or
# published since it last looked (one query): new words of edited services
# reach typo correction and compound splitting within a minute. Every service
# is read once, by the first process, not again by each every few minutes:
# at 100,000 services that read took 80 s, and it stalled the searches and the
# task queue behind it.
VOCABULARY_CHECK = 60

# Arabic script: one form per letter, as Lucene's Arabic and Persian normalisers do.
_ARABIC = str.maketrans(
    {
        "\u0640": None,  # tatweel
        "\u06cc": "\u064a",  # Persian yeh
        "\u0649": "\u064a",  # alef maksura
        "\u06a9": "\u0643",  # keheh
        "\u0623": "\u0627",  # alef with hamza above
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u0629": "\u0647",  # teh marbuta
        "\u06c0": "\u0647",  # heh with yeh above
        "\u06d5": "\u0647",  # ae
        "\u200c": None,  # zero-width non-joiner, common in Persian
    }
)
_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_LATIN_MARKS = re.compile("(?<=[a-z])[\u0300-\u036f]+")
# Latin letters that Unicode does not write as a base letter and a mark, so
# dropping marks leaves them: residents on a phone type sizinti for sızıntı
# and zaplacic for zapłacić.
_LATIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "đ": "d", "ø": "o", "ħ": "h"})
# An apostrophe inside a word is part of it (Ukrainian сім'ї, Somali go'aan,
# la'aan), and residents type it, another one (’ ʼ) or none: dropped, so all
# three forms are one word.
_INNER_APOSTROPHE = re.compile("(?<=\\w)['\u2019\u02bc`](?=\\w)")
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """``text`` case folded, without Latin accents, Arabic script in one form.

    Accents are dropped only after Latin letters: Cyrillic й is another letter
    than и, and Ukrainian residents type it."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = _LATIN_MARKS.sub("", text).translate(_LATIN_LETTERS)
    text = _INNER_APOSTROPHE.sub("", text)
    text = _TASHKEEL.sub("", text).translate(_ARABIC)
    return unicodedata.normalize("NFC", text)


def words(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The normalised words of ``text``: letters and digits of every script,
    at most ``limit`` words of at most ``MAX_TERM_LENGTH`` characters."""
    found = _WORD.findall(normalise(text[: limit * MAX_TERM_LENGTH * 2]))
    return [word[:MAX_TERM_LENGTH] for word in found[:limit]]


_stemmers = threading.local()


@functools.lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a normalised ``word``; the word itself in a
    language Snowball lacks (Tigrinya, Ukrainian, Somali). Cached: the pure
    Python stemmers take most of a millisecond a word, and indexing and
    compound splitting meet the same words again and again."""
    if language == "so":
        return somali_stem(word)
    algorithm = SNOWBALL.get(language)
    if not algorithm:
        return word
    # Snowball stemmers keep state while stemming: one per thread.
    cache = _stemmers.__dict__
    if algorithm not in cache:
        cache[algorithm] = snowballstemmer.stemmer(algorithm)
    # Normalised again: the Turkish stemmer gives borç for borclarım, and
    # the index and the query must meet on the plain form.
    return normalise(cache[algorithm].stemWord(word))


def search_stem(word: str, language: str) -> str:
    """The stem of ``word`` to search with, or ``word`` itself when the stem
    is not worth searching: a framing word of the language (Turkish
    ``sızıntı``, a leak, stems to ``siz``, "you", which every Turkish text
    has), or a stub of fewer than ``MIN_PREFIX`` letters that cut off half
    the word or more (``sorunu``: ``sor``, ``yardım``: ``yar``), which meets
    unrelated words. Snowball's Turkish stemmer also reads vowel harmony,
    which a phone's dotless i breaks. Arabic and Persian stems are roots
    by design, three letters being normal, so only their framing words count.

    Used for the query and the thesaurus lookups; the index keeps every
    stem, so a query that needs one still finds it through its other forms."""
    stemmed = stem(word, language)
    if stemmed == word:
        return word
    if stemmed in stopwords(language):
        return word
    if language not in ("ar", "fa") and len(stemmed) < MIN_PREFIX and 2 * len(stemmed) <= len(word):
        return word
    return stemmed


# A Somali noun with its definite article or possessive (k/g/t/d/h/sh and a
# vowel: guri-ga, qoys-ka, lacag-ta, xaafad-da, dhakhtar-ka; -kayga "my",
# -kiisa "his", ...). The article assimilates to the noun, so it is one of six
# consonants; the noun keeps at least three letters.
_SOMALI_ARTICLE = re.compile(
    "^(?P<noun>.{3,}?)(?:k|g|t|d|h|sh)(?:ayga|aaga|iisa|eeda|ayaga|eena|ooda|ii|a)$"
)


def somali_stem(word: str) -> str:
    """A light stem of a normalised Somali word: without its article or
    possessive, and without a final a/o/e, since nouns in -o take the
    article as -ada (shaqo, shaqada: shaq; kiro, kirada: kir).

    Snowball has no Somali stemmer and no other maintained one exists for
    Python; this strips only the suffixes every noun takes, on both sides
    (the index and the query), so a false cut costs precision, not recall."""
    found = _SOMALI_ARTICLE.match(word)
    if found:
        word = found["noun"]
    if len(word) >= 4 and word[-1] in "aoe":
        word = word[:-1]
    return word


# The article and the one-letter conjunctions and prepositions Arabic writes
# onto a word: و (and), ف (so), ب (with, in), ك (like), ل (for), with ال (the).
_ARABIC_ARTICLE = re.compile("^(?:[وفبك]?ال|لل)(?=..)")
_ARABIC_PREFIX = re.compile("^[وفبل](?=...)")


def without_clitic(word: str, known: Vocabulary | None = None) -> str:
    """An Arabic-script ``word`` without the clitics written onto it, or "":
    ``والكتابة`` gives ``كتابة``, ``للاطفال`` gives ``اطفال``. A lone و, ف, ب or
    ل is cut only when what remains is a word the directory knows, since many
    words start with those letters (``بيت``, ``لغة``)."""
    stripped = _ARABIC_ARTICLE.sub("", word)
    if stripped != word:
        return stripped
    stripped = _ARABIC_PREFIX.sub("", word)
    if stripped != word and known is not None and stripped in known.words:
        return stripped
    return ""


class Vocabulary:
    """The words a search can lead to: every normalised word of the
    directory's services and the thesaurus, with their Dutch stems.

    Compound parts and typo corrections are checked against it, so a split
    or a correction always names a word some service (or concept) has."""

    def __init__(self, known: Iterable[str] = (), counts: Counter | None = None):
        self._counts = Counter(word for word in known if len(word) >= 2)
        if counts:
            self._counts.update({word: n for word, n in counts.items() if len(word) >= 2})
        self.words = frozenset(self._counts)
        self.stems = frozenset(stem(word, DUTCH) for word in self.words)
        self._sorted = sorted(self.words)
        self._reversed = sorted(word[::-1] for word in self.words)
        self._initials: dict[str, list[str]] | None = None
        # Splits already made: indexing meets the same words again and again.
        self.parts: dict[str, list[str]] = {}

    @property
    def _by_initial(self) -> dict[str, list[str]]:
        """Typo candidates by first letter (a resident rarely mistypes the
        first), the most frequent first so that it wins a tie."""
        if self._initials is None:
            self._initials = {}
            for word, _count in self._counts.most_common():
                if len(word) >= MIN_PREFIX:
                    self._initials.setdefault(word[0], []).append(word)
        return self._initials

    def add(self, known: Iterable[str]) -> None:
        """Take in the words of services written since it was read, as a
        read of the whole directory would have found them."""
        self.add_counts(Counter(known))

    def add_counts(self, counts: Counter) -> None:
        """``add``, for words already counted."""
        counts = Counter({word: n for word, n in counts.items() if len(word) >= 2})
        if not counts:
            return
        # A new Counter, not this one changed: a search in another thread may
        # be reading it (copy on write).
        self._counts = self._counts + counts
        self._initials = None
        new = [word for word in counts if word not in self.words]
        if not new:
            return
        self.words = self.words | frozenset(new)
        self.stems = self.stems | {stem(word, DUTCH) for word in new}
        # Two sorted runs: Python's sort merges them in one pass.
        self._sorted = sorted([*self._sorted, *sorted(new)])
        self._reversed = sorted([*self._reversed, *sorted(word[::-1] for word in new)])
        # A new word can make a split of its own (or a better one).
        self.parts.clear()

    def __contains__(self, word: str) -> bool:
        return word in self.words or stem(word, DUTCH) in self.stems

    def _has_prefix(self, sorted_words: list[str], prefix: str) -> bool:
        at = bisect.bisect_left(sorted_words, prefix)
        return at < len(sorted_words) and sorted_words[at].startswith(prefix)

    def starts_a_word(self, prefix: str) -> bool:
        return self._has_prefix(self._sorted, prefix)

    def is_part(self, part: str) -> bool:
        """A word of its own, or one that starts some words and ends others
        (``betaling``: ``betalingsregeling``, ``huurbetaling``), as words
        that only occur in compounds do; a syllable (``inbur``) does not."""
        if len(part) < MIN_PART:
            return False
        if part in self:
            return True
        return (
            len(part) >= 5
            and self.starts_a_word(part)
            and self._has_prefix(self._reversed, part[::-1])
        )

    def correction(self, word: str) -> str:
        """The known word ``word`` is most likely a typo of, or ""."""
        if len(word) < MIN_PREFIX or word in self or self.starts_a_word(word):
            return ""
        allowed = 1 if len(word) < 8 else 2
        candidates = self._by_initial.get(word[0], [])
        best = extractOne(word, candidates, scorer=OSA.distance, score_cutoff=allowed)
        return best[0] if best else ""


def compound_parts(word: str, vocabulary: Vocabulary, depth: int = 3) -> list[str]:
    """``word`` split into known words, or [] when it is not a compound of
    known words: ``huurachterstand`` gives ``huur``, ``achterstand``. Of the
    possible splits the one of the fewest parts, then the most whole words
    (rather than fragments), wins."""
    if word in vocabulary.parts:
        return vocabulary.parts[word]
    splits = _splits(word, vocabulary, depth)
    best = (
        max(splits, key=lambda parts: (-len(parts), sum(p in vocabulary for p in parts)))
        if splits
        else []
    )
    if len(vocabulary.parts) < 200_000:
        vocabulary.parts[word] = best
    return best


def _splits(word: str, vocabulary: Vocabulary, depth: int) -> list[list[str]]:
    if depth == 0 or len(word) < 2 * MIN_PART:
        return []
    found = []
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head, rest = word[:cut], word[cut:]
        if not vocabulary.is_part(head):
            continue
        for link in LINKING:
            if not rest.startswith(link):
                continue
            tail = rest[len(link) :]
            if len(tail) < MIN_PART:
                continue
            if vocabulary.is_part(tail):
                found.append([head, tail])
            found += [[head, *deeper] for deeper in _splits(tail, vocabulary, depth - 1)]
    return found


# An alternative: words that must all match, each (word, as a prefix).
Clause = tuple[tuple[str, bool], ...]


@dataclass
class WordGroup:
    text: str  # the resident's word(s)
    alternatives: list[Clause] = field(default_factory=list)

    def add(self, clause: Clause) -> None:
        if clause and clause not in self.alternatives and len(self.alternatives) < MAX_ALTERNATIVES:
            self.alternatives.append(clause)

    def terms(self) -> list[str]:
        """Every word of every alternative, for highlighting."""
        return list(dict.fromkeys(word for clause in self.alternatives for word, _ in clause))


@dataclass
class AnalysedQuery:
    groups: list[WordGroup]
    suggestion: str = ""  # the query with its typos corrected, or ""

    def terms(self) -> list[str]:
        return list(dict.fromkeys(term for group in self.groups for term in group.terms()))


def _as_prefix(word: str) -> tuple[str, bool]:
    return (word, len(word) >= MIN_PREFIX)


def _clause_of_words(term_words: list[str], language: str) -> Clause:
    """A thesaurus term as an alternative: each of its words by its stem, as a
    prefix, so ``juridisch advies`` finds ``juridische adviezen``. A clause
    has at most ``MAX_PHRASE`` words: a longer term leaves out its framing
    words first, so that the words naming the thing are kept (``geen plek
    om te slapen`` is ``geen plek slapen``, not ``geen plek om te``, which a
    homework class has)."""
    if len(term_words) > MAX_PHRASE:
        framing = stopwords(language)
        term_words = [word for word in term_words if word not in framing] or term_words
    return tuple(_as_prefix(search_stem(word, language)) for word in term_words[:MAX_PHRASE])


def _spellings(term: str) -> set[str]:
    """``term`` as residents type it: Persian writes a zero-width non-joiner
    inside words (راه‌اندازی), which phones type as nothing or as a space."""
    return {term, term.replace("\u200c", " ")}


@dataclass
class ConceptIndex:
    """The thesaurus as lookups: a term's words (normalised, and stemmed in
    its language) to the concepts having it."""

    concepts: list[thesaurus_module.Concept]
    by_words: dict[tuple[str, ...], list[int]]

    @classmethod
    def build(cls, thesaurus: thesaurus_module.Thesaurus) -> ConceptIndex:
        by_words: dict[tuple[str, ...], list[int]] = {}
        concepts = list(thesaurus.concepts)
        for number, concept in enumerate(concepts):
            for language, term in concept.all_terms():
                for spelling in _spellings(term):
                    term_words = tuple(words(spelling, MAX_PHRASE + 1))
                    if not term_words or len(term_words) > MAX_PHRASE:
                        continue
                    stems = tuple(search_stem(word, language) for word in term_words)
                    for key in {term_words, stems}:
                        if number not in by_words.setdefault(key, []):
                            by_words[key].append(number)
        return cls(concepts, by_words)

    def lookup(self, phrase: list[str], languages: Iterable[str]) -> list[int]:
        keys = {tuple(phrase)} | {
            tuple(search_stem(word, lang) for word in phrase) for lang in languages
        }
        found: list[int] = []
        for key in keys:
            found += [n for n in self.by_words.get(key, ()) if n not in found]
        return found

    def words(self) -> set[str]:
        return {word for key in self.by_words for word in key}


_cache_lock = threading.Lock()
_cache: dict[str, tuple] = {}
# Held while the directory's words are read or grown, by one thread at a time.
_growth_lock = threading.Lock()
# The directory's words in the shared cache (Redis in production), for every
# process: read from every service once, not by each process every few minutes.
SHARED_WORDS_KEY = "search:directory-words:v1"
# Grown by more words than this, they are stored in the shared cache again,
# so that a process started later does not read them one by one (an import).
SHARE_AFTER = 10_000


def concept_index() -> ConceptIndex:
    """The thesaurus lookups, built again when ``Thesaurus.version`` changes,
    so an edit reaches the next search without a restart."""
    current = thesaurus_module.current()
    cached = _cache.get("concepts")
    if cached and cached[0] == current.version:
        return cached[1]
    index = ConceptIndex.build(current)
    with _cache_lock:
        _cache["concepts"] = (current.version, index)
    return index


@dataclass
class DirectoryWords:
    """The words of the directory's services with their counts, and how far
    the services were read: up to which id, and up to which publication."""

    counts: Counter
    last_pk: int = 0
    last_published: datetime.datetime | None = None
    services: int = 0  # how many services were counted when last asked
    checked: float = field(default_factory=time.monotonic)

    def take(self, rows: Iterable[tuple]) -> Counter:
        """Count the words of ``rows`` (id, published, title, summary, body)
        that were not known yet, and return them. A known word is not counted
        again, so that a service published again does not count twice."""
        new = Counter()
        for pk, published, *texts in rows:
            for word in service_words(*texts):
                if word not in self.counts:
                    new[word] += 1
            self.last_pk = max(self.last_pk, pk)
            if published and (self.last_published is None or published > self.last_published):
                self.last_published = published
        # A new Counter, not this one changed: another thread may be reading it.
        self.counts = self.counts + new
        return new


def _service_texts():
    from directory.models import ServicePage

    return ServicePage.objects.order_by().values_list(
        "pk", "last_published_at", "title", "summary", "body"
    )


def _theme_words() -> Iterable[str]:
    from directory.models import Theme

    for (name,) in Theme.objects.values_list("name"):
        yield from words(name)


def read_directory() -> DirectoryWords:
    """Every word of every service's title, summary, description and of the
    themes, read from every service: minutes at national scale, so done once
    and shared with every process through the cache (``directory_words``)."""
    read = DirectoryWords(Counter())
    read.take(_service_texts().iterator(2000))
    read.counts.update(_theme_words())
    read.services = _service_texts().count()
    return read


def _grow(read: DirectoryWords) -> Counter:
    """Add the words of services added or published since ``read`` was read
    (one query), and of themes; returns the words that were new."""
    from django.db.models import Q

    since = Q(pk__gt=read.last_pk)
    if read.last_published is not None:
        since |= Q(last_published_at__gt=read.last_published)
    new = read.take(_service_texts().filter(since).iterator(2000))
    themes = Counter(word for word in _theme_words() if word not in read.counts)
    read.counts = read.counts + themes
    read.checked = time.monotonic()
    return new + themes


def _grow_and_share(read: DirectoryWords) -> Counter:
    """``_grow``; grown by many words (an import), ``read`` is stored in the
    shared cache again, so that a process started later does not read them
    one by one."""
    from django.core.cache import cache

    new = _grow(read)
    if sum(new.values()) > SHARE_AFTER:
        cache.set(SHARED_WORDS_KEY, read, timeout=None)
    return new


def directory_words() -> DirectoryWords:
    """The directory's words, as this process knows them: taken from the
    shared cache, where one process stored them after reading every service,
    and grown with what was published since. Only when the cache has none
    is every service read, and the result stored there for the others."""
    from django.core.cache import cache

    read = _cache.get("directory")
    if read is None:
        with _growth_lock:
            read = _cache.get("directory")
            if read is None:
                read = cache.get(SHARED_WORDS_KEY)
                if read is None:
                    read = read_directory()
                    cache.set(SHARED_WORDS_KEY, read, timeout=None)
                else:
                    _grow_and_share(read)
                with _cache_lock:
                    _cache["directory"] = read
    return read


def service_words(title: str, summary: str, body: str) -> list[str]:
    """The words a service adds to the vocabulary."""
    return words(" ".join((title, summary, body)), limit=100_000)


# A bulk writer's vocabulary (``growing_vocabulary``), in place of the cached one.
_growing: ContextVar[list[Vocabulary | None] | None] = ContextVar(
    "growing_vocabulary", default=None
)


def vocabulary(services: int | Callable[[], int] | None = None) -> Vocabulary:
    """The vocabulary of the directory and the thesaurus. Every
    ``VOCABULARY_CHECK`` seconds, or at once when given the number of
    ``services`` now (or a function counting them) and there are more than
    it knows of, it learns the words of services added or published since
    (a directory being filled splits its compounds against its words). It
    is built again only when the thesaurus changed, and never reads every
    service again. Within ``growing_vocabulary`` the one read at its start
    and grown since."""
    if (growing := _growing.get()) is not None:
        if growing[0] is None:
            growing[0] = _build(concept_index(), directory_words())
        return growing[0]
    concepts = concept_index()
    read = directory_words()
    cached = _cache.get("vocabulary")
    if cached is None or cached[0] is not concepts:
        built = _build(concepts, read)
        _remember(concepts, built)
        return built
    built = cached[1]
    counted = _counted(services) if services is not None else None
    if time.monotonic() - read.checked >= VOCABULARY_CHECK or (
        counted is not None and counted > read.services
    ):
        with _growth_lock:
            new = _grow_and_share(read)
            if counted is not None:
                read.services = counted
            if new:
                built.add_counts(new)
    return built


def _counted(services: int | Callable[[], int]) -> int:
    return services() if callable(services) else services


def _build(concepts: ConceptIndex, read: DirectoryWords) -> Vocabulary:
    return Vocabulary(concepts.words(), counts=read.counts)


def _remember(concepts: ConceptIndex, built: Vocabulary) -> None:
    with _cache_lock:
        _cache["vocabulary"] = (concepts, built)


@contextmanager
def growing_vocabulary():
    """For a bulk writer (the HSDS import): the vocabulary is read once, at
    its first use, and then grown with the words of what is written
    (``grow``), instead of counting the services at every service's
    indexing. At the end it becomes the cached vocabulary."""
    token = _growing.set([None])
    try:
        yield
        grown = _growing.get()[0]
    finally:
        _growing.reset(token)
    if grown is not None:
        _remember(concept_index(), grown)


def grow(texts: Iterable[tuple[str, str, str]]) -> None:
    """Within ``growing_vocabulary``: add the words of services written,
    as (title, summary, body), before they are indexed."""
    growing = _growing.get()
    if growing is not None and growing[0] is not None:
        growing[0].add(word for text in texts for word in service_words(*text))


def forget() -> None:
    """Drop the cached lookups and the shared words (tests change the
    directory under them)."""
    forget_directory_words()
    with _cache_lock:
        _cache.clear()


def forget_directory_words() -> None:
    """Drop what this process learnt of the directory's words, keeping the
    thesaurus's (tests: a rolled-back service sends no signal, and its words
    would otherwise count in the next test's typo corrections)."""
    from django.core.cache import cache

    with _cache_lock:
        _cache.pop("directory", None)
        _cache.pop("vocabulary", None)
    cache.delete(SHARED_WORDS_KEY)


def _word_group(
    word: str, language: str, known: Vocabulary, concepts: ConceptIndex, languages: list[str]
) -> tuple[WordGroup, str]:
    """The alternatives of one word, and its typo correction ("" if none)."""
    group = WordGroup(word)
    correction = known.correction(word)
    candidates = [word, correction] if correction else [word]
    if "\u0600" <= word[0] <= "\u06ff":
        bare = without_clitic(word, known)
        if bare:
            candidates.append(bare)
    for candidate in candidates:
        group.add((_as_prefix(candidate),))
        for lang in languages:
            stemmed = search_stem(candidate, lang)
            if stemmed != candidate:
                group.add(((stemmed, False),))
        parts = compound_parts(candidate, known)
        if parts:
            group.add(tuple(_as_prefix(part) for part in parts))
        # A term of any language names its concept: ``lawyer`` typed on the
        # Dutch site still means legal aid.
        numbers = concepts.lookup([candidate], thesaurus_module.LANGUAGES)
        _add_concepts(group, numbers, concepts, languages)
    return group, correction


def _add_concepts(group, numbers: list[int], concepts: ConceptIndex, languages) -> None:
    for number in numbers:
        concept = concepts.concepts[number]
        for lang in languages:
            for term in concept.terms.get(lang, ()):
                term_words = words(term, 2 * MAX_PHRASE)
                if term_words:
                    group.add(_clause_of_words(term_words, lang))


def analyse_query(text: str, language: str) -> AnalysedQuery:
    """The word groups of ``text`` typed by a visitor reading ``language``.

    Services in her language and Dutch ones are searched, so stems and
    thesaurus terms are in both. A phrase of up to ``MAX_PHRASE`` words that
    is a thesaurus term becomes one group (``rood staan``: debt)."""
    query_words = words(text)
    if not query_words:
        return AnalysedQuery([])
    languages = list(dict.fromkeys([language, DUTCH]))
    concepts = concept_index()
    known = vocabulary()
    groups: list[WordGroup] = []
    suggestion: list[str] = []
    corrected = False
    position = 0
    # Words that only frame the question are dropped, unless nothing else is left.
    framing = stopwords(language)
    if all(word in framing for word in query_words):
        framing = frozenset()
    corrections: dict[str, str] = {}

    def fixed(word: str) -> str:
        if word not in corrections:
            corrections[word] = known.correction(word)
        return corrections[word] or word

    while position < len(query_words):
        for size in range(min(MAX_PHRASE, len(query_words) - position), 1, -1):
            phrase = query_words[position : position + size]
            numbers = concepts.lookup(phrase, [*languages, *thesaurus_module.LANGUAGES])
            if not numbers:
                # A typo inside a thesaurus phrase (``kalcak yer``) still
                # names the phrase's concept.
                typed, phrase = phrase, [fixed(word) for word in phrase]
                if phrase != typed:
                    numbers = concepts.lookup(phrase, [*languages, *thesaurus_module.LANGUAGES])
                    corrected = corrected or bool(numbers)
            if numbers:
                group = WordGroup(" ".join(phrase))
                group.add(tuple(_as_prefix(word) for word in phrase))
                _add_concepts(group, numbers, concepts, languages)
                groups.append(group)
                suggestion += phrase
                position += size
                break
        else:
            word = query_words[position]
            if word in framing:
                suggestion.append(word)
                position += 1
                continue
            group, correction = _word_group(word, language, known, concepts, languages)
            groups.append(group)
            suggestion.append(correction or word)
            corrected = corrected or bool(correction)
            position += 1
    _within_budget(groups)
    return AnalysedQuery(groups, " ".join(suggestion) if corrected else "")


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    """The normalised framing words of ``language`` (search/stopwords.py)."""
    return frozenset(words(STOPWORDS.get(language, ""), limit=10_000))


def _within_budget(groups: list[WordGroup]) -> None:
    """Cut each group's alternatives to an equal share of the query's budget;
    the first alternatives (the word itself, its stems) are kept."""
    share = max(4, MAX_QUERY_ALTERNATIVES // max(1, len(groups)))
    for group in groups:
        del group.alternatives[share:]


def index_terms(texts: Iterable[str], language: str, known: Vocabulary | None = None) -> str:
    """The words to index with a service besides its own text: normalised
    forms that differ from the text, stems, and compound parts with their
    stems. Dutch compounds are split only against a vocabulary."""
    seen: set[str] = set()
    extra: list[str] = []

    def add(word: str) -> None:
        if word not in seen:
            seen.add(word)
            extra.append(word)

    for text in texts:
        plain = set(re.findall(r"[^\W_]+", text.lower()))
        for word in words(text, limit=100_000):
            if word in seen:
                continue
            if word not in plain:
                add(word)
            seen.add(word)
            stemmed = stem(word, language)
            if stemmed != word:
                add(stemmed)
            if known is not None and language == DUTCH:
                for part in compound_parts(word, known):
                    add(part)
                    add(stem(part, language))
    return " ".join(extra)


WIJK_NAMES_TTL = 60


def wijk_names() -> dict[tuple[str, ...], str]:
    """The normalised words of every wijk's name (in every language), to the
    wijk's CBS code; read again after ``WIJK_NAMES_TTL`` seconds."""
    from directory.models import WijkPage

    cached = _cache.get("wijken")
    if cached and time.monotonic() - cached[0] < WIJK_NAMES_TTL:
        return cached[1]
    names: dict[tuple[str, ...], str] = {}
    for title, code in WijkPage.objects.values_list("title", "cbs_code"):
        name = tuple(words(title))
        if name and code:
            names.setdefault(name, code)
    with _cache_lock:
        _cache["wijken"] = (time.monotonic(), names)
    return names


def find_wijk(text: str, names: dict[tuple[str, ...], str]) -> tuple[str, str]:
    """``text`` without the wijk name it contains, and that wijk's code; or
    ``text`` unchanged and "" when it names no wijk (or more than one)."""
    query_words = words(text)
    found = []
    for name, code in names.items():
        for start in range(len(query_words) - len(name) + 1):
            if tuple(query_words[start : start + len(name)]) == name:
                found.append((start, len(name), code))
    codes = {code for *_, code in found}
    if len(codes) != 1:
        return text, ""
    start, size, code = max(found, key=lambda item: item[1])
    rest = query_words[:start] + query_words[start + size :]
    return " ".join(rest), code
