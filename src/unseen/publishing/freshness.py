"""Maps, charts and figures cached until the records they are built from change.

Building the public map at 100,000 deployments takes a few hundred milliseconds; the records
change far less often than people look. Each cached value is keyed on the newest audit entry
that changed a model it reads (`reads`: model labels, or app labels for a whole app), and on
every import: the first request after such a write or import rebuilds, and a record published,
edited, unpublished or deleted a moment ago is never served. Every write to a documented record is
audited with its model's label (audit.signals, and `record` where an update sends no signal), so
a change the key does not see is a change to a model the builder does not read. A testimony
edit keeps the map, which reads no testimony; a deployment edit rebuilds it.

The version is read before the value is built: a write that lands during a build leaves a value
at least as new as its key, and the next request, seeing the newer entry, builds again.
Audit entries are committed in id order (the chain is locked until commit), so no later id is
seen before an earlier one.

Leaving `reads` out keys on every change, as before (safe for a builder whose reads are unlisted).
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from functools import cache as memoised
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.utils.translation import get_language

from unseen.audit.log import last_change_id

from .scope import Scope

# What the public builders read. A builder that comes to read another model must say so here,
# or its cached value would outlive a change to that model.
EVIDENCE = ("evidence.claim", "evidence.source", "files")  # citations and their published files
MAP_READS = (
    "documentation.deployment",
    "documentation.sighting",
    "registry.site",
    "registry.organisation",  # popups name and link the public organisation pages
    *EVIDENCE,
)
CHART_READS = ("documentation.deployment", *EVIDENCE)
FIGURE_READS = ("documentation.deployment", "evidence.claim", "evidence.source")
FILTER_READS = ("documentation.deployment",)


@memoised
def model_labels(names: tuple[str, ...]) -> tuple[str, ...]:
    """Model labels ("registry.site"), with app labels ("files") expanded to each of their models."""
    labels: set[str] = set()
    for name in names:
        if "." in name:
            labels.add(apps.get_model(name)._meta.label_lower)
        else:
            labels.update(
                model._meta.label_lower for model in apps.get_app_config(name).get_models()
            )
    return tuple(sorted(labels))


def version(reads: Iterable[str] | None = None) -> int:
    """The audit id the records read by a builder were last changed at (None: any record)."""
    if reads is None:
        return last_change_id()
    return last_change_id(model_labels(tuple(reads)))


def cached(
    name: str,
    scope: Scope,
    build: Callable[[], Any],
    *,
    reads: Iterable[str] | None = None,
    **params: Any,
) -> Any:
    """`build()`'s result for this scope and these parameters, as fresh as the records it reads."""
    # The language too: labels (sectors, site kinds, source kinds) are translated when built.
    key_parts = json.dumps(
        [name, scope.levels, scope.links_to_app, get_language(), params, version(reads)],
        sort_keys=True,
    )
    key = "unseen:" + hashlib.sha256(key_parts.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value
