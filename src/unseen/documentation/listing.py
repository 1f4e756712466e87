"""Which records a list page shows for its filters: the page itself and a saved search alike.

A saved search counts exactly what its list would list, so both ask here.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from unseen.accounts.models import UserLike

from .browsing import Kind
from .forms import FilterForm

# Past a few thousand, "5,000+" tells the researcher as much as an exact count, which would cost
# a full scan of 100,000 rows on every page.
COUNT_LIMIT = 5_000


def listed(
    spec: Kind, params: Mapping[str, Any], user: UserLike
) -> tuple[FilterForm, QuerySet[Any]]:
    """The filter form read from `params`, and the records of `spec` it lets `user` see.

    An invalid filter lists nothing (the form says why): listing every record would look like the
    narrowed list the reader asked for.
    """
    form = FilterForm(params or None, kind=spec)
    # An unfiltered list is filtered too: by default it leaves out merged records.
    values = form.cleaned_data if form.is_valid() else {}
    records = spec.filter(spec.visible(user), values, user)
    if form.is_bound and not form.is_valid():
        records = records.none()
    if values.get("q"):
        records = spec.search(records, values["q"], user)
    return form, records
