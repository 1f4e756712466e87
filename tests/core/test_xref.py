"""Sanctions cross-referencing core: folding, scoring, blocking, and the labelled set's F1."""

from pathlib import Path

import pytest

from unseen.core.xref import (
    ACCEPT_LEVEL,
    DEFAULT_THRESHOLD,
    NAME_WEIGHT,
    NameIndex,
    Party,
    candidates,
    fold_organisation_name,
    name_similarity,
    score,
)
from unseen.core.xref import evaluation as ev

PAIRS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "organisation_name_pairs.csv"


@pytest.mark.parametrize(
    ("hangul", "romanised"),
    [
        ("조선릉라도무역총회사", "Korea Rungrado General Trading Corporation"),
        ("만수대해외개발회사그룹", "Mansudae Overseas Project Group of Companies"),
        ("조선련봉총회사", "Korea Ryonbong General Corporation"),
        ("남강건설", "Namgang Construction"),
        ("조선대외건설총회사", "Korea General Corporation for External Construction"),
        ("청송연합", "Chongsong Yonhap"),
    ],
)
def test_hangul_and_romanised_names_of_one_company_fold_to_the_same_tokens(hangul, romanised):
    # Legal forms aside: 회사그룹 says "company group" where the English says "group".
    legal = {"company", "limited", "llc", "jsc", "inc"}
    assert (
        set(fold_organisation_name(hangul)) - legal
        == set(fold_organisation_name(romanised)) - legal
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ("Rungrado", "Rŭngrado", "Neungrado", "릉라도"),  # North, MR, RR as the South writes it
        ("Cholsan", "Chŏlsan", "Ch'ŏlsan", "Cheolsan", "철산"),
        ("Namgang", "Nam Gang", "Nam-gang", "남강"),
        ("Amnokgang", "압록강"),  # RR follows the sound: 압록 is said 암녹
    ],
)
def test_romanisations_of_a_name_proper_fold_alike(spellings):
    first = spellings[0]
    for other in spellings[1:]:
        assert name_similarity(f"{first} Trading", f"{other} Trading") == pytest.approx(1.0)


def test_english_synonyms_legal_forms_and_korean_words_fold_to_one_token():
    assert fold_organisation_name("Korea Kwangson Banking Corp.") == fold_organisation_name(
        "Korea Kwangson Banking Corporation"
    )
    assert fold_organisation_name("Mokran LLC") == ("moknan", "llc")
    assert set(fold_organisation_name("ООО «Мокран»")) == {"moknan", "llc"}
    assert fold_organisation_name("Armex Sp. z o.o.") == fold_organisation_name("Armex sp.z.o.o.")
    # 개발 is "Project" in one designated name and "Development" in another: one concept.
    assert "project" in fold_organisation_name("Korea Mining Development Trading Corporation")
    assert fold_organisation_name("Choson Kwangop Kaebal Muyok Hoesa") == fold_organisation_name(
        "조선광업개발무역회사"
    )


def test_a_name_containing_a_glossary_word_is_not_cut_into_a_lone_syllable():
    # 금수산 is Kumsusan, not 금 + 수산 "fisheries".
    assert fold_organisation_name("금수산") == fold_organisation_name("Kumsusan")


def test_the_labelled_set_is_matched_with_pairwise_f1_of_at_least_0_9():
    pairs = ev.load_pairs(PAIRS)
    assert len(pairs) >= 300
    assert {p.same for p in pairs} == {True, False}
    measured = ev.pairwise_scores(pairs, ev.score_pairs(pairs), DEFAULT_THRESHOLD)
    assert measured.f1 >= 0.9, measured.as_dict()
    assert measured.precision >= 0.85 and measured.recall >= 0.85, measured.as_dict()


def test_distinct_designations_sharing_a_name_proper_are_kept_apart():
    index = NameIndex(("Korea Namgang Trading Corporation", "Namgang Construction"))
    apart = score(
        Party(("Korea Namgang Trading Corporation",)), Party(("Namgang Construction",)), index
    )
    assert apart.score < DEFAULT_THRESHOLD
    assert "sector_conflict" in [e.feature for e in apart.explanation]
    same = score(Party(("Namgang Trading Corp.",)), Party(("조선남강무역회사",)), index)
    assert same.score >= DEFAULT_THRESHOLD


def test_an_identifier_match_dominates_the_names():
    record = Party(("Kumsong Trading",), identifiers=(("registration", "77 0123-456"),))
    entity = Party(("Ocean Textile LLC",), identifiers=(("inn", "770123456"),))
    match = score(record, entity)
    assert match.score >= 0.9
    assert match.explanation[-1].feature == "identifier"
    other = score(
        Party(("Korea Rungrado General Trading Corporation",), identifiers=(("inn", "1"),)),
        Party(("Korea Rungrado General Trading Corporation",), identifiers=(("inn", "2"),)),
    )
    assert other.score < NAME_WEIGHT
    assert "identifier_conflict" in [e.feature for e in other.explanation]


def test_names_alone_never_reach_the_accept_level():
    same = score(Party(("Korea Rungrado General Trading Corporation",)),
                 Party(("조선릉라도무역총회사",)))  # fmt: skip
    assert same.score == pytest.approx(NAME_WEIGHT)
    assert same.score < ACCEPT_LEVEL


def test_a_country_conflict_demotes_a_strong_name():
    name = "Korea Cholsan General Trading Corporation"
    agreeing = score(Party((name,), ("KP",)), Party((name,), ("KP",)))
    conflicting = score(Party((name,), ("KP",)), Party((name,), ("RU",)))
    assert agreeing.score > NAME_WEIGHT > conflicting.score
    assert conflicting.score < DEFAULT_THRESHOLD
    assert [e.feature for e in conflicting.explanation][-1] == "country_conflict"


def test_the_explanation_lists_each_feature_with_its_contribution_and_text():
    match = score(
        Party(("Korea Namgang Trading Corp.",), ("KP",), ("Pyongyang, Sosong district",)),
        Party(("KOREA NAMGANG TRADING CORPORATION",), ("KP",), ("Sosong district, Pyongyang",)),
    )
    features = [feature for feature, _, _ in match.explanation]
    assert features == ["name", "country", "address"]
    assert sum(e.contribution for e in match.explanation) == pytest.approx(match.score)
    assert all(text for _, _, text in match.explanation)
    as_json = match.explanation_json()
    assert as_json[0]["template"] and as_json[0]["params"]["right"]
    # The caller translates: templates are gettext message ids.
    korean = {match.explanation[1].template: "같은 나라: %(countries)s."}
    assert match.explanation[1].translated(lambda s: korean.get(s, s)) == "같은 나라: KP."


def test_a_short_generic_name_is_demoted():
    generic = score(Party(("Trading Company",)), Party(("Korea Namgang Trading Corporation",)))
    assert generic.score < DEFAULT_THRESHOLD
    korea = score(
        Party(("Korea General Trading Corporation",)),
        Party(("Korea Rungrado General Trading Corporation",)),
    )
    assert korea.score < DEFAULT_THRESHOLD
    two_words = score(Party(("Construction Company",)), Party(("Construction Co.",)))
    assert "generic_name" in [e.feature for e in two_words.explanation]
    assert two_words.score < DEFAULT_THRESHOLD


def test_rare_words_weigh_more_than_common_ones():
    names = [f"Korea {n} Trading Corporation" for n in ("Rungrado", "Cholsan", "Tangun", "Kumsan")]
    index = NameIndex(names * 10 + ["Korea Hyoksin Trading Corporation"])
    common = index.weight(next(t for t in _tokens("Korea") if t.key == "korea"))
    rare = index.weight(next(iter(_tokens("Hyoksin"))))
    assert rare > 5 * common


def _tokens(text: str):
    from unseen.core.xref import fold_name

    return fold_name(text).tokens


def test_abbreviations_are_read_as_initials():
    for short, full in [
        ("KOMID", "Korea Mining Development Trading Corporation"),
        ("KGCEC", "Korea General Corporation for External Construction"),
        ("KKBC", "Korea Kwangson Banking Corp"),
    ]:
        assert name_similarity(short, full) >= 0.75
    assert name_similarity("KOMID", "KOMIR") < 0.5


def test_a_person_kind_is_not_compared_with_an_organisation():
    match = score(Party(("Jong Song Hwa",), kind="person"), Party(("Jong Song Hwa",)))
    assert match.score == 0
    assert match.explanation[0].feature == "kind"


def test_candidates_find_the_listed_organisation_among_many():
    entities = [
        Party(("Korea Rungrado General Trading Corporation", "조선릉라도무역총회사"), ("KP",),
              id="rungrado"),
        Party(("Namgang Construction",), ("KP",), id="namgang"),
        Party(("Korea Namgang Trading Corporation",), ("KP",), id="namgang-trading"),
        *(Party((f"Korea Number {i} Trading Corporation",), id=f"n{i}") for i in range(200)),
    ]  # fmt: skip
    records = [
        Party(("Rŭngrado General Trading Corp.",), ("KP",), id="a"),
        Party(("남강건설",), ("KP",), id="b"),
        Party(("Korea Trading Corporation",), id="c"),
    ]
    found = {(m.record_id, m.entity_id) for m in candidates(records, entities)}
    assert found == {("a", "rungrado"), ("b", "namgang")}


def test_candidates_in_two_processes_give_the_same_matches():
    from unseen.core.xref.synthetic import generate_organisations

    data = generate_organisations(entities=300, records=1200, matching=100, seed=7)
    one = [(m.record_id, m.entity_id, m.score) for m in candidates(data.records, data.entities)]
    two = [
        (m.record_id, m.entity_id, m.score)
        for m in candidates(data.records, data.entities, workers=2)
    ]
    assert one == two
    found = {(r, e) for r, e, _ in one}
    assert len(found & data.truth) >= 0.85 * len(data.truth)
