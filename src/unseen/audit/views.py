from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from unseen.accounts.access import requires
from unseen.accounts.roles import Capability

from .log import record
from .models import Action
from .reports import UnknownPerson, find_person, person_access


@requires(Capability.VIEW_AUDIT)
def person_report_lookup(request: HttpRequest) -> HttpResponse:
    """A form asking for a pseudonym; `?pseudonym=P-00042` goes straight to its report."""
    pseudonym = request.GET.get("pseudonym", "").strip()
    if pseudonym:
        return redirect("audit:person_report", pseudonym=pseudonym.upper())
    return render(request, "audit/person_report.html", {"lines": None})


@requires(Capability.VIEW_AUDIT)
def person_report(request: HttpRequest, pseudonym: str) -> HttpResponse:
    """Who saw or changed anything about one person, when and why (administrators)."""
    try:
        person = find_person(pseudonym)
        lines = person_access(pseudonym)
    except UnknownPerson:
        raise Http404 from None
    # Looking at who looked is itself an access to the person's history.
    record(Action.SEARCH, person, detail={"report": "person_access", "entries": len(lines)})
    return render(
        request,
        "audit/person_report.html",
        {"lines": lines, "pseudonym": person.pseudonym},
    )
