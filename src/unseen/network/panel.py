"""On the pages of an organisation, a public figure and a site: "Show in network", focused on it
(registered with documentation.panels, which cannot link up to this app itself)."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from unseen.accounts.models import UserLike
from unseen.registry.models import Organisation, PublicFigure, Site

from .gathering import node_id

SHOWN_FOR = (Organisation, PublicFigure, Site)


def context(kind: Any, record: Any, user: UserLike) -> dict[str, Any]:
    if not isinstance(record, SHOWN_FOR):
        return {"shown": False}
    query = urlencode({"focus": node_id(record), "depth": 2})
    return {"shown": True, "url": f"{reverse('network:page')}?{query}"}
