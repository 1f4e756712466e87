"""docs/reference/api.md's Python example, run as it stands against a live server."""

import re
from pathlib import Path

import pytest

from tests import factories
from unseen.accounts import tokens
from unseen.documentation.models import Deployment

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "api.md"
CSV = """host_country,sector,workers_low,workers_high,period_start,access_level
RU,construction,10,20,2017,internal
CN,seafood,5,,2018-06,internal
"""


def example_code() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- api-example:[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert found, "docs/reference/api.md has no marked Python example"
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_python_example_pulls_every_page_and_bulk_creates(
    live_server, rita, tmp_path, monkeypatch, capsys
):
    for year in range(2000, 2005):
        factories.deployment(year=year)
    factories.deployment(access_level="confidential")  # rita may read it: she has the compartment
    readable = Deployment.objects.count()
    (tmp_path / "new_deployments.csv").write_text(CSV, encoding="utf-8")
    made = tokens.create(rita.username, by="test", scopes=["read", "write"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UNSEEN_URL", live_server.url)
    monkeypatch.setenv("UNSEEN_TOKEN", made.token)
    # Small pages, so that the example follows `next` more than once.
    code = example_code().replace("?limit=200", "?limit=2")
    assert code != example_code()
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    frame = namespace["deployments"]
    assert len(frame) == readable
    assert frame["id"].is_unique
    assert {"id", "host_country", "workers_low"} <= set(frame.columns)
    created = namespace["created"]
    assert len(created) == 2
    assert Deployment.objects.count() == readable + 2
    second = Deployment.objects.get(pk=created[1])
    assert (second.host_country, second.workers_high) == ("CN", None)
    assert f"{readable} deployments" in capsys.readouterr().out
