"""How a SYNTHETIC record goes wrong: typos in names, birth dates with day and month swapped."""

import numpy as np

from unseen.core.linkage.synthetic.romanisation import _compose, _jamo

# Confusable vowels for Hangul typos: ㅓ/ㅕ, ㅗ/ㅛ, ㅐ/ㅔ, ㅜ/ㅠ, ㅡ/ㅜ, ㅣ/ㅢ.
_HANGUL_VOWEL_SWAPS = {4: 6, 6: 4, 8: 12, 12: 8, 1: 5, 5: 1, 13: 17, 17: 13, 18: 13, 20: 19, 19: 20}
_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def _typo(text: str, rng: np.random.Generator) -> str:
    if not text:
        return text
    if any("가" <= ch <= "힣" for ch in text):
        positions = [i for i, ch in enumerate(text) if "가" <= ch <= "힣"]
        i = positions[int(rng.integers(len(positions)))]
        initial, medial, final = _jamo(text[i])
        if medial in _HANGUL_VOWEL_SWAPS:
            swapped = _compose(initial, _HANGUL_VOWEL_SWAPS[medial], final)
        else:
            swapped = _compose(initial, medial, 0 if final else 4)  # drop or add a final ㄴ
        return text[:i] + swapped + text[i + 1 :]
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if not letters:
        return text
    i = letters[int(rng.integers(len(letters)))]
    ch = text[i]
    kind = int(rng.integers(4))
    if kind == 0:  # a neighbouring key
        near = _KEYBOARD_NEIGHBOURS.get(ch.lower(), "e")
        new = near[int(rng.integers(len(near)))]
        return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
    if kind == 1 and len(letters) > 2:  # a letter dropped
        return text[:i] + text[i + 1 :]
    if kind == 2:  # a letter doubled
        return text[: i + 1] + ch.lower() + text[i + 1 :]
    if i + 1 < len(text) and text[i + 1].isalpha():  # two letters swapped
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    return text[:i] + ch + ch.lower() + text[i + 1 :]


def _swap_day_month(dates: np.ndarray) -> np.ndarray:
    months = dates.astype("datetime64[M]")
    day = (dates - months).astype(int) + 1
    month = months.astype(int) % 12 + 1
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    out = dates.copy()
    for i in range(len(dates)):
        if day[i] <= 12 and day[i] != month[i]:
            out[i] = np.datetime64(f"{year[i]:04d}-{day[i]:02d}-{month[i]:02d}")
        else:
            out[i] = np.datetime64(f"{year[i] - 1:04d}-{month[i]:02d}-01") + (day[i] - 1)
    return out


def _with_typos(values: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    hit = np.flatnonzero(rng.random(len(values)) < rate)
    if len(hit) == 0:
        return values
    values = values.copy()
    for i in hit:
        values[i] = _typo(values[i], rng)
    return values
