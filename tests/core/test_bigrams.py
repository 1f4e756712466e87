"""CJK bigram tokens: what lets a word-token index find two-letter Korean words."""

from unseen.core import bigrams


def test_cjk_runs_become_overlapping_bigrams_and_short_latin_words_stay_whole():
    assert bigrams.tokens("벌목장 it 2017 logging 벌목2017 중") == [
        "벌목",
        "목장",
        "it",
        "중",
    ]


def test_each_token_once():
    assert bigrams.tokens("임금 임금체불") == ["임금", "금체", "체불"]


def test_kana_and_han_are_cjk_latin_is_not():
    assert bigrams.is_cjk("露") and bigrams.is_cjk("カ") and not bigrams.is_cjk("a")
