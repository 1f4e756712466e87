import json
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from unseen.accounts.access import public, requires
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability, Role
from unseen.core.places import country_name

from . import attachments, ratelimit, receiving
from .forms import (
    AdditionForm,
    ApproveForm,
    BulkForm,
    CommentForm,
    PurposeForm,
    QueueFilterForm,
    SightingForm,
    seconds_since,
    started_token,
)
from .models import CommentPage, Kind, Submission, Upload
from .moderating import approve, reject
from .promotion import DEFAULT_GRID_KM, MIN_GRID_KM, PromotionRefused, Publication
from .vault import may_read, read_contact

PAGE_SIZE = 50
RECEIPT_COOKIE = "unseen_receipt"
RECEIPT_SALT = "unseen.intake.receipt-once"
RECEIPT_SECONDS = 600
COMMENT_PAGES = {CommentPage.HOME: "publishing:home", CommentPage.ESTIMATES: "publishing:estimates"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _language() -> str:
    return (get_language() or "")[:8]


def _see_other(url: str) -> HttpResponse:
    """303: the browser follows with a GET, so reloading the page it lands on sends nothing."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/limited.html", status=429)


# --- the public ---------------------------------------------------------------------------------


@public
def report(request: HttpRequest) -> HttpResponse:
    """The sighting form; on success the receipt is shown once, on this response only."""
    if request.method == "POST":
        if not ratelimit.allow(request, "report"):
            return _limited(request)
        form = SightingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            received = receiving.receive_sighting(
                data,
                photos=data["photos"],
                honeypot=data["website"],
                seconds=seconds_since(data["started"]),
                language=_language(),
            )
            # Post, redirect, get: a reload shows the receipt page instead of sending again.
            response = _see_other(reverse("intake:received"))
            response.set_signed_cookie(
                RECEIPT_COOKIE,
                json.dumps([received.receipt, len(data["photos"])]),
                salt=RECEIPT_SALT,
                max_age=RECEIPT_SECONDS,
                path=reverse("intake:received"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
        photos_sent = bool(request.FILES.getlist("photos"))
        if not request.POST.get("started"):
            bound = request.POST.copy()
            bound["started"] = started_token()
            form.data = bound
    else:
        form = SightingForm(initial={"started": started_token()})
        photos_sent = False
    return render(request, "intake/report.html", {"form": form, "photos_sent": photos_sent})


@public
@require_GET
def received(request: HttpRequest) -> HttpResponse:
    """The receipt, once: it travels in a signed cookie only the reporter's browser holds (never
    in a URL, a log or our database), and the cookie is deleted as the page is shown."""
    try:
        receipt, photos = json.loads(
            request.get_signed_cookie(RECEIPT_COOKIE, salt=RECEIPT_SALT, max_age=RECEIPT_SECONDS)
            or ""
        )
    except (KeyError, ValueError, TypeError, signing.BadSignature):
        receipt, photos = "", 0
    response = render(request, "intake/received.html", {"receipt": receipt, "photos": photos})
    response["Cache-Control"] = "no-store"
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("intake:received"), samesite="Strict")
    return response


@public
@require_GET
def added(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/added.html")


@public
def report_add(request: HttpRequest) -> HttpResponse:
    """Add to a report with its receipt code; nothing of the report is shown back."""
    if request.method == "POST":
        if not ratelimit.allow(request, "add"):
            return _limited(request)
        form = AdditionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            original = receiving.find_by_receipt(data["receipt"])
            if original is None:
                form.add_error(
                    "receipt", _("No report has this receipt code. Check it and try again.")
                )
            else:
                receiving.receive_addition(
                    original,
                    data["description"],
                    photos=data["photos"],
                    honeypot=data["website"],
                    seconds=seconds_since(data["started"]),
                    language=_language(),
                )
                return _see_other(reverse("intake:added"))
        photos_sent = bool(request.FILES.getlist("photos"))
    else:
        form = AdditionForm(initial={"started": started_token()})
        photos_sent = False
    return render(request, "intake/add.html", {"form": form, "photos_sent": photos_sent})


@public
def privacy(request: HttpRequest) -> HttpResponse:
    # The notice's numbers come from the code that keeps the promise, so they cannot drift apart.
    return render(
        request,
        "intake/privacy.html",
        {"retention_days": settings.UNSEEN_INTAKE_RETENTION_DAYS, "min_grid_km": MIN_GRID_KM},
    )


@public
@require_POST
def comment(request: HttpRequest) -> HttpResponse:
    if not ratelimit.allow(request, "comment"):
        return _limited(request)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        receiving.receive_comment(
            data["page"],
            data["body"],
            name=data["name"],
            email=data["email"],
            honeypot=data["website"],
            seconds=seconds_since(data["started"]),
            language=_language(),
        )
        messages.success(
            request,
            _("Thank you. Your comment will appear here once a moderator has read it."),
            extra_tags="in-place",
        )
        return _see_other(reverse(COMMENT_PAGES[data["page"]]) + "#comments")
    return render(request, "intake/comment_error.html", {"form": form}, status=400)


# --- moderators ---------------------------------------------------------------------------------


def filtered_queue(request: HttpRequest) -> tuple[QueueFilterForm, QuerySet[Submission]]:
    form = QueueFilterForm(request.GET or None)
    submissions = Submission.objects.newest_first().prefetch_related("uploads")
    status = "pending"
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or "pending"
        if data["kind"]:
            submissions = submissions.filter(kind=data["kind"])
        if data["min_score"] is not None:
            submissions = submissions.filter(spam_score__gte=data["min_score"])
        if data["max_score"] is not None:
            submissions = submissions.filter(spam_score__lte=data["max_score"])
        if data["country"]:
            submissions = submissions.filter(country=data["country"])
    elif form.is_bound:
        # A filter naming nothing (a country that is none) lists nothing, and the page says why:
        # the whole pending queue would look like the narrowed one the moderator asked for.
        return form, submissions.none()
    if status != "all":
        submissions = submissions.filter(status=status)
    return form, submissions


@requires(Capability.MODERATE_INTAKE)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form, submissions = filtered_queue(request)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/queue.html",
        {
            "form": form,
            "page": page,
            "bulk_actions": BulkForm.ACTIONS,
            "query": request.GET.urlencode(),
        },
    )


def _approve_form(submission: Submission, user: User, data: Any = None) -> ApproveForm:
    parent = submission.parent
    return ApproveForm(
        data,
        precise_allowed=user.role == Role.ADMINISTRATOR,
        new_sighting=parent is None or parent.sighting_id is None,
        # Only what was picked from lists: the reporter's free text is read, not copied.
        initial={
            "public_place_label": country_name(submission.country) if submission.country else "",
            "work_kind": submission.work_kind,
        },
    )


def _purpose_form(request: HttpRequest) -> PurposeForm:
    form = PurposeForm()
    if request.GET.get("confirm_purpose"):  # the last purpose was refused as looking like a name
        form.offer_confirmation()
    return form


def _detail(
    request: HttpRequest, submission: Submission, form: ApproveForm | None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "intake/detail.html",
        {
            "submission": submission,
            "country_name": country_name(submission.country, get_language() or "en")
            if submission.country
            else "",
            "approve_form": form or _approve_form(submission, user),
            "purpose_form": _purpose_form(request),
            "may_read_contact": may_read(user),
            "bulk_actions": BulkForm.ACTIONS,
        },
        status=status,
    )


@requires(Capability.MODERATE_INTAKE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.prefetch_related("uploads"), pk=pk)
    return _detail(request, submission, None)


@requires(Capability.MODERATE_INTAKE)
@require_POST
def approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.prefetch_related("uploads"), pk=pk)
    user = _user(request)
    publication = None
    if submission.kind != Kind.COMMENT:
        form = _approve_form(submission, user, request.POST)
        if not form.is_valid():
            messages.error(request, _("Not approved yet: see what the form asks for below."))
            return _detail(request, submission, form, status=400)
        data = form.cleaned_data
        publication = Publication(
            description=data["public_description"],
            place_label=data.get("public_place_label", ""),
            work_kind=data.get("work_kind", ""),
            date_precision=data.get("observed_precision", "month"),
            grid_km=data.get("grid_km", DEFAULT_GRID_KM),
            publish=data["publish"],
        )
    try:
        sighting = approve(submission, user=user, publication=publication)
    except PromotionRefused as refused:
        messages.error(request, str(refused))
        return redirect("intake_moderation:detail", pk=pk)
    if sighting is not None:
        if sighting.access_level == AccessLevel.PUBLIC:
            done = _("Approved and published: now sighting %(id)d.")
        else:
            done = _("Approved for the team only (not published): now sighting %(id)d.")
        messages.success(request, done % {"id": sighting.pk})
    else:
        messages.success(request, _("Approved and published."))
    return redirect("intake_moderation:queue")


@requires(Capability.MODERATE_INTAKE)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    form = BulkForm(request.POST, ids=ids)
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose submissions and what to do with them."))
        return redirect("intake_moderation:queue")
    count = reject(
        form.cleaned_data["ids"], user=_user(request), as_spam=form.cleaned_data["action"] == "spam"
    )
    messages.success(
        request,
        ngettext("%(count)d submission rejected.", "%(count)d submissions rejected.", count)
        % {"count": count},
    )
    return redirect(
        reverse("intake_moderation:queue")
        + ("?" + request.POST.get("query", "") if request.POST.get("query") else "")
    )


@requires(Capability.READ_VAULT)
@require_POST
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """A reporter's contact details: moderators who also hold the vault permission, with a purpose."""
    user = _user(request)
    if not may_read(user):
        raise PermissionDenied  # not a moderator: submissions are none of their business
    submission = get_object_or_404(Submission, pk=pk)
    form = PurposeForm(request.POST)
    if not form.is_valid():
        if form.refused_as_a_name:
            # The refusal says why, and the page it sends back to offers the "names no one" box.
            messages.error(request, " ".join(str(error) for error in form.errors["purpose"]))
            return redirect(reverse("intake_moderation:detail", args=[pk]) + "?confirm_purpose=1")
        messages.error(request, _("State why you need the contact details."))
        return redirect("intake_moderation:detail", pk=pk)
    details = read_contact(submission, user=user, purpose=form.cleaned_data["purpose"])
    response = render(
        request, "intake/contact.html", {"submission": submission, "details": details}
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.MODERATE_INTAKE)
@require_GET
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo, decrypted for this response only; each one served is an audited read."""
    stored = get_object_or_404(Upload.objects.exclude(sealed_key=""), pk=pk)
    response = HttpResponse(
        attachments.read(stored, user=_user(request)), content_type=stored.content_type
    )
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = "inline"
    return response
