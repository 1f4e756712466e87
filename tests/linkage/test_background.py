"""The real background path: a committed run is put on the database queue; the process that
queued it ends (a restart), and `unseen worker`, started afterwards as a process of its own,
takes the job from the queue and writes the run's progress to the database.

Slow (a fresh database is migrated), and needs no test database: everything runs in processes
of their own against a SQLite file in a temporary folder.
"""

import os
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

START = """
import django
django.setup()
from unseen.accounts.models import User
from unseen.evidence.models import Source
from unseen.linkage.running import start_run
from unseen.registry.models import Person
from unseen.registry.vault import Identity, store_identity

andy, _ = User.objects.get_or_create(username="andy", role="analyst")
roster = Source.objects.create(title="Roster", kind="document")
interviews = Source.objects.create(title="Interviews", kind="interview")
names = [("RI Chol Su", "Lee Chul-soo", "1984-03-02"), ("KIM Yong Ho", "Kim Yong-ho", "1990-11-20"),
         ("PAK Song Il", "Park Sung-il", "1979-05-14"), ("CHOE Hye Gyong", "Choi Hye-kyung", "1988-01-09")]
for north, south, born in names:
    for name, source in ((north, roster), (south, interviews)):
        person = Person.objects.create(birth_year=int(born[:4]))
        store_identity(person, Identity(full_name=name, birth_date=born))
        person.add_claim(source, 3, "listed")
if QUEUE_ONLY:  # the row alone, as a page leaves it before its job starts
    from unseen.linkage.models import LinkageRun
    run = LinkageRun.objects.create(entity="person", threshold=0.5, review_low=0.1,
                                    review_high=0.9, started_by=andy)
    run.sources.set([roster, interviews])
else:
    run = start_run(entity="person", sources=[roster, interviews], threshold=0.5,
                    review_low=0.1, review_high=0.9, user=andy)
print(run.pk)
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A fresh SQLite database in a folder of its own, and the environment that points at it."""
    folder = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "unseen.config.settings",
        "UNSEEN_VAR_DIR": str(folder),
        "DATABASE_URL": "",
        "UNSEEN_MASTER_KEY": "",
        "UNSEEN_MASTER_KEY_FILE": "",
        "UNSEEN_AUDIT_KEY": "",
        "UNSEEN_AUDIT_KEY_FILE": "",
    }
    subprocess.run(
        [sys.executable, "-m", "unseen.cli", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    subprocess.run(
        [sys.executable, "-m", "unseen.cli", "keys", "init"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env, folder


def test_a_queued_run_survives_a_restart_and_is_run_by_the_worker(migrated):
    env, folder = migrated
    # The "web" process queues the run and exits: no worker has run it.
    started = subprocess.run(
        [sys.executable, "-c", "QUEUE_ONLY = False\n" + START],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    run_id = int(started.stdout.split()[-1])
    database = sqlite3.connect(folder / "unseen.sqlite3", timeout=30)
    assert database.execute(
        "select status from linkage_linkagerun where id = ?", [run_id]
    ).fetchone() == ("queued",)
    (task_path, task_status, arguments) = database.execute(
        "select task_path, status, args_kwargs from django_tasks_database_dbtaskresult"
    ).fetchone()
    assert (task_path, task_status) == ("unseen.linkage.tasks.run_linkage", "READY")
    assert f"[{run_id}]" in arguments
    database.commit()
    # A worker started afterwards, in a process of its own, finds the job on the queue.
    worker = subprocess.run(
        [sys.executable, "-m", "unseen.cli", "worker", "--batch", "--no-startup-delay"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr
    status, stage, error, counts = database.execute(
        "select status, stage, error, counts from linkage_linkagerun where id = ?", [run_id]
    ).fetchone()
    assert (status, error) == ("done", ""), f"the job ended {status}: {error}"
    assert stage == "done"
    clusters = database.execute(
        "select count(distinct cluster) from linkage_clustermember where run_id = ?", [run_id]
    ).fetchone()[0]
    assert 4 <= clusters < 8  # the romanisation variants were linked, at least in part
    assert '"records": 8' in counts
    assert database.execute("select status from django_tasks_database_dbtaskresult").fetchall() == [
        ("SUCCESSFUL",)
    ]


def test_a_job_stopped_from_outside_fails_its_run(migrated):
    env, folder = migrated
    database = sqlite3.connect(folder / "unseen.sqlite3", timeout=30)
    # Eight persons link in a moment: on a busy machine a run may end before the stop reaches
    # it, which tests nothing. Such an attempt is started again with a fresh run.
    for _attempt in range(3):
        started = subprocess.run(
            [sys.executable, "-c", "QUEUE_ONLY = True\n" + START],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        run_id = started.stdout.split()[-1]
        job = subprocess.Popen(
            [sys.executable, "-m", "unseen.cli", "linkage", "run", run_id],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            (status,) = database.execute(
                "select status from linkage_linkagerun where id = ?", [run_id]
            ).fetchone()
            if status != "queued":
                break
            time.sleep(0.01)
        job.terminate()
        if status == "running":
            break
        job.wait(timeout=60)
    else:
        pytest.fail(f"the run never was seen running before it ended ({status})")
    assert job.wait(timeout=60) != 0
    status, error = database.execute(
        "select status, error from linkage_linkagerun where id = ?", [run_id]
    ).fetchone()
    assert status == "failed" and error.startswith("stopped while"), (status, error)
