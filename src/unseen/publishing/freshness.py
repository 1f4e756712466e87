"""Maps and charts cached until the records behind them change.

Building the map at 100,000 deployments takes about a second; the records change far less often
than people look. The cache key carries the audit log's last change id, so the first request
after any write or import rebuilds, and a record unpublished a second ago is never served.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from unseen.audit.log import last_change_id

from .scope import Scope


def cached(
    name: str, scope: Scope, build: Callable[[], dict[str, Any]], **params: Any
) -> dict[str, Any]:
    """`build()`'s result for this scope and these parameters, as fresh as the records."""
    key_parts = json.dumps(
        [name, scope.levels, scope.links_to_app, params, last_change_id()], sort_keys=True
    )
    key = "unseen:" + hashlib.sha256(key_parts.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value
