"""English and Korean user interface: the switch renders Korean, keeps the page, and the catalogue is whole.

The Korean catalogue is src/unseen/locale/ko/LC_MESSAGES/django.po, compiled to django.mo and
committed, so the running site needs no gettext. polib is not installed: the .po is read by
`read_po` below, which knows just enough of the format for these checks.
"""

import ast
import html
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

import unseen
from tests import factories

LOCALE = Path(unseen.__file__).parent / "locale" / "ko" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[sdifgexX%]")
STRING_LINE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")


def read_po(path: Path) -> list[dict]:
    """Every live (not obsolete) entry of a .po file: its msgid, msgstr(s) and flags."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set()}, ""
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # references, translator comments and obsolete (#~) entries
        elif match := STRING_LINE.match(line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}: cannot read line {line!r}")
    return [entry for entry in entries if entry["msgid"]]  # the header has an empty msgid


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


SOURCE = Path(unseen.__file__).parent
# The keywords makemessages gives xgettext (its own and xgettext's Python defaults), with the
# position of the context argument (or None): the msgid follows it.
KEYWORDS = {
    **dict.fromkeys(["_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"]),
    **dict.fromkeys(["pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"], 0),
}


def marked_in_python(text: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every `_("…")`, `gettext_lazy("…")`, `pgettext("c", "…")` … call."""
    marked = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        strings = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        context = KEYWORDS[name]
        at = 0 if context is None else context + 1
        if len(strings) > at and isinstance(strings[at], str):
            marked.add((None if context is None else strings[context], strings[at]))
    return marked


def marked_in_template(text: str, origin: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every {% translate %} and {% blocktranslate %}, found as makemessages
    finds them: Django's templatize turns the template into gettext calls with everything else
    blanked out (with X and B), which Python's tokenizer reads."""
    marked = set()
    # Indentation is the template's, not Python's: the tokenizer reads each line unindented.
    code = "\n".join(line.lstrip() for line in templatize(text, origin).splitlines())
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(code).readline)
        if token.type in (tokenize.NAME, tokenize.OP, tokenize.STRING)
    ]
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        args, current = [], ""
        for following in tokens[i + 2 :]:
            if following.type == tokenize.STRING:
                current += ast.literal_eval(following.string)
            else:
                args.append(current)
                current = ""
                if following.string == ")":
                    break
        context = KEYWORDS[token.string]
        marked.add((None, args[0]) if context is None else (args[0], args[1]))
    return marked


def marked_for_translation() -> dict[tuple[str | None, str], str]:
    """Every string the source marks for translation, as makemessages would extract it (the
    Python and the templates of src/unseen, no JavaScript catalogue), with where it is."""
    marked: dict[tuple[str | None, str], str] = {}
    for path in sorted(SOURCE.rglob("*")):
        relative = path.relative_to(SOURCE)
        if any(part.startswith(".") for part in relative.parts) or relative.parts[0] == "locale":
            continue
        if path.suffix == ".py":
            found = marked_in_python(path.read_text(encoding="utf-8"))
        elif path.suffix in (".html", ".txt"):
            found = marked_in_template(path.read_text(encoding="utf-8"), str(relative))
        else:
            continue
        for key in found:
            marked.setdefault(key, str(relative))
    return marked


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def korean(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client


def test_it_renders_the_workspace_in_korean_after_switching(rita_client):
    response = rita_client.post("/i18n/setlang/", {"language": "ko", "next": "/app/"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [("/app/", 302)]
    assert '<html lang="ko">' in page
    assert "작업 공간" in page and "로그아웃" in page  # Workspace, Sign out
    assert "Workspace" not in page and "Sign out" not in page


def test_it_switches_back_to_english(rita_client):
    rita_client.post("/i18n/setlang/", {"language": "ko", "next": "/app/"})
    assert "작업 공간" in rita_client.get("/app/").content.decode()
    rita_client.post("/i18n/setlang/", {"language": "en", "next": "/app/"})
    page = rita_client.get("/app/").content.decode()
    assert "Workspace" in page and "작업 공간" not in page


def test_it_renders_the_public_home_in_korean(client, db):
    factories.deployment(country="RU", year=2017, low=30023, high=30023)
    page = korean(client).get("/").content.decode()
    assert '<html lang="ko">' in page
    assert "북한 해외 파견 노동자 실태 기록" in page  # Documenting North Korea's export of workers
    assert "직원 로그인" in page and "Staff sign in" not in page
    assert "Documenting North Korea" not in page


def test_it_renders_a_record_list_in_korean(rita_client):
    factories.deployment(country="RU", year=2017, low=100, high=200)
    page = korean(rita_client).get("/app/deployments/").content.decode()
    assert "필터 적용" in page and "초기화" in page  # Filter, Clear
    assert "출처 신뢰도" in page and "접근 수준" in page  # Reliability, Access (filter labels)
    assert ">Filter<" not in page


@pytest.mark.parametrize("page", ["/app/", "/app/deployments/?country=RU", "/app/indicators/"])
def test_it_returns_to_the_same_page_after_switching(rita_client, page):
    response = rita_client.post("/i18n/setlang/", {"language": "ko", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_it_puts_the_current_page_in_the_language_switch(rita_client, language):
    rita_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = rita_client.get("/app/deployments/", {"country": "RU"}).content.decode()
    form = page.split('action="/i18n/setlang/"')[1].split("</form>")[0]
    current = re.search(r'name="next" type="hidden" value="([^"]*)"', form)
    assert current and html.unescape(current.group(1)) == "/app/deployments/?country=RU"


def test_it_has_every_string_translated_into_korean():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 200
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [entry["msgid"] for entry in entries if not all(translations(entry))]
    assert not fuzzy, f"fuzzy entries in django.po: {fuzzy}"
    assert not untranslated, (
        f"untranslated in django.po (run makemessages, then translate): {untranslated}"
    )


def test_it_has_a_korean_entry_for_every_string_marked_in_the_source():
    """A string marked for translation but missing from django.po shows in English: the
    catalogue must be remade (makemessages) and translated whenever the source changes."""
    marked = marked_for_translation()
    assert len(marked) > 200
    assert ("Opened", "Opened") not in marked  # keys are (context, msgid)
    catalogue = {(entry.get("msgctxt"), entry["msgid"]) for entry in read_po(LOCALE / "django.po")}
    missing = sorted(
        f"{where}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid), where in marked.items()
        if (context, msgid) not in catalogue
    )
    assert not missing, (
        f"{len(missing)} string(s) marked for translation have no entry in django.po; run "
        "`cd src/unseen && unseen makemessages -l ko --no-obsolete`, translate, then "
        "`unseen compilemessages -l ko`:\n" + "\n".join(missing)
    )


def test_it_keeps_every_placeholder_and_korean_has_one_plural_form():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    for entry in read_po(LOCALE / "django.po"):
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for value in translations(entry):
            assert sorted(PLACEHOLDER.findall(value)) == wanted, entry["msgid"]
        if "msgid_plural" in entry:
            assert [key for key in entry if key.startswith("msgstr")] == ["msgstr[0]"]


def test_it_ships_a_compiled_catalogue_matching_the_po():
    """django.mo is committed: a .po edited without compilemessages would not show."""
    with translation.override("ko"):
        for entry in read_po(LOCALE / "django.po"):
            if "msgctxt" in entry:
                shown = translation.pgettext(entry["msgctxt"], entry["msgid"])
            elif "msgid_plural" in entry:
                shown = translation.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            else:
                shown = translation.gettext(entry["msgid"])
            assert shown == translations(entry)[0], entry["msgid"]
