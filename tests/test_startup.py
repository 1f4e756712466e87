"""Start-up stays light (#16 item 8): commands and web workers load no heavy numerical library
until a computation needs it. Each check runs in a fresh interpreter, because this test process
has long since imported everything."""

import json
import os
import subprocess
import sys

import pytest

# Each takes from a quarter of a second (pandas) to seconds (SciPy's statistics, Splink, Spark)
# to import, and `unseen help` has to stay under a second (benchmarks/bench_startup.py).
HEAVY = (
    "scipy",
    "statsmodels",
    "pandas",
    "splink",
    "duckdb",
    "pyspark",
    "sklearn",
    "followthemoney",
)

REPORT = (
    "import json, sys\n"
    f"heavy = {HEAVY!r}\n"
    "loaded = sorted({name.split('.')[0] for name in sys.modules} & set(heavy))\n"
    "print(json.dumps(loaded), file=sys.__stderr__)\n"
)
COMMAND = (
    "import atexit\n"
    "atexit.register(lambda: exec({report!r}))\n"
    "from unseen.cli import main\n"
    "main({argv!r})\n"
)
URLCONF = (
    "import importlib, django\n"
    "from django.conf import settings\n"
    "django.setup()\n"
    "importlib.import_module(settings.ROOT_URLCONF)\n"
    "from django.urls import get_resolver\n"
    "get_resolver().url_patterns\n"
    "{report}"
)


def _heavy_loaded(code: str, tmp_path) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="unseen.config.settings", UNSEEN_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    assert last.startswith("["), f"exit {result.returncode}:\n{result.stderr[-3000:]}"
    return list(json.loads(last))


@pytest.mark.parametrize(
    "argv",
    [["help"], ["revenue", "--help"], ["link", "--help"], ["linkage", "--help"]],
    ids=" ".join,
)
def test_it_starts_a_command_without_heavy_libraries(argv, tmp_path):
    assert _heavy_loaded(COMMAND.format(report=REPORT, argv=argv), tmp_path) == []


def test_it_loads_the_apps_and_urls_without_heavy_libraries(tmp_path):
    # What a web worker loads before its first request: settings, apps, models, every view.
    assert _heavy_loaded(URLCONF.format(report=REPORT), tmp_path) == []


def test_it_would_notice_a_heavy_import(tmp_path):
    # The check itself can fail: the same probe sees pandas once something imports it.
    code = "import pandas\n" + URLCONF.format(report=REPORT)
    assert "pandas" in _heavy_loaded(code, tmp_path)


def test_walking_every_module_attribute_imports_nothing_heavy(tmp_path):
    # freezegun, on entering `freeze_time`, reads every attribute `dir()` lists of every loaded
    # module; a lazy package that listed its lazy names there imported Splink under frozen time,
    # and the two-factor tests hung when run alone.
    walk = (
        "import sys\n"
        "for module in list(sys.modules.values()):\n"
        "    for name in dir(module):\n"
        "        try:\n"
        "            getattr(module, name)\n"
        "        except Exception:\n"
        "            pass\n"
    )
    code = URLCONF.format(report="import unseen.core.linkage\n" + walk + REPORT)
    assert _heavy_loaded(code, tmp_path) == []
