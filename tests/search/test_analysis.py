"""The text analysis both backends share (search/analysis.py): what a
resident's words become before they are looked up."""

import time

import pytest

from search.analysis import (
    MAX_QUERY_ALTERNATIVES,
    ConceptIndex,
    Vocabulary,
    _clause_of_words,
    analyse_query,
    compound_parts,
    find_wijk,
    index_terms,
    normalise,
    search_stem,
    somali_stem,
    stem,
    without_clitic,
    words,
)
from search.thesaurus import Concept, Thesaurus

KNOWN = Vocabulary(
    [
        "huur",
        "achterstand",
        "betalingsregeling",
        "huurbetaling",
        "schuld",
        "schulden",
        "hulp",
        "inburgering",
        "cursus",
        "taal",
        "cafe",
        "geld",
        "zaken",
        "alleen",
    ]
)


def test_accents_on_latin_letters_are_dropped():
    assert normalise("Taalcafé") == normalise("taalcafe") == "taalcafe"
    assert normalise("ÇİĞ") == "cig"


def test_latin_letters_without_a_mark_are_typed_plain_too():
    # Turkish dotless i and Polish ł have no accent to drop; phones type i and l.
    assert normalise("sızıntı") == "sizinti"
    assert normalise("zapłacić") == "zaplacic"


def test_an_apostrophe_inside_a_word_is_part_of_it_in_any_form():
    assert words("сім'ї") == words("сім’ї") == words("сімї") == ["сімї"]
    assert words("go'aan la'aan") == ["goaan", "laaan"]
    assert words("'quoted'") == ["quoted"]


def test_stems_are_plain_as_the_index_and_the_query_meet_on_plain_forms():
    # The Turkish stemmer gives borç back for borclarım.
    assert stem("borclarım", "tr") == stem(normalise("borçlarım"), "tr") == "borc"


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("guriga", "guri"),
        ("qoyska", "qoys"),
        ("lacagta", "lacag"),
        ("xaafadda", "xaafad"),
        ("dhakhtarka", "dhakhtar"),
        ("guriga", "guri"),
    ],
)
def test_somali_nouns_lose_their_article(word, noun):
    assert somali_stem(word) == somali_stem(noun)
    assert stem(word, "so") == stem(noun, "so")


def test_somali_nouns_in_o_meet_their_article_form_in_a():
    assert somali_stem("shaqada") == somali_stem("shaqo")
    assert somali_stem("kirada") == somali_stem("kiro")


def test_arabic_article_and_clitics_are_cut_off():
    assert without_clitic(normalise("والكتابة")) == normalise("كتابة")
    assert without_clitic(normalise("للأطفال")) == normalise("أطفال")
    assert without_clitic(normalise("بالوحدة")) == normalise("وحدة")


def test_a_lone_arabic_prefix_letter_is_cut_only_before_a_known_word():
    known = Vocabulary(["عمل", "بيت"])
    assert without_clitic("وعمل", known) == "عمل"
    assert without_clitic("بيت", known) == ""  # ب is part of the word
    assert without_clitic("وعمل") == ""


def test_a_persian_term_with_a_zero_width_non_joiner_is_found_typed_with_a_space():
    concept = Concept(key="business", terms={"fa": ("راه\u200cاندازی شرکت",)})
    index = ConceptIndex.build(Thesaurus(concepts=(concept,)))
    assert index.lookup(words("راه اندازی شرکت"), ["fa"]) == [0]
    assert index.lookup(words("راهاندازی شرکت"), ["fa"]) == [0]


def test_cyrillic_letters_keep_their_marks():
    assert normalise("Йод") == "йод"


def test_arabic_and_persian_letters_are_written_one_way():
    # Persian yeh and keheh, tashkeel, tatweel
    assert normalise("کتابی") == normalise("كتابي")
    assert normalise("مُحَامِي") == normalise("محامي")
    assert normalise("محـــامي") == normalise("محامي")


def test_words_are_letters_and_digits_of_every_script():
    assert words('"schulden" AND (huur*) -wonen') == ["schulden", "and", "huur", "wonen"]
    assert words("ትግርኛ Українська") == ["ትግርኛ", "українська"]


def test_dutch_is_stemmed_so_word_forms_meet():
    assert stem("schulden", "nl") == stem("schuld", "nl")
    assert stem("wijken", "nl") == stem("wijk", "nl")


def test_dutch_stems_keep_a_leading_ge():
    # Snowball 3's new Dutch stemmer gives "zon" for "gezondheid".
    assert stem("gezondheid", "nl").startswith("gezond")


def test_a_stem_that_is_a_framing_word_is_not_searched():
    # Snowball cuts Turkish sızıntı (a leak) to siz, "you", which every
    # Turkish text has: the word is searched as typed instead.
    assert stem("sizinti", "tr") == "siz"
    assert search_stem("sizinti", "tr") == "sizinti"


def test_a_stub_that_cut_off_half_the_word_is_not_searched():
    assert stem("sorunu", "tr") == "sor"
    assert search_stem("sorunu", "tr") == "sorunu"
    # A stem that keeps the word's root is searched as before.
    assert search_stem("borclarim", "tr") == "borc"
    assert search_stem("schulden", "nl") == "schuld"


def test_arabic_roots_of_three_letters_are_searched():
    assert search_stem("بالوحدة", "ar") == stem("بالوحدة", "ar") == "وحد"


def test_languages_without_a_stemmer_keep_their_words():
    assert stem("юристи", "uk") == "юристи"


@pytest.mark.parametrize(
    ("compound", "parts"),
    [
        ("huurachterstand", ["huur", "achterstand"]),
        # a linking s, and a part that only occurs inside compounds
        ("betalingsachterstand", ["betaling", "achterstand"]),
        ("inburgeringscursus", ["inburgering", "cursus"]),
        ("schuldhulp", ["schuld", "hulp"]),
    ],
)
def test_compounds_split_into_known_words(compound, parts):
    assert compound_parts(compound, KNOWN) == parts


@pytest.mark.parametrize("word", ["alleen", "inburgering", "achterstand", "zwembadvergunning"])
def test_words_that_are_no_compound_of_known_words_stay_whole(word):
    assert compound_parts(word, KNOWN) == []


def test_a_typo_is_corrected_to_the_nearest_known_word():
    assert KNOWN.correction("schuldhlup") == ""  # not known: no correction to invent
    known = Vocabulary(["schuldhulp", "schulden"])
    assert known.correction("schuldhlup") == "schuldhulp"
    assert known.correction("schuldn") == "schulden"


def test_known_words_and_beginnings_of_words_are_no_typos():
    known = Vocabulary(["schuldhulpverlening", "schulden"])
    assert known.correction("schulden") == ""
    assert known.correction("schuldhulp") == ""


def test_a_vocabulary_grown_with_new_words_answers_as_one_read_with_them():
    read = Vocabulary(["huur", "huur", "schulden", "betaling", "cursus"])
    read.add(["huurachterstand", "achterstand", "schulden", "zwembad"])
    whole = Vocabulary(
        ["huur", "huur", "schulden", "betaling", "cursus"]
        + ["huurachterstand", "achterstand", "schulden", "zwembad"]
    )
    assert (read.words, read.stems) == (whole.words, whole.stems)
    assert compound_parts("betalingsachterstand", read) == ["betaling", "achterstand"]
    for word in ("zwembda", "schuldn", "achterstnd", "huurachterstnd"):
        assert read.correction(word) == whole.correction(word) != ""


def test_a_split_made_before_a_word_was_added_is_made_again():
    known = Vocabulary(["huur", "betaling"])
    assert compound_parts("huurachterstand", known) == []
    known.add(["achterstand"])
    assert compound_parts("huurachterstand", known) == ["huur", "achterstand"]


def test_indexed_text_adds_stems_parts_and_plain_forms():
    extra = index_terms(["Hulp bij een huurachterstand in het Taalcafé"], "nl", KNOWN).split()
    assert {"huur", "achterstand", "taalcafe"} <= set(extra)
    assert "hulp" not in extra  # already in the text as it is


@pytest.mark.django_db
def test_a_query_word_groups_its_forms_parts_and_prefix(concepts):
    (group,) = analyse_query("huurachterstand", "nl").groups
    assert (("huurachterstand", True),) in group.alternatives
    assert (("huur", True), ("achterstand", True)) in group.alternatives


@pytest.mark.django_db
def test_a_term_in_any_language_expands_to_the_concepts_terms(concepts):
    (group,) = analyse_query("lawyer", "nl").groups
    assert (("advocat", True),) in group.alternatives or (("advocaat", True),) in group.alternatives
    assert (("juridisch", True), ("advies", True)) in group.alternatives


@pytest.mark.django_db
def test_a_phrase_of_the_thesaurus_is_one_group(concepts):
    (group,) = analyse_query("rood staan", "nl").groups
    assert group.text == "rood staan"
    assert any(clause[0][0].startswith("schuld") for clause in group.alternatives)


@pytest.mark.django_db
def test_a_typo_gives_a_suggestion(concepts):
    analysed = analyse_query("hulp schuldhlup", "nl")
    assert analysed.suggestion == "hulp schuldhulp"
    assert analyse_query("hulp schuldhulp", "nl").suggestion == ""


@pytest.mark.django_db
def test_a_typo_inside_a_thesaurus_phrase_still_names_its_concept(concepts):
    analysed = analyse_query("rood staaan", "nl")
    (group,) = analysed.groups
    assert group.text == "rood staan"
    assert any(clause[0][0].startswith("schuld") for clause in group.alternatives)
    assert analysed.suggestion == "rood staan"


def test_a_long_thesaurus_term_keeps_the_words_that_name_the_thing():
    # At most four words of a term are searched; "om te" would have pushed
    # "slapen" out, and any text has "om" and "te".
    assert _clause_of_words(words("geen plek om te slapen"), "nl") == (
        ("gen", False),
        ("plek", True),
        ("slap", True),
    )
    assert _clause_of_words(words("juridisch advies"), "nl") == (
        ("juridisch", True),
        ("advies", True),
    )


@pytest.mark.django_db
def test_help_itself_frames_the_question(concepts):
    # In a directory of help the word names nothing a service offers.
    assert [group.text for group in analyse_query("help with my debts", "en").groups] == ["debts"]


@pytest.mark.django_db
def test_a_long_query_stays_within_its_budget(concepts):
    text = " ".join(["schulden lawyer dokter rood staan"] * 8)[:200]
    analyse_query("schulden", "en")  # the vocabulary is read once, not per search
    started = time.perf_counter()
    analysed = analyse_query(text, "en")
    assert time.perf_counter() - started < 1
    assert sum(len(group.alternatives) for group in analysed.groups) <= MAX_QUERY_ALTERNATIVES


@pytest.mark.django_db
def test_words_that_only_frame_the_question_are_dropped(concepts):
    analysed = analyse_query("I need a lawyer for my debts", "en")
    assert [group.text for group in analysed.groups] == ["lawyer", "debts"]


@pytest.mark.django_db
def test_framing_words_of_another_language_are_kept(concepts):
    # "my" frames an English question; typed on the Dutch site it stays a word.
    analysed = analyse_query("lawyer my", "nl")
    assert [group.text for group in analysed.groups] == ["lawyer", "my"]


@pytest.mark.django_db
def test_a_query_of_framing_words_only_keeps_them(concepts):
    assert [group.text for group in analyse_query("where is it", "en").groups] == [
        "where",
        "is",
        "it",
    ]


@pytest.mark.django_db
def test_a_thesaurus_phrase_is_found_before_framing_words_are_dropped(concepts):
    (group,) = analyse_query("lawyer for free", "en").groups
    assert group.text == "lawyer for free"
    assert any(clause[0][0].startswith("juridisch") for clause in group.alternatives)


def test_a_wijk_named_in_the_query_becomes_its_filter():
    names = {("overvecht",): "WK034405", ("noordoost",): "WK034404"}
    assert find_wijk("Schulden Overvecht", names) == ("schulden", "WK034405")
    assert find_wijk("schulden", names) == ("schulden", "")
    # Two wijken: neither is chosen for her.
    assert find_wijk("overvecht noordoost", names) == ("overvecht noordoost", "")
