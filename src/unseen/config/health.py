"""`/healthz`: is the database reachable and fully migrated? For load balancers and for `make demo`."""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

import unseen
from unseen.accounts.access import public


@public
def healthz(request: HttpRequest) -> JsonResponse:
    body: dict[str, object] = {"version": unseen.__version__}
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        body.update(
            database="ok", migrations="applied" if not pending else f"{len(pending)} pending"
        )
    except DatabaseError:
        body.update(database="unreachable", migrations="unknown")
        return JsonResponse({"status": "error", **body}, status=503)
    status = 200 if not pending else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", **body}, status=status)
