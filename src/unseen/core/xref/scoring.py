"""Score how likely one of our records and one list entity are the same organisation or person.

The score (0–1) adds up evidence, and its explanation lists each piece with what it added or took
away, so a reviewer sees why a candidate is on the queue:

- name: the best agreement between any of the record's names and any of the entity's, as a
  weighted overlap of folded tokens (`folding`). Each token weighs by its class (a name proper
  counts, "trading" a little, "Co., Ltd" almost nothing) and by how rare it is among the list's
  names (`NameIndex`), so that a short or common name cannot carry a match by itself — the
  complaint users make of yente (issue 245): short names and common words dominated scores. Two
  names that agree only on common words, or that name different trades (Namgang *Trading* and
  Namgang *Construction*, two designations), are demoted. Tokens may differ by a typo
  (rapidfuzz's Levenshtein similarity); two clean Korean syllable spellings that differ (Ryonbong,
  Ryongbong) are different names and count for little. An abbreviation (KOMID, KGCEC) is read
  as the initials of the other name.
- identifiers: a shared identifier (registration number, list id) is decisive; the same scheme
  with different values on both sides is a strong sign of two different entities.
- countries: agreement adds a little; a conflict demotes even a perfect name.
- addresses: overlap of folded address tokens adds a little.

Names alone reach at most `NAME_WEIGHT` (0.7), below `ACCEPT_LEVEL`: a name is never enough to
call a match certain.
"""

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from rapidfuzz.distance import OSA, Levenshtein

from unseen.core.xref.constants import NAME_WEIGHT
from unseen.core.xref.folding import (
    FoldedName,
    Token,
    TokenClass,
    fold_name,
    fold_token,
    words_for_initials,
)

# How much a token of each class may weigh, before its rarity in the list.
CLASS_WEIGHT: Mapping[TokenClass, float] = {
    TokenClass.NAME: 1.0,
    TokenClass.SECTOR: 0.35,
    TokenClass.PLACE: 0.25,
    TokenClass.GENERIC: 0.15,
    TokenClass.LEGAL: 0.03,
}
# A token found in every name of the list still weighs this share of its class weight.
RARITY_FLOOR = 0.25
# Two tokens differing by a typo: least Levenshtein similarity of their folded keys, and the
# share of credit kept when both read as whole Korean syllables (then they are two names).
FUZZY_MIN = 0.8
CLEAN_PAIR_CREDIT = 0.8
FUZZY_MIN_LENGTH = 4
# How far a name wholly contained in the other moves the similarity from Dice towards
# containment, once a name proper matched (Rungrado Trading in Korea Rungrado General Trading).
CONTAINMENT_SHARE = 0.5
SECTOR_CONFLICT = 0.75  # both names say what the organisation does, and they disagree
CITY_CONFLICT = 0.75  # both names carry a city, and not the same one (Beijing / Dandong ...)
ORDER_SWAP = 0.8  # two words of the name proper in the other order (Green Pine / Pine Green)
GENERIC_ONLY = 0.6  # no name proper agrees and at most two other words do
GENERIC_PROPER = 0.15  # matched name-proper weight below which a name counts as generic
ACRONYM_SIMILARITY = 0.8  # KOMID read as the initials of Korea Mining Development ...
COUNTRY_WORDS = frozenset({"korea", "china", "russia"})

IDENTIFIER_LEVEL = 0.9  # a shared identifier lifts the score to at least this
IDENTIFIER_CONFLICT = 0.5
COUNTRY_BONUS = 0.1
COUNTRY_CONFLICT = 0.6
ADDRESS_BONUS = 0.1
KIND_GROUPS: Mapping[str, str] = {
    "organisation": "organisation", "organization": "organisation", "company": "organisation",
    "legalentity": "organisation", "publicbody": "organisation", "site": "organisation",
    "person": "person", "public_figure": "person", "publicfigure": "person",
    "vessel": "vessel", "airplane": "airplane",
}  # fmt: skip


def gettext_noop(message: str) -> str:
    """Mark an explanation template for translation; the caller translates it (`Evidence`)."""
    return message


T_NAME = gettext_noop("Names agree %(percent)s%%: “%(left)s” and “%(right)s”.")
T_SECTOR = gettext_noop(
    "The names say different trades (%(left)s / %(right)s): demoted, as different "
    "organisations often share a name proper."
)
T_CITY = gettext_noop(
    "The names carry different cities (%(left)s / %(right)s): demoted, as branches in different "
    "cities are different organisations."
)
T_ORDER = gettext_noop(
    "Words of the name are in another order (%(words)s): demoted, as an organisation's name "
    "keeps its order."
)
T_GENERIC = gettext_noop(
    "Only common words agree (%(words)s), no name proper: demoted, as such a name fits many "
    "organisations."
)
T_ACRONYM = gettext_noop("“%(acronym)s” reads as the initials of “%(name)s”.")
T_IDENTIFIER = gettext_noop("Same identifier: %(scheme)s %(value)s.")
T_IDENTIFIER_CONFLICT = gettext_noop(
    "Different identifiers of the same kind (%(scheme)s: %(left)s / %(right)s)."
)
T_COUNTRY = gettext_noop("Same country: %(countries)s.")
T_COUNTRY_CONFLICT = gettext_noop(
    "Countries differ (%(left)s / %(right)s): demoted, a name shared across countries is "
    "weak evidence."
)
T_ADDRESS = gettext_noop("Addresses agree %(percent)s%%: “%(left)s” and “%(right)s”.")
T_KIND = gettext_noop("Different kinds of entity (%(left)s / %(right)s): not compared.")
T_NO_NAME = gettext_noop("No names to compare.")


@dataclass(frozen=True)
class Evidence:
    """One line of an explanation: a feature, what it did to the score, and why (a template)."""

    feature: str
    contribution: float
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The text in English."""
        return self.template % self.params if self.params else self.template

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The text in the reader's language, given a gettext function (Django's, say)."""
        template = gettext(self.template)
        return template % self.params if self.params else template

    def __iter__(self) -> Iterator[Any]:
        # (feature, contribution, text), as the explanation is read as a list of triples.
        return iter((self.feature, self.contribution, self.text))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: feature, contribution, text, and template and params to translate."""
        return {
            "feature": self.feature,
            "contribution": round(self.contribution, 4),
            "text": self.text,
            "template": self.template,
            "params": dict(self.params),
        }


def _tuple(value: Iterable[Any] | str | None) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class Party:
    """One side of a comparison: one of our records, or one entity of a list.

    `names`: the main name first, then aliases, in any script. `identifiers`: (scheme, value)
    pairs, e.g. ("ofac", "12345"), ("ru_inn", "7801234567"). `kind`: organisation, person, site,
    vessel (FtM schemata such as Company or LegalEntity are read as organisation). `id`: the
    caller's id, carried to the `Match`.
    """

    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    kind: str = "organisation"
    id: str = ""

    def __post_init__(self) -> None:
        # Lists are accepted for convenience; the dataclass is frozen and hashable.
        object.__setattr__(self, "names", tuple(n for n in _tuple(self.names) if n and n.strip()))
        object.__setattr__(self, "countries", tuple(c.upper() for c in _tuple(self.countries) if c))
        object.__setattr__(self, "addresses", tuple(a for a in _tuple(self.addresses) if a))
        object.__setattr__(
            self, "identifiers", tuple((str(s), str(v)) for s, v in _tuple(self.identifiers))
        )


@dataclass(frozen=True)
class Match:
    """A record and a list entity, the score (0–1) and its explanation."""

    record: Party
    entity: Party
    score: float
    explanation: tuple[Evidence, ...]

    @property
    def record_id(self) -> str:
        """The record's id, as the caller gave it."""
        return self.record.id

    @property
    def entity_id(self) -> str:
        """The list entity's id, as the caller gave it."""
        return self.entity.id

    def explanation_json(self) -> list[dict[str, Any]]:
        """The explanation, JSON-ready (a list of `Evidence.as_dict`)."""
        return [e.as_dict() for e in self.explanation]


class NameIndex:
    """How often each folded token occurs among a list's names: rare tokens weigh more.

    Built once over the names of the list (all aliases); a token absent from the list is as rare
    as can be. Without an index (`NameIndex(())`) tokens weigh by class alone.
    """

    def __init__(self, names: Iterable[str], countries: Iterable[str] = ()) -> None:
        country_counts = Counter(c.upper() for c in countries)
        total = sum(country_counts.values())
        # Share of the list's entities in each country: a shared country common in the list
        # (KP, in a DPRK list) says little, one rare in it says more.
        self.country_share = {c: n / total for c, n in country_counts.items()} if total else {}
        counts: Counter[str] = Counter()
        size = 0
        for name in names:
            size += 1
            counts.update({k for token in fold_name(name).tokens for k in token.keys})
        self.size = size
        self._df = counts
        self._max_idf = math.log(size + 1) if size else 0.0
        self.weight = lru_cache(maxsize=2**17)(self._weight)

    @classmethod
    def of(cls, parties: Iterable[Party]) -> "NameIndex":
        """The index of a list's entities: their names and countries."""
        parties = list(parties)
        return cls(
            (name for party in parties for name in party.names),
            (country for party in parties for country in set(party.countries)),
        )

    def df(self, key: str) -> int:
        """How many of the list's names have a token with this key."""
        return self._df.get(key, 0)

    def rarity(self, token: Token) -> float:
        """1 for a token absent from the list, falling towards 0 for one in every name."""
        if not self._max_idf:
            return 1.0
        df = min(self._df.get(k, 0) for k in token.keys)
        return math.log((self.size + 1) / (df + 1)) / self._max_idf

    def _weight(self, token: Token) -> float:
        return CLASS_WEIGHT[token.cls] * (RARITY_FLOOR + (1 - RARITY_FLOOR) * self.rarity(token))


_EMPTY_INDEX = NameIndex(())


@dataclass(frozen=True)
class NameComparison:
    """How two names compare: the similarity (0–1), the names, and the demotions applied."""

    similarity: float
    left: str
    right: str
    evidence: tuple[Evidence, ...] = ()  # demotions and readings, in similarity units


def _joined(part: list[Token]) -> set[str]:
    """Keys of tokens written as one word: their keys joined, and the fold of their letters.

    Both, as a syllable folds by its place (Tynda-Les / Tyndales: "les" alone folds as "nes").
    """
    keys = {"".join(t.key for t in part)}
    if all(t.initial for t in part):
        keys.add(fold_token("".join(t.initial for t in part)).replace("-", ""))
    return keys


def _merge_split(tokens: list[Token], other: list[Token]) -> list[Token]:
    """Join neighbouring name tokens written apart that the other name writes as one word.

    Nam Gang / Namgang, Silver Star / Silverstar, Chong Chon Gang / Chongchongang, Hong Kong /
    HK; or nearly so (Nam Chong Gan / Namchongang), left for the typo comparison to judge.
    """
    other_keys = {k for t in other for k in t.keys}
    other_names = [
        t for t in other if t.cls is TokenClass.NAME and not (t.keys & _all_keys(tokens))
    ]
    if not other_names:
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        merged = None
        if token.cls is TokenClass.NAME and not (token.keys & other_keys):
            for span in (3, 2):
                part = tokens[i : i + span]
                if len(part) < span or any(t.cls is not TokenClass.NAME for t in part):
                    continue
                merged = _merge_into(part, other_names)
                if merged is not None:
                    i += span
                    break
        if merged is None:
            out.append(token)
            i += 1
        else:
            out.append(merged)
    return out


def _all_keys(tokens: list[Token]) -> set[str]:
    return {k for t in tokens for k in t.keys}


def _merge_into(part: list[Token], other_names: list[Token]) -> Token | None:
    joined = _joined(part)
    initials = "".join(t.initial[:1] for t in part)
    clean = all(t.clean for t in part)
    first = part[0]
    for target in other_names:
        if target.acronym:
            if initials == target.key:
                return Token(target.key, TokenClass.NAME, target.keys, False, target.key, True)
            continue
        if joined & target.keys:
            key = next(iter(joined & target.keys))
            return Token(key, TokenClass.NAME, frozenset((key,)), clean, first.initial)
        key = min(joined)
        merged = Token(key, TokenClass.NAME, frozenset(joined), clean, "".join(
            t.initial for t in part))  # fmt: skip
        if _fuzzy(merged, target) > 0:
            return merged
    return None


def _runs_of_names(tokens: list[Token]) -> bool:
    """Whether two names proper follow each other: only then can words have been split."""
    return any(
        x.cls is TokenClass.NAME and y.cls is TokenClass.NAME for x, y in itertools.pairwise(tokens)
    )


def _exact_pairs(
    ta: list[Token], tb: list[Token]
) -> tuple[list[tuple[int, int, float]], list[int], set[int]]:
    """Tokens equal on both sides: (pairs with credit 1, a's left over, b's left over)."""
    where: dict[str, int] = {}
    for j, token in enumerate(tb):
        for key in token.keys:
            where.setdefault(key, j)
    free_b = set(range(len(tb)))
    pairs: list[tuple[int, int, float]] = []
    unmatched_a = []
    for i, token in enumerate(ta):
        for key in token.keys:
            found = where.get(key)
            if found is not None and found in free_b:
                pairs.append((i, found, 1.0))
                free_b.discard(found)
                break
        else:
            unmatched_a.append(i)
    return pairs, unmatched_a, free_b


@lru_cache(maxsize=2**18)
def _fuzzy(a: Token, b: Token) -> float:
    """Credit for two name tokens that differ: their similarity if a typo can explain it.

    Compared folded (Levenshtein on the keys, so Chŏlsan and Cholsna differ by the typo alone)
    and as written (OSA, where a swap of two letters is one edit: Rungardo, Namgnag).
    """
    if a.cls is not TokenClass.NAME or b.cls is not TokenClass.NAME or a.acronym or b.acronym:
        return 0.0
    best = 0.0
    for ka in a.keys:
        for kb in b.keys:
            if min(len(ka), len(kb)) < FUZZY_MIN_LENGTH or ka.isdigit() or kb.isdigit():
                continue
            best = max(best, Levenshtein.normalized_similarity(ka, kb))
    if a.initial and b.initial and min(len(a.initial), len(b.initial)) >= FUZZY_MIN_LENGTH:
        best = max(best, OSA.normalized_similarity(a.initial, b.initial))
    if best < FUZZY_MIN:
        return 0.0
    return best * (CLEAN_PAIR_CREDIT if a.clean and b.clean else 1.0)


def _acronym_of(acronym: str, words: tuple[tuple[str, bool], ...]) -> bool:
    """Whether `acronym` is made of prefixes (1–3 letters) of `words`, in order.

    Only words that are not a name proper (stop words, legal forms, common words) may be skipped.
    """
    letters = acronym.lower()

    @cache
    def fits(pos: int, word: int) -> bool:
        if word == len(words):
            return pos == len(letters)
        text, required = words[word]
        if not required and fits(pos, word + 1):
            return True
        for length in (1, 2, 3):
            chunk = letters[pos : pos + length]
            if len(chunk) == length and text.startswith(chunk) and fits(pos + length, word + 1):
                return True
        return False

    return len(letters) >= 3 and len(words) >= 2 and fits(0, 0)


def compare_names(
    a: FoldedName, b: FoldedName, index: NameIndex = _EMPTY_INDEX, *, ordered: bool = True
) -> NameComparison:
    """Similarity (0–1) of two folded names, with the demotions that applied.

    `ordered`: the words of the name proper keep their order (organisations); a person's
    family and given names may come in either order (ordered=False).
    """
    evidence: list[Evidence] = []
    ta, tb = list(a.tokens), list(b.tokens)
    if not ta or not tb:
        return NameComparison(0.0, a.text, b.text)
    pairs, unmatched_a, free_b = _exact_pairs(ta, tb)
    if (
        (_runs_of_names(ta) or _runs_of_names(tb))
        and any(ta[i].cls is TokenClass.NAME for i in unmatched_a)
        and any(tb[j].cls is TokenClass.NAME for j in free_b)
    ):
        merged_a, merged_b = _merge_split(ta, tb), _merge_split(tb, ta)
        if len(merged_a) != len(ta) or len(merged_b) != len(tb):
            ta, tb = merged_a, merged_b
            pairs, unmatched_a, free_b = _exact_pairs(ta, tb)
    fuzzy_a = [i for i in unmatched_a if ta[i].cls is TokenClass.NAME and not ta[i].acronym]
    fuzzy_b = [j for j in free_b if tb[j].cls is TokenClass.NAME and not tb[j].acronym]
    if fuzzy_a and fuzzy_b:
        options = sorted(
            ((_fuzzy(ta[i], tb[j]), i, j) for i in fuzzy_a for j in fuzzy_b), reverse=True
        )
        used_a: set[int] = set()
        for credit, i, j in options:
            if credit <= 0:
                break
            if i in used_a or j not in free_b:
                continue
            pairs.append((i, j, credit))
            used_a.add(i)
            free_b.discard(j)
    if not pairs and not (a.acronym or b.acronym):
        return NameComparison(0.0, a.text, b.text)
    weight = index.weight
    wa = [weight(t) for t in ta]
    wb = [weight(t) for t in tb]
    total_a, total_b = sum(wa), sum(wb)
    matched = sum(credit * (wa[i] + wb[j]) / 2 for i, j, credit in pairs)
    proper = sum(
        credit * min(wa[i], wb[j]) for i, j, credit in pairs if ta[i].cls is TokenClass.NAME
    )
    dice = 2 * matched / (total_a + total_b) if total_a + total_b else 0.0
    containment = matched / min(total_a, total_b) if min(total_a, total_b) else 0.0
    # Containment counts once a name proper agrees, and less if the other name has name
    # propers of its own left over (Yanbian Silverstar ... against Yanbian Network ...).
    used_a = {i for i, _, _ in pairs}
    used_b = {j for _, j, _ in pairs}
    left_over = sum(w for i, w in enumerate(wa) if i not in used_a and ta[i].cls is TokenClass.NAME)
    left_over += sum(
        w for j, w in enumerate(wb) if j not in used_b and tb[j].cls is TokenClass.NAME
    )
    share = proper / (proper + left_over) if proper else 0.0
    similarity = dice + (containment - dice) * CONTAINMENT_SHARE * min(1.0, proper) * share

    sectors_a = {t.key for t in ta if t.cls is TokenClass.SECTOR}
    sectors_b = {t.key for t in tb if t.cls is TokenClass.SECTOR}
    if sectors_a and sectors_b and not sectors_a & sectors_b:
        demoted = similarity * SECTOR_CONFLICT
        params = {"left": ", ".join(sorted(sectors_a)), "right": ", ".join(sorted(sectors_b))}
        evidence.append(Evidence("sector_conflict", demoted - similarity, T_SECTOR, params))
        similarity = demoted
    cities_a = {t.key for t in ta if t.cls is TokenClass.PLACE and t.key not in COUNTRY_WORDS}
    cities_b = {t.key for t in tb if t.cls is TokenClass.PLACE and t.key not in COUNTRY_WORDS}
    if cities_a and cities_b and not cities_a & cities_b:
        demoted = similarity * CITY_CONFLICT
        params = {"left": ", ".join(sorted(cities_a)), "right": ", ".join(sorted(cities_b))}
        evidence.append(Evidence("city_conflict", demoted - similarity, T_CITY, params))
        similarity = demoted
    if ordered:
        names_in_order = sorted((i, j) for i, j, _ in pairs if ta[i].cls is TokenClass.NAME)
        swapped = [
            (ta[i1].key, ta[i2].key)
            for (i1, j1), (i2, j2) in itertools.pairwise(names_in_order)
            if j2 < j1
        ]
        if swapped:
            demoted = similarity * ORDER_SWAP
            params = {"words": ", ".join(f"{x} {y}" for x, y in swapped)}
            evidence.append(Evidence("word_order", demoted - similarity, T_ORDER, params))
            similarity = demoted
    informative = [ta[i] for i, _, _ in pairs if ta[i].cls is not TokenClass.LEGAL]
    if proper < GENERIC_PROPER and len(informative) <= 2 and similarity > 0:
        demoted = similarity * GENERIC_ONLY
        params = {"words": ", ".join(t.key for t in informative) or "-"}
        evidence.append(Evidence("generic_name", demoted - similarity, T_GENERIC, params))
        similarity = demoted

    for short, other in ((a, b), (b, a)):
        if (
            short.acronym
            and similarity < ACRONYM_SIMILARITY
            and _acronym_of(short.acronym, words_for_initials(other.text))
        ):
            params = {"acronym": short.acronym, "name": other.text}
            evidence.append(Evidence("acronym", ACRONYM_SIMILARITY - similarity, T_ACRONYM, params))
            similarity = ACRONYM_SIMILARITY
    return NameComparison(min(1.0, similarity), a.text, b.text, tuple(evidence))


def name_similarity(
    left: str, right: str, index: NameIndex = _EMPTY_INDEX, *, ordered: bool = True
) -> float:
    """Similarity (0–1) of two names as written (organisations' unless ordered=False)."""
    return compare_names(fold_name(left), fold_name(right), index, ordered=ordered).similarity


def kind_of(schema: str) -> str:
    """Our kind of entity for a record kind or an FtM schema (Company → organisation)."""
    return KIND_GROUPS.get(schema.replace(" ", "").lower(), schema.lower())


def _identifier_value(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _address_tokens(address: str) -> frozenset[str]:
    return frozenset(t.key for t in fold_name(address).tokens if t.cls is not TokenClass.LEGAL)


def _distinct(names: tuple[str, ...]) -> list[FoldedName]:
    """The names folded, less those that fold alike (a name and its capitals)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for name in names:
        folded = fold_name(name)
        if folded.keys not in seen or folded.acronym:
            seen.add(folded.keys)
            out.append(folded)
    return out


def _best_name(record: Party, entity: Party, index: NameIndex) -> NameComparison:
    best = NameComparison(0.0, "", "")
    ordered = kind_of(record.kind) != "person"
    lefts = _distinct(record.names)
    rights = _distinct(entity.names)
    for folded_left in lefts:
        for folded_right in rights:
            comparison = compare_names(folded_left, folded_right, index, ordered=ordered)
            if comparison.similarity > best.similarity:
                best = comparison
                if best.similarity >= 1.0:
                    return best
    return best


def score(record: Party, entity: Party, index: NameIndex | None = None) -> Match:
    """Score one record against one list entity (see the module's docstring)."""
    index = index if index is not None else _EMPTY_INDEX
    evidence: list[Evidence] = []
    kind_record, kind_entity = kind_of(record.kind), kind_of(entity.kind)
    if kind_record and kind_entity and kind_record != kind_entity:
        params = {"left": record.kind, "right": entity.kind}
        return Match(record, entity, 0.0, (Evidence("kind", 0.0, T_KIND, params),))

    name = _best_name(record, entity, index)
    if not name.left:
        evidence.append(Evidence("name", 0.0, T_NO_NAME))
    else:
        raw = name.similarity - sum(e.contribution for e in name.evidence)
        said: dict[str, object] = {
            "percent": round(100 * raw),
            "left": name.left,
            "right": name.right,
        }
        evidence.append(Evidence("name", NAME_WEIGHT * raw, T_NAME, said))
        evidence.extend(
            Evidence(e.feature, NAME_WEIGHT * e.contribution, e.template, e.params)
            for e in name.evidence
        )
    total = NAME_WEIGHT * name.similarity

    total = _identifiers(record, entity, name.similarity, total, evidence)
    total = _countries(record, entity, name.similarity, total, evidence, index)
    total = _addresses(record, entity, name.similarity, total, evidence)
    return Match(record, entity, max(0.0, min(1.0, total)), tuple(evidence))


def _identifiers(
    record: Party, entity: Party, name: float, total: float, evidence: list[Evidence]
) -> float:
    ours = {(s.lower(), _identifier_value(v)) for s, v in record.identifiers if v}
    theirs = {(s.lower(), _identifier_value(v)) for s, v in entity.identifiers if v}
    if not ours or not theirs:
        return total
    # A value shared under any scheme counts: schemes are named differently by each source.
    shared = {v for _, v in ours} & {v for _, v in theirs}
    if shared:
        value = sorted(shared)[0]
        scheme = next(s for s, v in sorted(theirs) if v == value)
        lifted = min(1.0, max(total, IDENTIFIER_LEVEL) + (1 - IDENTIFIER_LEVEL) * name)
        params: dict[str, object] = {"scheme": scheme, "value": value}
        evidence.append(Evidence("identifier", lifted - total, T_IDENTIFIER, params))
        return lifted
    schemes = {s for s, _ in ours} & {s for s, _ in theirs}
    if schemes:
        scheme = sorted(schemes)[0]
        params = {
            "scheme": scheme,
            "left": ", ".join(sorted(v for s, v in ours if s == scheme)),
            "right": ", ".join(sorted(v for s, v in theirs if s == scheme)),
        }
        demoted = total * IDENTIFIER_CONFLICT
        evidence.append(
            Evidence("identifier_conflict", demoted - total, T_IDENTIFIER_CONFLICT, params)
        )
        return demoted
    return total


def _countries(
    record: Party,
    entity: Party,
    name: float,
    total: float,
    evidence: list[Evidence],
    index: NameIndex,
) -> float:
    ours, theirs = set(record.countries), set(entity.countries)
    if not ours or not theirs:
        return total
    shared = ours & theirs
    if shared:
        if name < 0.5:  # a shared country says little about a name that does not agree
            return total
        common = min(index.country_share.get(c, 0.0) for c in shared)
        bonus = COUNTRY_BONUS * (1 - common)
        params = {"countries": ", ".join(sorted(shared))}
        evidence.append(Evidence("country", bonus, T_COUNTRY, params))
        return total + bonus
    params = {"left": ", ".join(sorted(ours)), "right": ", ".join(sorted(theirs))}
    demoted = total * COUNTRY_CONFLICT
    evidence.append(Evidence("country_conflict", demoted - total, T_COUNTRY_CONFLICT, params))
    return demoted


def _addresses(
    record: Party, entity: Party, name: float, total: float, evidence: list[Evidence]
) -> float:
    if not record.addresses or not entity.addresses or name < 0.5:
        return total
    best, pair = 0.0, ("", "")
    for left in record.addresses:
        tokens_left = _address_tokens(left)
        for right in entity.addresses:
            tokens_right = _address_tokens(right)
            if not tokens_left or not tokens_right:
                continue
            overlap = 2 * len(tokens_left & tokens_right) / (len(tokens_left) + len(tokens_right))
            if overlap > best:
                best, pair = overlap, (left, right)
    if best < 0.5:
        return total
    bonus = ADDRESS_BONUS * best
    params = {"percent": round(100 * best), "left": pair[0], "right": pair[1]}
    evidence.append(Evidence("address", bonus, T_ADDRESS, params))
    return total + bonus
