"""A finished run's clusters as capture histories for MSE: one list per chosen source.

A cluster is one entity; it is on a list when any of its records is on it (a claim from that
source is about the record). The table uses the lists as they were when the run gathered its
records, so it does not change when claims are added later.
"""

import csv
import io
from collections import defaultdict

from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.core.cells import neutralise
from unseen.core.estimation.histories import CaptureHistories

from .models import LinkageRun, RunStatus


class NoHistories(ValueError):
    """The run cannot give a capture-history table (not finished, or fewer than two lists)."""


def list_names(run: LinkageRun, user: UserLike | None = None) -> list[str]:
    """Column names: the source's id (unique) and the start of its title (readable).

    A source `user` may not read is named by its position only ("List 2"): the run may be open to
    someone its sources no longer are. Pass no user for every title (commands run by operators).
    """
    levels = None if user is None else visible_access_levels(user)
    return [
        f"S{s.pk} {s.title[:40].strip()}"
        if levels is None or s.access_level in levels
        else _("List %(n)s") % {"n": n}
        for n, s in enumerate(run.lists(), start=1)
    ]


def capture_histories(run: LinkageRun, user: UserLike | None = None) -> CaptureHistories:
    """One row per cluster, one column per chosen source, named as `user` may see them.

    Raises:
        NoHistories: the run is not done, or chose fewer than two sources.
    """
    if run.status != RunStatus.DONE:
        raise NoHistories("the run has not finished")
    sources = [s.pk for s in run.lists()]
    if len(sources) < 2:
        raise NoHistories("capture histories need at least two lists (sources)")
    on: dict[int, set[int]] = defaultdict(set)
    for cluster, lists in run.members.values_list("cluster", "lists"):
        on[cluster].update(lists)
    rows = [tuple(int(s in seen) for s in sources) for seen in on.values() if seen]
    return CaptureHistories.from_entities(list_names(run, user), rows)


def histories_csv(histories: CaptureHistories) -> str:
    """The table as `unseen mse` reads it: one 0/1 column per list and a `count` column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # List names are source titles, which people type: made inert for a spreadsheet.
    writer.writerow([*(neutralise(name) for name in histories.lists), "count"])
    for pattern, count in zip(histories.patterns, histories.counts, strict=True):
        writer.writerow([*(int(v) for v in pattern), int(count)])
    return out.getvalue()
