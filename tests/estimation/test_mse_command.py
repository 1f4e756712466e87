"""`unseen mse FILE.csv` (docs/design.md §5): a table or one JSON document; bad files exit 2."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.core.estimation.mse_data import DATA
from unseen.estimation.management.commands.mse import Command

UK5 = str(DATA / "uk2013_5lists.csv")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_one_json_document_in_the_designed_shape():
    out, _ = run(UK5, "--method", "stepwise-aic", "--json")
    document = json.loads(out)
    assert document["lists"] == ["LA", "NG", "PFNCA", "GO", "GP"]
    assert document["observed"] == 2744
    (result,) = document["results"]
    assert set(result) == {"method", "model", "estimate", "ci", "aic", "bic", "warnings"}
    assert result["method"] == "stepwise-aic"
    assert result["model"] == "[LA:NG, LA:PFNCA, NG:GO, NG:GP, PFNCA:GP, GO:GP]"
    assert round(result["estimate"], 1) == 11313.0
    assert result["ci"]["kind"] == "profile"
    assert result["ci"]["level"] == 0.95
    assert result["ci"]["low"] == pytest.approx(9889.2, rel=0.005)
    assert any("LA:GP" in w for w in result["warnings"])


def test_it_prints_a_readable_table_by_default():
    out, _ = run(UK5, "--method", "main-effects", "--ci", "wald", "--level", "0.8")
    assert "main-effects" in out
    assert "13,444.1" in out
    assert "(wald 80%)" in out
    assert "warnings (main-effects):" in out


def test_it_runs_a_seeded_bootstrap_reproducibly():
    args = (UK5, "--method", "main-effects", "--ci", "bca", "--bootstrap", "50", "--seed", "3")
    first, _ = run(*args, "--json")
    again, _ = run(*args, "--json")
    assert json.loads(first) == json.loads(again)
    assert json.loads(first)["results"][0]["ci"]["kind"] == "bca"


def test_it_reads_only_the_named_lists(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("id,A,B,note\n1,1,0,x\n2,1,1,y\n3,0,1,z\n4,1,1,w\n5,1,0,v\n")
    out, _ = run(str(path), "--lists", "A,B", "--method", "main-effects", "--json")
    document = json.loads(out)
    assert document["lists"] == ["A", "B"]
    assert document["results"][0]["estimate"] == pytest.approx(4 * 3 / 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,count\n1,2,3\n", ":2:B: '2' is not 0 or 1"),
        ("A,B,count\n1,0,-3\n", ":2:count: count -3 is negative"),
        ("A,count\n1,3\n", ":1:A: MSE needs at least two lists"),
        ("A,B,n\n1,0,54\n0,1,46\n", ":1:n: looks like counts"),
        ("A,B,count\n1,0,3\n0,0,5\n", ":3:count: an all-zero history"),
    ],
)
def test_it_exits_2_naming_file_row_and_column(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(Command(), str(path), stdout=StringIO(), stderr=err)
    assert exit_.value.code == 2
    assert err.getvalue().startswith(f"error: {path}{message}")


def test_it_writes_errors_to_stderr_as_file_row_column_reason(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("A,B,count\n1,2,3\n")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(Command(), str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == f"error: {path}:2:B: '2' is not 0 or 1"


def test_it_exits_2_on_a_missing_file(tmp_path):
    with pytest.raises(SystemExit) as exit_:
        run(str(tmp_path / "absent.csv"))
    assert exit_.value.code == 2
