"""Korean name folding: the variants that must agree, the names that must not."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unseen.core.linkage.names import (
    PersonNameKeys,
    fold_place_name,
    fold_token,
    person_name_keys,
    person_name_keys_many,
    romanise_hangul,
)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Each group: one family name as Revised Romanisation, McCune–Reischauer, the North and Western
# habit write it, and in Hangul (the South's and the North's spelling).
FAMILY_VARIANTS = [
    ["Ri", "Yi", "Lee", "Rhee", "I", "Li", "LEE", "이", "리"],
    ["Pak", "Park", "Bak", "Pack", "박"],
    ["Choe", "Choi", "Chwe", "Ch'oe", "최"],
    ["Jong", "Jung", "Chung", "Jeong", "Cheong", "Chŏng", "정"],
    ["Rim", "Im", "Lim", "임", "림"],
    ["Ryu", "Yu", "Yoo", "Rhyu", "유", "류"],
    ["O", "Oh", "오"],
    ["So", "Seo", "Suh", "Sur", "Sŏ", "서"],
    ["Kim", "Gim", "김"],
    ["Ryang", "Yang", "양", "량"],
    ["Ro", "No", "Noh", "Roh", "노", "로"],
    ["Han", "Hahn", "한"],
    ["Kang", "Gang", "강"],
    ["Jo", "Cho", "조"],
    ["Sin", "Shin", "신"],
    ["Kwon", "Gwon", "Kwŏn", "권"],
    ["Hwang", "Whang", "황"],
    ["Song", "송"],
    ["Mun", "Moon", "문"],
    ["Nam", "남"],
    ["Hong", "홍"],
    ["Ko", "Go", "Koh", "고"],
    ["Ju", "Joo", "Chu", "주"],
    ["Kil", "Gil", "길"],
    ["Pae", "Bae", "배"],
    ["Paek", "Baek", "Paik", "백"],
    ["Chae", "Chai", "Ch'ae", "채"],
    ["An", "Ahn", "안"],
    ["Yun", "Yoon", "Youn", "윤"],
    ["Jang", "Chang", "장"],
    ["Jon", "Jeon", "Chun", "Chŏn", "전"],
    ["Ho", "Heo", "Huh", "Hŏ", "허"],
    ["Om", "Eom", "Um", "Uhm", "Ŏm", "엄"],
    ["Thak", "Tak", "T'ak", "탁"],
    ["Namgung", "Namgoong", "Nam-gung", "남궁"],
    ["Sonu", "Sunwoo", "Seonu", "선우"],
    ["Tokko", "Dokgo", "독고"],
]

GIVEN_VARIANTS = [
    ["Chol Su", "Chul-soo", "Cheolsu", "CHOL-SU", "Ch'ŏl-su", "Cheol-su", "chulsoo", "철수"],
    ["Yong Ho", "Young-ho", "Yeongho", "Yŏng-ho", "영호"],
    ["Kyong Hui", "Kyung-hee", "Gyeonghui", "Kyŏng-hŭi", "경희"],
    ["Sun Ok", "Soon-ok", "Sunok", "순옥"],
    ["Jong Un", "Jung-eun", "Jeongeun", "Chŏng-ŭn", "정은"],
    ["Song Il", "Sung-il", "Seongil", "Sŏng-il", "성일"],
    ["Hyon Chol", "Hyun-chul", "Hyeoncheol", "Hyŏn-ch'ŏl", "현철"],
    ["Myong Sik", "Myung-shik", "Myeongsik", "Myŏng-sik", "명식"],
    ["Kwang Ryong", "Kwang-yong", "Gwangryong", "Kwang-nyong", "광룡"],
    ["Thae Nam", "Tae-nam", "Taenam", "T'ae-nam", "태남"],
    ["Hak Won", "Hak-won", "Hakwon", "Hag-wŏn", "학원"],
    ["Ho Min", "Ho-min", "Homin", "호민"],
    ["Ryon Hui", "Yeon-hee", "Yeonhui", "Yŏn-hŭi", "련희", "연희"],
]


def pairs(groups):
    return [(g[0], other) for g in groups for other in g[1:]]


@pytest.mark.parametrize(("a", "b"), pairs(FAMILY_VARIANTS))
def test_family_name_variants_fold_to_one_key(a, b):
    assert fold_token(a) == fold_token(b)
    assert person_name_keys(family_name=a).family == person_name_keys(family_name=b).family


@pytest.mark.parametrize(("a", "b"), pairs(GIVEN_VARIANTS))
def test_given_name_variants_fold_to_one_key(a, b):
    assert person_name_keys(given_name=a).given == person_name_keys(given_name=b).given


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim", "Kang"),
        ("Pak", "Paek"),  # 박 and 백 are different names, however close the spellings
        ("Park", "Paik"),
        ("Jong", "Jang"),
        ("Jo", "Ju"),  # 조 and 주: an open o and u stay apart
        ("Cho", "Choo"),
        ("O", "U"),
        ("Choe", "Chae"),
        ("Ri", "Rim"),
        ("Lee", "Lim"),
        ("Sin", "Sim"),
        ("Son", "Song"),
        ("Han", "Ham"),
        ("Yu", "Yang"),
        ("Kwon", "Kwak"),
        ("Hong", "Hwang"),
        ("Mun", "Min"),
        ("Ko", "Ku"),
        ("Ryu", "Ri"),
    ],
)
def test_different_family_names_stay_apart(a, b):
    assert fold_token(a) != fold_token(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Chol Su", "Chol Ho"), ("Yong Ho", "Yong Hui"), ("Song Il", "Il Song"), ("Sun Ok", "Son Ae")],
)
def test_different_given_names_stay_apart(a, b):
    assert person_name_keys(given_name=a).given != person_name_keys(given_name=b).given


def test_one_worker_written_five_ways_gets_one_set_of_keys():
    ways = [
        person_name_keys(full_name="Lee Chul-soo"),
        person_name_keys(family_name="Ri", given_name="Chol Su"),
        person_name_keys(full_name="Yi Ch'ŏl-su"),
        person_name_keys(name_hangul="리철수"),
        person_name_keys(name_hangul="이철수"),
        person_name_keys(full_name="RI Chol Su"),
        person_name_keys(full_name="이 철수"),
    ]
    assert ways[0] == PersonNameKeys("i", "jol-su", "i jol-su", "i jol su")
    assert all(w == ways[0] for w in ways)


@pytest.mark.parametrize(
    "full",
    ["Chol Su Ri", "Chul-soo Lee", "RI, Chol Su", "Chol Su RI", "Cheolsu Lee", "Ri Chol Su"],
)
def test_the_family_name_is_found_at_either_end_not_by_position(full):
    keys = person_name_keys(full_name=full)
    assert (keys.family, keys.given) == ("i", "jol-su")


@pytest.mark.parametrize(
    ("full", "family"),
    [
        ("Kim Il Song", "kim"),
        ("Il Song Kim", "kim"),  # Song is a family name too, but far rarer than Kim
        ("Song Il Kim", "kim"),
        ("Jong Su Pak", "pak"),
        ("Pak Jong Su", "pak"),
        ("Sung Young Kwon", "kwon"),  # 성 is a common given syllable, 권 is not
        ("O Jin U", "o"),
    ],
)
def test_which_end_is_the_family_name_weighs_both_readings(full, family):
    assert person_name_keys(full_name=full).family == family


def test_order_swaps_agree_on_sorted_tokens_even_when_the_order_is_ambiguous():
    # 하창 or 창하: both ends are family names and given syllables; sorted tokens still agree.
    a = person_name_keys(full_name="Ha Chang")
    b = person_name_keys(full_name="Chang Ha")
    assert a.tokens_sorted == b.tokens_sorted == "ha jang"


def test_compound_family_names_in_hangul_take_two_syllables():
    keys = person_name_keys(name_hangul="남궁민수")
    assert (keys.family, keys.given) == (fold_token("Namgoong"), fold_token("Min-su"))
    assert person_name_keys(name_hangul="황보철").family == fold_token("Hwangbo")
    # Two syllables: family and a one-syllable given name, even when they start a compound.
    assert person_name_keys(name_hangul="남궁").family == "nam"


def test_hangul_wins_over_a_romanisation_in_the_same_record():
    keys = person_name_keys(full_name="Lee Chul-soo", name_hangul="김영호")
    assert keys.family == "kim"


@pytest.mark.parametrize("missing", [None, "", "   ", math.nan])
def test_missing_names_give_no_keys(missing):
    assert person_name_keys(missing, missing, missing, missing) == PersonNameKeys(
        None, None, None, None
    )


def test_a_single_word_is_a_family_name_only_if_it_is_one():
    assert person_name_keys(full_name="Kim") == PersonNameKeys("kim", None, "kim", "kim")
    assert person_name_keys(full_name="Cheolsu") == PersonNameKeys(None, None, "jol-su", "jol su")


def test_names_that_are_not_korean_still_fold_the_same_way_each_time():
    a = person_name_keys(given_name="Michaela", family_name="Neumann")
    b = person_name_keys(given_name="MICHAELA", family_name="neumann")
    assert a == b and a.full is not None
    assert fold_token("Smith") != fold_token("Smyth")


def test_hangul_is_romanised_one_syllable_at_a_time():
    # No sound change across syllables: 신라 would be "Silla" in running text.
    assert romanise_hangul("신라") == "sinra"
    assert romanise_hangul("리철수 (Ri)") == "richeolsu (Ri)"


def test_many_records_at_once_give_what_one_at_a_time_gives():
    full = ["Lee Chul-soo", None, "", "Chol Su Ri", None, "Kim", math.nan]
    given = [None, "Chol Su", None, None, None, None, None]
    family = [None, "RI", None, None, None, None, None]
    hangul = [None, None, "리철수", None, "  ", None, None]
    frame = person_name_keys_many(full, given, family, hangul)
    expected = [person_name_keys(*row) for row in zip(full, given, family, hangul, strict=True)]
    assert list(frame.columns) == ["family", "given", "full", "tokens_sorted"]
    assert [PersonNameKeys(*row) for row in frame.itertuples(index=False)] == expected


def test_many_records_refuses_columns_of_different_lengths():
    with pytest.raises(ValueError, match="differ in length"):
        person_name_keys_many(["a", "b"], ["c"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ООО «Восток-Строй»", "Vostok-Stroy LLC"),
        ("Амурский лесопромышленный участок №12", "Amurskiy Lesopromyshlennyy Uchastok No. 12"),
        ("Korea Ryongbong Trading Co., Ltd", "KOREA RYONGBONG TRADING"),
        ("Stocznia Gdańsk Sp. z o.o.", "Stocznia Gdansk"),
        ("Al Quoz Contracting W.L.L.", "al-quoz contracting"),
        ("丹东海产品加工有限公司", "丹东海产品加工公司"),
        # Hangul is romanised syllable by syllable, with no spaces between words.
        ("(주)남산건설", "Namsangeonseol"),
    ],
)
def test_place_and_company_names_fold_across_scripts_and_legal_forms(a, b):
    assert fold_place_name(a) == fold_place_name(b)


def test_place_names_that_differ_stay_apart():
    assert fold_place_name("Tynda logging camp 12") != fold_place_name("Tynda logging camp 21")
    assert fold_place_name("丹东") != fold_place_name("珲春")


# Properties -------------------------------------------------------------------------------

HANGUL = [chr(c) for c in range(0xAC00, 0xD7A4, 37)]  # a spread of syllables, all kinds
LATIN = [*"abcdefghijklmnopqrstuvwxyzŏŭé'", "-", " "]
names_text = st.text(alphabet=st.sampled_from(LATIN + HANGUL[:40]), max_size=14)


@FAST
@given(names_text)
def test_folding_a_key_again_changes_nothing(text):
    key = fold_token(text)
    assert fold_token(key) == key


@FAST
@given(names_text)
def test_case_does_not_matter(text):
    assert fold_token(text.upper()) == fold_token(text) == fold_token(text.title())


@FAST
@given(st.lists(st.sampled_from(HANGUL), min_size=1, max_size=4))
def test_hyphens_spaces_and_hangul_give_the_same_key(syllables):
    romanised = [romanise_hangul(s) for s in syllables]
    key = fold_token("".join(syllables))
    assert fold_token("-".join(romanised)) == key
    assert fold_token(" ".join(romanised).upper()) == key
    assert fold_token(" - ".join(r.capitalize() for r in romanised)) == key


@FAST
@given(st.lists(st.sampled_from(HANGUL), min_size=1, max_size=4))
def test_a_hangul_syllable_is_always_one_syllable_key(syllables):
    assert len(fold_token("".join(syllables)).split("-")) == len(syllables)
