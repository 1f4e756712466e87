"""`/healthz`: is the platform up? For load balancers, monitors and `make demo`.

Anyone learns only whether the platform is up (`{"status": "ok"}`, or `"unavailable"` with 503
when the database is unreachable or migrations are pending). The version and the migration state
help an attacker pick an exploit, so they are shown only to a signed-in administrator whose
session has passed the second factor, or to a monitor sending the operator token
(`Authorization: Bearer <UNSEEN_HEALTH_TOKEN>`).
"""

import hmac

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from unseen import build
from unseen.accounts import two_factor
from unseen.accounts.access import public
from unseen.accounts.roles import Role


def _operator(request: HttpRequest) -> bool:
    user = request.user
    if (
        user.is_authenticated
        and user.is_active
        and getattr(user, "role", "") == Role.ADMINISTRATOR
        and not two_factor.needs_verification(request)
    ):
        return True
    expected = str(getattr(settings, "UNSEEN_HEALTH_TOKEN", ""))
    scheme, _space, given = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return bool(
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), expected.encode())
    )


@public
def healthz(request: HttpRequest) -> JsonResponse:
    detail: dict[str, object] = {"version": build.version(), "revision": build.revision()}
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        detail.update(
            database="ok", migrations="applied" if not pending else f"{len(pending)} pending"
        )
        up = not pending
    except DatabaseError:
        detail.update(database="unreachable", migrations="unknown")
        up = False
    status = 200 if up else 503
    if _operator(request):
        return JsonResponse({"status": "ok" if up else "unavailable", **detail}, status=status)
    return JsonResponse({"status": "ok" if up else "unavailable"}, status=status)
