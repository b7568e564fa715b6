"""What reaches a full-text parser from a visitor's words."""

from search.query import MAX_TERM_LENGTH, MAX_TERMS, search_terms


def test_syntax_characters_are_dropped_and_words_kept_in_every_script():
    assert search_terms('"schulden" AND (huur*) -wonen') == "schulden and huur wonen"
    assert search_terms("مساعدة في الديون") == "مساعدة في الديون"
    assert search_terms("ትግርኛ Українська") == "ትግርኛ українська"


def test_nothing_but_symbols_leaves_no_words():
    assert search_terms("💸 🏠 *:* <>") == ""


def test_a_pasted_essay_is_cut_to_a_sane_query():
    words = search_terms("x" * 10_000 + " " + "woord " * 500).split()
    assert len(words) <= MAX_TERMS
    assert max(len(word) for word in words) <= MAX_TERM_LENGTH
