"""Stated purposes, bounded and checked for what looks like a person's name (#15).

A purpose says why someone opens an identity or a reporter's contact details.

A purpose is written verbatim into the append-only audit log and every backup after it, where a
name typed by mistake ("check Kim Chol Su") stays for good. `looks_like_a_name` is a heuristic
that errs towards asking: the forms refuse such a purpose until the user rephrases it or confirms
that it names no one. It looks for

- two or three capitalised Latin words in a row ("Ri Chol Su", "Anna Petrova"), leaving out
  common words of a purpose and of places ("Linkage Review", "North Korea");
- a Korean surname romanised followed by a given name: hyphenated ("kim chol-su", "Moon Jae-in"),
  in capitals ("KIM CHOL"), or in one or two romanised syllables ("ri chol su");
- a Hangul word of 2 to 4 syllables that starts with a Korean surname ("김철수", "김철수를"), except
  common words that happen to ("신원 확인", "연결 검토").
"""

import re

PURPOSE_LENGTH = 200


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ]+)*")
_TITLE = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ][a-zß-öø-ÿ]*)*")
_CAPITALS = re.compile(r"[A-Z]{2,}")
_HANGUL_WORD = re.compile(r"[가-힣]+")
_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|jj|ch|sh|ph|th|kh|[bcdghjkmnprstwy])?"
    r"(?:yeo|yae|wae|weo|eo|ae|eu|oe|ui|wa|wo|wi|we|ya|yo|yu|ye|a|e|i|o|u)"
    r"(?:ng|[klmnprt])?"
)

# Romanisations of Korean surnames (North and South Korean spellings). Those that are also
# everyday English words ("in", "so", "son") count only before a hyphenated or capitalised name.
SURNAMES = _words(
    """kim gim lee yi rhee ri rhi park pak bak choi choe chong jung jeong chung kang gang cho jo
    yoon yun jang chang lim rim im han shin sin seo suh kwon gwon hwang ahn an jeon jon chon hong
    ko koh go moon mun yang ryang son sohn bae pae baek paek heo hur huh ho nam noh roh ro ha kwak
    gwak sung seong song cha joo ju woo u koo ku gu min ryu yu yoo jin chin ji um eom chae won
    cheon chun bang pang gong kong hyun hyon ham byun pyon yeom ryom yeo ryo choo chu do to so
    seok sok sun seon sol seol ma gil kil yeon yon ryon wi pyo myung myong ki gi ban pan ra na
    wang geum kum ok yook yuk ryuk in maeng je mo tak kook kuk eo eun pyeon yong ryong ye kyung
    bong sa bu ka bok tae mok hyung kye gye pi doo tu kam gam bin dong tong on beom pom jwa
    paeng seung gan sang si gal dan tan gyeon kyon dang hwa ong soon"""
)
_ENGLISH_SURNAMES = _words(
    """an im go ho ro ha u ku gu yu jin chin um won son song sun do to so ma gil kil ban pan
    ra na wang ok in je mo eo ye bong sa bu ka tae pi tu bin dong tong on gan sang si gal dan tan
    dang hwa ong soon cha min kong gong bang pang ham nam yang young moon hong kang chang"""
)

# Capitalised words that are not names: the first word of a sentence and the vocabulary of
# purposes, of the places and organisations this work is about, of months and days.
COMMON = _words(
    """a an the and or of to for from with in on at by as per re about after before during into
    this that these those is are was be our my his her their its please need needed needs
    check checking checked review reviewing reviewed verify verifying verification confirm
    confirming compare comparing comparison follow follow-up followup update updating linkage
    link linking match matching merge merging request requested requests audit auditing
    investigate investigating investigation contact contacting interview interviewing correct
    correcting correction cross-check see call ask asked open opening read reading edit editing
    find finding identify identifying identification duplicate duplicates possible suspected
    new old same report reports reporting run batch list lists source sources court legal
    lawyer police visa passport passports data record records monthly weekly annual quality due
    diligence research study interviewee witness testimony testimonies consent deployment site
    sites worker workers sighting sightings case cases file files photo photos address phone
    number name names birth date identity identities document documents list review pair pairs
    moderation moderator moderators spam reporter reporters additional information details
    safety security risk urgent question questions translation transcript evidence claim claims
    north south east west northern southern eastern western central korea korean koreans dprk
    rok russia russian china chinese mongolia mongolian vietnam laos cambodia nepal malaysia
    poland malta kuwait qatar oman uae dubai emirates arab saudi africa african guinea nigeria
    angola senegal algeria egypt libya europe european asia asian far republic people's peoples
    democratic united nations states kingdom human rights watch committee council office ministry
    bureau department embassy consulate company group team project section unit general
    international national federation federal city province region oblast krai district street
    road port university institute centre center foundation organisation organization
    association union labour labor forced overseas abroad sanctions ofac un ilo hrw ngo
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday"""
)

HANGUL_SURNAMES = frozenset(
    "김이리박최정강조윤장임림한오서신권황안송전홍유류고문양량손배백허남노로하곽성차주우구민진지엄"
    "채원천방공현함변염렴여려추도소석선설마길연위표명기반라나왕금옥육인맹제모탁국어은편용룡예경봉사"
    "부가복태목형계피두감음빈동온호범좌팽승간상시갈단견당화창옹순"
)
# Common words of a purpose that start with a surname syllable.
COMMON_HANGUL = _words(
    """신원 신원을 연결 조사 조회 정보 정리 정정 이름 이유 이번 이전 이동 이민 사건 사실 사람 사진
    전화 주소 연락 연락처 기록 기관 기간 문서 문의 방문 보고 보고서 요청 유사 진술 진술서 안전 안건
    인터뷰 인적 인물 제출 제보 제보자 지원 지역 차이 최근 최종 한국 명단 명부 동일 동일인 성명 성별
    송환 송금 노동 노동자 공개 공유 감사 여권 연구 연구자 오류 원본 위험 유지 인권 임금 장소 전체
    정책 제도 주의 진행 채용 현장 현황 검토 확인 관련 내용 대조 비교 중복 확인용 조치 수정 추가 자료
    사례 사항 상황 상태 서류 소속 소재 시기 시점 신고 신청 심사 안내 업무 연락처를 이름을 기록을
    정보를 사진을 주소를 번호 번호를 증언 면담 해외 파견 북한 남한 중국 러시아 몽골 국가 국적 국제
    법원 법률 경찰 변호사 재판 재검토 전달 전송 점검 접수 정확 조정 종결 지급 직원 직장 진위 차단
    여부 이상 이하 이후 이외 사용 사유 기준 방법 정도 구분 공식 공문 주간 월간 연간 도움 요구 장기
    단기 이중 이용 사본 신분 신분증 여권번호 고용 고용주 송출 노동자들 전화번호"""
)
_PARTICLES = (
    "에게",
    "께서",
    "한테",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "와",
    "과",
    "씨",
    "님",
    "도",
    "로",
)


def bound(text: str) -> str:
    """The purpose as it is written to the log: stripped and at most PURPOSE_LENGTH characters."""
    return text.strip()[:PURPOSE_LENGTH]


def looks_like_a_name(text: str) -> bool:
    """True when `text` seems to hold a person's name (see the module's rules)."""
    return _latin(text) or _hangul(text)


def _latin(text: str) -> bool:
    # Words in order, with whether punctuation other than spaces came before them.
    words: list[tuple[str, bool]] = []
    end = 0
    for match in _LATIN_WORD.finditer(text):
        between = text[end : match.start()]
        words.append((match.group(), bool(between.strip()) or not words))
        end = match.end()
    run: list[str] = []
    for index, (word, broken) in enumerate(words):
        following = words[index + 1][0] if index + 1 < len(words) else ""
        if _surname_then_given_name(
            word, following, joined=not (words[index + 1][1] if following else True)
        ):
            return True
        named = bool(_TITLE.fullmatch(word)) and word.lower() not in COMMON
        if broken or not named:
            if 2 <= len(run) <= 3:
                return True
            run = []
        if named:
            run.append(word)
    return 2 <= len(run) <= 3


def _surname_then_given_name(word: str, following: str, *, joined: bool) -> bool:
    surname = word.lower()
    if surname not in SURNAMES or not following or not joined:
        return False
    given = following.lower()
    if "-" in given and all(_SYLLABLE.fullmatch(part) for part in given.split("-")):
        return True  # kim chol-su, Moon Jae-in
    if _CAPITALS.fullmatch(word) and _CAPITALS.fullmatch(following):
        return given not in COMMON  # KIM CHOL
    if surname in _ENGLISH_SURNAMES or not word.islower():
        return False
    return bool(_SYLLABLE.fullmatch(given)) and given not in COMMON  # ri chol su


def _hangul(text: str) -> bool:
    for match in _HANGUL_WORD.finditer(text):
        word = match.group()
        candidates = [word] + [word[: -len(p)] for p in _PARTICLES if word.endswith(p)]
        if any(
            2 <= len(candidate) <= 4
            and candidate[0] in HANGUL_SURNAMES
            and candidate not in COMMON_HANGUL
            and word not in COMMON_HANGUL
            for candidate in candidates
        ):
            return True
    return False
