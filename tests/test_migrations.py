"""The migrations, squashed before the first release (docs/upgrading.md), make a database alone.

pytest-django makes the test database by running them (on SQLite, and on PostgreSQL in CI's
second pass); `make check` runs `makemigrations --check` too.
"""

from django.apps import apps
from django.core.management import call_command
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


def ours() -> list[str]:
    return [c.label for c in apps.get_app_configs() if c.name.startswith("unseen.")]


def test_the_models_have_no_change_without_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 otherwise


def test_the_test_database_has_every_migration_applied(db):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_each_app_with_tables_starts_from_one_initial_migration_that_moves_no_data():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    initial = {
        app: m for (app, name), m in loader.disk_migrations.items() if name == "0001_initial"
    }
    with_tables = [
        label
        for label in ours()
        if any(not m._meta.abstract for m in apps.get_app_config(label).get_models())
    ]
    assert sorted(initial.keys() & set(ours())) == sorted(with_tables)
    for app, migration in initial.items():
        if app in with_tables:
            assert migration.initial
            moves_data = (migrations.RunPython, migrations.RunSQL)
            assert not [op for op in migration.operations if isinstance(op, moves_data)], app
