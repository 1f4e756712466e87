"""The journey editor: a testimony's events on one page, each with its own small forms.

Works without script: every change is a form posted to this page (`action` says which), which
answers with a redirect back to the event, or the page again with the form's errors and
everything typed kept. The testimony must be one the user may read (else 404, never 403).
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.documentation.models import Finding, Testimony

from . import editing, showing
from .forms import EventForm, IndicatorForm, StageForm, make_event_form
from .models import JourneyEvent, JourneyIndicator, Stage

# Actions that change or remove what was recorded ask why; adding and reordering may say why.
ASKS_WHY = {"save", "delete", "remove_indicator"}
ACTIONS = {"add", "save", "delete", "up", "down", "add_indicator", "remove_indicator"}


class ReasonForm(forms.Form):
    """Why: kept with the revision the change makes (simple-history, `revising`)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 40}),
    )

    def __init__(self, *args: Any, required: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].label = gettext_lazy("Reason (optional)")

    def why(self, action: str) -> dict[str, Any]:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        return {"reason": reason or editing.default_reason(action)}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _testimony(user: User, pk: int) -> Testimony:
    testimony = Testimony.objects.visible_to(user).select_related("source").filter(pk=pk).first()
    if testimony is None:
        raise Http404
    return testimony


def _event(testimony: Testimony, user: User, value: Any) -> JourneyEvent:
    number = str(value or "")
    event = (
        JourneyEvent.objects.visible_to(user)
        .filter(testimony=testimony, pk=int(number) if number.isdigit() else 0)
        .first()
    )
    if event is None:
        raise Http404
    return event


def _reason(data: Any, key: str | int, action: str) -> ReasonForm:
    return ReasonForm(data, prefix=f"why-{key}", required=action in ASKS_WHY)


@requires(Capability.EDIT_RECORDS)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    testimony = _testimony(user, pk)
    page = _Page(testimony, user, request.GET.get("add", ""))
    if request.method == "POST":
        action = str(request.POST.get("action", ""))
        if action not in ACTIONS:
            messages.error(request, _("Nothing was changed: the page asked for no known change."))
            return redirect("journeys:edit", pk=testimony.pk)
        done = _apply(request, page, action)
        if done is not None:
            return done
        messages.error(request, _("Not saved: see what to correct below. Nothing typed is lost."))
    else:
        record(Action.VIEW, testimony, detail={"page": "journey"})
    return render(request, "journeys/journey_edit.html", page.context(), status=200)


class _Page:
    """The editor's forms: unbound, but for the one just posted with errors."""

    def __init__(self, testimony: Testimony, user: User, adding: str):
        self.testimony = testimony
        self.user = user
        self.adding = adding if adding in Stage.values else ""
        self.bound: dict[tuple[str, int], Any] = {}
        self.add_form: EventForm | None = None
        self.add_reason: ReasonForm | None = None
        self.open_event = 0

    def context(self) -> dict[str, Any]:
        lines = showing.lines(self.testimony, self.user)
        if self.adding and self.add_form is None:
            self.add_form = make_event_form(self.adding, self.user)
            self.add_reason = _reason(None, "new", "add")
        events = []
        for line in lines:
            event = line.event
            events.append(
                {
                    "line": line,
                    "form": self.bound.get(("save", event.pk))
                    or make_event_form(event.stage, self.user, instance=event),
                    "why": self.bound.get(("why-save", event.pk))
                    or _reason(None, event.pk, "save"),
                    "delete_why": self.bound.get(("why-delete", event.pk))
                    or _reason(None, f"delete-{event.pk}", "delete"),
                    "indicator_form": self.bound.get(("add_indicator", event.pk))
                    or IndicatorForm(event=event),
                    "open": self.open_event == event.pk,
                    "first": line.number == 1,
                    "last": line.number == len(lines),
                }
            )
        return {
            "testimony": self.testimony,
            "events": events,
            "stage_form": StageForm(initial={"add": self.adding or Stage.RECRUITMENT}),
            "adding": self.adding,
            "adding_label": Stage(self.adding).label if self.adding else "",
            "add_form": self.add_form,
            "add_reason": self.add_reason,
        }


def _back(testimony: Testimony, anchor: str = "") -> HttpResponse:
    url = reverse("journeys:edit", args=[testimony.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _apply(request: HttpRequest, page: _Page, action: str) -> HttpResponse | None:
    """Do what was posted; a redirect when done, None when the page must show errors."""
    data, user, testimony = request.POST, page.user, page.testimony
    if action == "add":
        stage = str(data.get("stage", ""))
        if stage not in Stage.values:
            raise Http404
        page.adding = stage
        page.add_form = make_event_form(stage, user, data)
        page.add_reason = _reason(data, "new", action)
        if all([page.add_form.is_valid(), page.add_reason.is_valid()]):
            event = editing.add_event(testimony, page.add_form, page.add_reason.why(action))
            messages.success(
                request, _("Event added: %(stage)s.") % {"stage": event.get_stage_display()}
            )
            return _back(testimony, f"event-{event.pk}")
        return None
    if action == "remove_indicator":
        number = str(data.get("indicator", ""))
        found = (
            JourneyIndicator.objects.filter(
                event__in=JourneyEvent.objects.visible_to(user).filter(testimony=testimony),
                pk=int(number) if number.isdigit() else 0,
            )
            .select_related("event")
            .first()
        )
        if found is None:
            raise Http404
        why = _reason(data, f"indicator-{found.pk}", action)
        if why.is_valid():
            editing.remove_indicator(found, why.why(action))
            messages.success(request, _("Indicator removed."))
            return _back(testimony, f"event-{found.event_id}")
        page.open_event = found.event_id
        messages.error(request, _("Say why you remove the indicator."))
        return None
    event = _event(testimony, user, data.get("event"))
    page.open_event = event.pk
    if action in (editing.UP, editing.DOWN):
        editing.move_event(event, action, {"reason": editing.default_reason(action)})
        return _back(testimony, f"event-{event.pk}")
    if action == "save":
        form = make_event_form(event.stage, user, data, instance=event)
        why = _reason(data, event.pk, action)
        if all([form.is_valid(), why.is_valid()]):
            editing.change_event(form, why.why(action))
            messages.success(request, _("Event saved."))
            return _back(testimony, f"event-{event.pk}")
        page.bound[("save", event.pk)] = form
        page.bound[("why-save", event.pk)] = why
        return None
    if action == "delete":
        why = _reason(data, f"delete-{event.pk}", action)
        if why.is_valid():
            editing.delete_event(event, why.why(action))
            messages.success(request, _("Event deleted."))
            return _back(testimony)
        page.bound[("why-delete", event.pk)] = why
        return None
    # add_indicator
    indicator_form = IndicatorForm(data, event=event)
    if indicator_form.is_valid():
        found, finding = editing.add_indicator(
            indicator_form, {"reason": editing.default_reason(action)}
        )
        messages.success(
            request,
            _("Indicator added: %(indicator)s.") % {"indicator": found.get_indicator_display()},
        )
        if finding == Finding.ABSENT:
            messages.warning(
                request,
                _(
                    "The testimony's coding says this indicator is absent: look at both and "
                    "correct the one that is wrong."
                ),
            )
        return _back(testimony, f"event-{event.pk}")
    page.bound[("add_indicator", event.pk)] = indicator_form
    return None
