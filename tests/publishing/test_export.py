import csv
import io

import pytest
from django.core.management import call_command

import unseen
from tests import checkout, factories
from unseen.audit.models import Action, AuditEntry
from unseen.publishing.models import ExportApproval
from unseen.registry.models import Person
from unseen.registry.vault import Identity, store_identity


def test_it_exports_every_kind_to_csv_without_identities(tmp_path, alice):
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    source = factories.source("Some report")
    factories.deployment(evidence=source)
    person = Person.objects.create()
    store_identity(person, Identity(full_name="Kim Chol-su", phone="+7 900 000 00 00"))
    out = io.StringIO()
    call_command(
        "export",
        *("--format", "csv", "--level", "full", "--approval", str(approval.pk)),
        *("--out", str(tmp_path / "out")),
        stdout=out,
    )
    tmp_path = tmp_path / "out"
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "deployments.csv" in files and "claims.csv" in files and "persons.csv" in files
    with (tmp_path / "deployments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["host_country"] == "RU" and rows[0]["workers_low"] == "100"
    everything = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    assert person.pseudonym in everything
    assert "Kim Chol-su" not in everything and "+7 900" not in everything
    detail = AuditEntry.objects.get(action=Action.EXPORT).detail
    assert detail["files"]["deployments"] == 1
    assert detail["software"] == {"unseen": unseen.__version__, "revision": checkout.revision()}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--level", "full"], "needs an administrator's approval"),
        (["--level", "full", "--approval", "999"], "no export approval #999"),
        (["--level", "pseudonymised"], "needs --recipient"),
        (["--level", "public", "--override-k"], "needs --approved-by"),
        (["--level", "public", "--k", "0"], "--k must be at least 1"),
    ],
)
def test_it_refuses_exports_it_may_not_make(tmp_path, db, args, reason):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("export", *args, "--out", str(tmp_path / "out"), stderr=err)
    assert (
        exited.value.code == 2 and err.getvalue().startswith("error: ") and reason in err.getvalue()
    )
    assert not (tmp_path / "out").exists()
