"""Checks that help partners write service summaries at about B1 level.

They warn, never block: a partner may have a good reason for a long word, but
most long sentences and long compound words can be said more simply, and
residents who read little Dutch give up on them.
"""

import re

from django.utils.translation import gettext as _

MAX_WORDS_PER_SENTENCE = 15
MAX_LETTERS_PER_WORD = 16


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text or "") if part.strip()]


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text or "")


def plain_language_warnings(text: str) -> list[str]:
    """What makes ``text`` hard to read, in words an editor can act on."""
    warnings = []
    long_sentences = [s for s in sentences(text) if len(words(s)) > MAX_WORDS_PER_SENTENCE]
    if long_sentences:
        warnings.append(
            _("A sentence has more than %(limit)d words. Try two shorter sentences: “%(sentence)s”")
            % {"limit": MAX_WORDS_PER_SENTENCE, "sentence": long_sentences[0][:120]}
        )
    long_words = sorted({w for w in words(text) if len(w) > MAX_LETTERS_PER_WORD})
    if long_words:
        warnings.append(
            _("Long words are hard to read: %(words)s. Can you say it with shorter words?")
            % {"words": ", ".join(long_words)}
        )
    return warnings
