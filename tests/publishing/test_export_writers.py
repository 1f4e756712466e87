"""The export writers: one interface, only finished tables in, and no heavy import at start-up."""

import os
import subprocess
import sys

from unseen.publishing.exports import FORMATS, steps
from unseen.publishing.exports.api import WRITERS
from unseen.publishing.exports.tables import Table, Writer


def test_every_format_has_one_writer_behind_the_interface():
    assert FORMATS == ("csv", "ftm", "geojson", "htcds")
    for name, writer in WRITERS.items():
        assert isinstance(writer, Writer)
        assert writer.format == name
        assert writer.suffix.startswith(".")
    # A step per table, and one for the evidence files (HTCDS: journeys only, no files).
    assert (steps("csv"), steps("ftm"), steps("geojson"), steps("htcds")) == (17, 17, 3, 3)


def test_a_writer_writes_the_tables_it_is_given(tmp_path):
    tables = {
        "sites": Table(["id", "latitude", "longitude"], [{"id": "site-1", "latitude": None}]),
        "sightings": Table(["id", "note"], [{"id": "sighting-1", "note": "=1+1"}]),
    }
    assert WRITERS["csv"].write(tables, tmp_path / "csv") == {"sites": 1, "sightings": 1}
    assert (tmp_path / "csv" / "sightings.csv").read_text().splitlines()[1] == "sighting-1,'=1+1"
    assert WRITERS["geojson"].write(tables, tmp_path / "geojson") == {"sites": 1, "sightings": 1}


def test_the_export_command_starts_without_followthemoney(tmp_path):
    # FollowTheMoney takes about a second to import; only an FtM export needs it.
    env = {**os.environ, "UNSEEN_VAR_DIR": str(tmp_path), "UNSEEN_SECRET_KEY": "x" * 50}
    env["DJANGO_SETTINGS_MODULE"] = "unseen.config.settings"
    code = (
        "import sys, django; django.setup();"
        "import unseen.publishing.management.commands.export, unseen.publishing.exports.ftm;"
        "print('followthemoney' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "False", result.stderr
