"""Short words as index tokens: overlapping character bigrams of Hangul and CJK text.

A trigram index cannot answer a two-letter word (임금, 여권: most Korean words are two syllables),
and a substring scan of a million texts takes seconds. So each run of Hangul/CJK letters is also
written as its overlapping bigrams ("벌목장" → "벌목 목장"), and each Latin or digit word shorter than
three letters as itself: a word-token index then finds a two-letter word, even inside a compound,
as an exact token (docs/decisions/0013-full-text-search.md).
"""

import re

WORD = re.compile(r"[^\W_]+")
SHORT = 3  # from this length on, the trigram index answers


def is_cjk(char: str) -> bool:
    """Whether `char` is a Hangul, kana or Han letter (compounds written without spaces).

    Args:
        char: One character.

    Returns:
        True for Hangul syllables and jamo, kana and CJK ideographs.
    """
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3130 <= code <= 0x318F  # compatibility jamo
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
    )


def _runs(word: str) -> list[tuple[bool, str]]:
    """The word cut where it passes between CJK and other letters ("벌목2017" → 벌목, 2017)."""
    runs: list[tuple[bool, str]] = []
    for char in word:
        cjk = is_cjk(char)
        if runs and runs[-1][0] == cjk:
            runs[-1] = (cjk, runs[-1][1] + char)
        else:
            runs.append((cjk, char))
    return runs


def tokens(text: str) -> list[str]:
    """The tokens of `text`, each once, in order of first appearance.

    Args:
        text: Folded text (the search entry's body, or one query word).

    Returns:
        The overlapping bigrams of each CJK run (a lone CJK letter as itself) and the non-CJK
        words shorter than three letters; longer non-CJK words are left to the trigram index.
    """
    found: dict[str, None] = {}
    for word in WORD.findall(text):
        for cjk, run in _runs(word):
            if cjk and len(run) > 1:
                found.update((run[i : i + 2], None) for i in range(len(run) - 1))
            elif len(run) < SHORT:
                found[run] = None
    return list(found)
