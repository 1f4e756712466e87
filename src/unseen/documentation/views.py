from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unseen.accounts.access import staff
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.evidence.models import Source
from unseen.registry.models import Organisation, Person, Site

from .models import Deployment, Incident, Sighting, Testimony

RECORD_KINDS = [
    ("sources", Source),
    ("testimonies", Testimony),
    ("persons", Person),
    ("organisations", Organisation),
    ("sites", Site),
    ("deployments", Deployment),
    ("incidents", Incident),
    ("sightings", Sighting),
]


@staff
def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in start page: what this user may work on."""
    user = cast(User, request.user)  # @staff let only signed-in users through
    context: dict[str, object] = {"can_view_records": user.can(Capability.VIEW_RECORDS)}
    if context["can_view_records"]:
        context["counts"] = [
            (kind, model._meta.verbose_name_plural, model.objects.visible_to(user).count())
            for kind, model in RECORD_KINDS
        ]
        context["recent_sources"] = Source.objects.visible_to(user).order_by("-created_at")[:10]
    return render(request, "documentation/dashboard.html", context)
