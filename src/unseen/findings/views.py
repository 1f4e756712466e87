from typing import Any, cast

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from unseen.accounts.access import public, requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.intake import ratelimit, receiving
from unseen.intake.forms import seconds_since, started_token
from unseen.intake.models import CommentPage, Submission

from . import cards, printing, rendering, reviewing
from .forms import CorrectionForm, FindingCommentForm, FindingForm, ReviewForm, WithdrawForm
from .models import Finding, Status

MAX_DEPTH = 4  # replies deeper than this are drawn at this depth: a phone has no room for more


def _language() -> str:
    return "ko" if (get_language() or "").startswith("ko") else "en"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _public_finding(slug: str) -> Finding:
    finding = Finding.objects.filter(slug=slug).first()
    if finding is None or not finding.is_public:
        raise Http404  # a draft's address is as unknown as a missing one
    return finding


def _texts(finding: Finding, language: str) -> dict[str, Any]:
    return {
        "title": finding.text("title", language),
        "summary": finding.text("summary", language),
        "withdrawal_reason": finding.text("withdrawal_reason", language),
        "corrections": [(c, c.text(language)) for c in finding.corrections.all()],
    }


def thread(slug: str) -> list[tuple[Submission, int]]:
    """The finding's approved comments in reading order, each with its depth under its parent."""
    comments = list(Submission.objects.published_comments(CommentPage.FINDING, slug))
    ids = {c.pk for c in comments}
    children: dict[int | None, list[Submission]] = {}
    for comment in comments:
        parent = comment.in_reply_to_id if comment.in_reply_to_id in ids else None
        children.setdefault(parent, []).append(comment)
    ordered: list[tuple[Submission, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            ordered.append((comment, min(depth, MAX_DEPTH)))
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered


def _article(request: HttpRequest, finding: Finding) -> dict[str, Any]:
    language = _language()
    return {
        "finding": finding,
        "language": language,
        **_texts(finding, language),
        "body": rendering.public_body(finding, language),
        "absolute_url": request.build_absolute_uri(reverse("findings:detail", args=[finding.slug])),
        "card_url": request.build_absolute_uri(reverse("findings:card", args=[finding.slug])),
    }


# --- the public ---------------------------------------------------------------------------------


@public
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    language = _language()
    findings = [
        (finding, finding.text("title", language), finding.text("summary", language))
        for finding in Finding.objects.on_public_site()
    ]
    return render(request, "findings/list.html", {"findings": findings})


def _comment_form(request: HttpRequest, data: Any = None) -> FindingCommentForm:
    reply = request.GET.get("reply", "")
    initial = {"started": started_token(), "in_reply_to": reply if reply.isdigit() else None}
    return FindingCommentForm(data, initial=initial)


@public
@require_GET
def finding_detail(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _public_finding(slug)
    comments = thread(slug)
    form = _comment_form(request)
    replying = None
    if form.initial.get("in_reply_to"):
        replying = next(
            (c for c, _depth in comments if c.pk == int(form.initial["in_reply_to"])), None
        )
        if replying is None:
            form.initial["in_reply_to"] = None
    return render(
        request,
        "findings/detail.html",
        {
            **_article(request, finding),
            "comments": comments,
            "form": form,
            "replying": replying,
            "takes_comments": finding.status == Status.PUBLISHED,
        },
    )


@public
@require_GET
def finding_print(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "findings/print.html", _article(request, _public_finding(slug)))


@public
@require_GET
def finding_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _public_finding(slug)
    origin = request.build_absolute_uri("/").rstrip("/")
    html = printing.pdf_html(finding, _article(request, finding), origin)
    response = HttpResponse(printing.pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{finding.slug}.pdf"'
    return response


@public
@require_GET
def finding_card(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _public_finding(slug)
    language = _language()
    status = _("Withdrawn") if finding.status == Status.WITHDRAWN else ""
    png = cards.card_png(
        finding.text("title", language),
        finding.text("summary", language),
        _("Unseen · Finding"),
        status,
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "max-age=300"
    return response


@public
@require_POST
def comment(request: HttpRequest, slug: str) -> HttpResponse:
    """A comment or reply under a published finding, into the moderated, spam-scored queue."""
    finding = Finding.objects.filter(slug=slug, status=Status.PUBLISHED).first()
    if finding is None:
        raise Http404  # drafts and withdrawn findings take no comments
    if not ratelimit.allow(request, "comment"):
        return render(request, "intake/limited.html", status=429)
    form = FindingCommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            receiving.receive_comment(
                CommentPage.FINDING,
                data["body"],
                topic=finding.slug,
                in_reply_to=data["in_reply_to"],
                name=data["name"],
                email=data["email"],
                honeypot=data["website"],
                seconds=seconds_since(data["started"]),
                language=(get_language() or "")[:8],
            )
        except receiving.ReplyRefused:
            form.add_error(None, _("You can only reply to a published comment under this finding."))
        else:
            messages.success(
                request,
                _("Thank you. Your comment will appear here once a moderator has read it."),
                extra_tags="in-place",
            )
            return _see_other(reverse("findings:detail", args=[slug]) + "#comments")
    return render(
        request, "findings/comment_error.html", {"form": form, "finding": finding}, status=400
    )


class FindingsFeed(Feed):
    feed_type = Atom1Feed
    link = "/findings/"

    def title(self) -> str:
        return _("Unseen: findings")

    def subtitle(self) -> str:
        return _("Articles on North Korean forced labour abroad, each figure with its sources.")

    def items(self) -> Any:
        return Finding.objects.on_public_site()[:50]

    def item_title(self, item: Finding) -> str:
        title = item.text("title", _language())
        return (
            _("Withdrawn: %(title)s") % {"title": title}
            if item.status == Status.WITHDRAWN
            else title
        )

    def item_description(self, item: Finding) -> str:
        return item.text("summary", _language())

    def item_link(self, item: Finding) -> str:
        return reverse("findings:detail", args=[item.slug])

    def item_pubdate(self, item: Finding) -> Any:
        return item.published_at

    def item_updateddate(self, item: Finding) -> Any:
        last = item.corrections.order_by("-created_at").first()
        moments = [item.published_at, item.withdrawn_at, last.created_at if last else None]
        return max(moment for moment in moments if moment is not None)


feed = public(FindingsFeed())


# --- the team -----------------------------------------------------------------------------------


def _finding(slug: str) -> Finding:
    return get_object_or_404(Finding, slug=slug)


@requires(Capability.WRITE_FINDINGS)
@require_GET
def app_list(request: HttpRequest) -> HttpResponse:
    language = _language()
    findings = [
        (f, f.text("title", language))
        for f in Finding.objects.select_related("author", "reviewer").order_by(
            "status", "-updated_at"
        )
    ]
    return render(request, "findings/app/list.html", {"findings": findings})


@requires(Capability.WRITE_FINDINGS)
def app_new(request: HttpRequest) -> HttpResponse:
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        finding = reviewing.write(form.cleaned_data, by=_user(request))
        messages.success(request, _("Draft saved."))
        return redirect("findings_app:preview", slug=finding.slug)
    return render(request, "findings/app/form.html", {"form": form, "finding": None})


@requires(Capability.WRITE_FINDINGS)
def app_edit(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _finding(slug)
    if finding.status != Status.DRAFT:
        messages.error(
            request,
            _("Only a draft can be edited; a published finding is corrected by a dated note."),
        )
        return redirect("findings_app:preview", slug=slug)
    form = FindingForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        try:
            finding = reviewing.write(form.cleaned_data, by=_user(request), finding=finding)
        except reviewing.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Draft saved."))
        return redirect("findings_app:preview", slug=finding.slug)
    return render(request, "findings/app/form.html", {"form": form, "finding": finding})


def _preview(request: HttpRequest, finding: Finding, **extra: Any) -> HttpResponse:
    asked = request.GET.get("lang", "")
    language = asked if asked in ("en", "ko") else _language()
    rendered = rendering.body(finding, language)
    user = _user(request)
    return render(
        request,
        "findings/app/preview.html",
        {
            "finding": finding,
            "language": language,
            **_texts(finding, language),
            "body": rendered.html,
            "problems": rendering.problems(finding),
            "reviews": finding.reviews.select_related("reviewer"),
            "may_review": user.can(Capability.REVIEW_RECORDS) and finding.author_id != user.pk,
            "may_withdraw": user.can(Capability.REVIEW_RECORDS),
            **extra,
        },
    )


@requires(Capability.WRITE_FINDINGS)
@require_GET
def app_preview(request: HttpRequest, slug: str) -> HttpResponse:
    return _preview(request, _finding(slug))


@requires(Capability.WRITE_FINDINGS)
@require_POST
def app_submit(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        reviewing.submit(_finding(slug), by=_user(request))
    except reviewing.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Sent for review: someone else must now review it."))
    return redirect("findings_app:preview", slug=slug)


@requires(Capability.REVIEW_RECORDS)
def app_review(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _finding(slug)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = reviewing.review(
                finding,
                by=_user(request),
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except reviewing.Refused as refused:
            messages.error(request, str(refused))
            return redirect("findings_app:preview", slug=slug)
        if decided.decision == "approve":
            messages.success(request, _("Approved and published."))
            return redirect("findings:detail", slug=slug)
        messages.success(request, _("Sent back to the author for changes."))
        return redirect("findings_app:preview", slug=slug)
    return _preview(request, finding, review_form=form)


def _step(
    request: HttpRequest, finding: Finding, form: Any, title: str, button: str
) -> HttpResponse:
    return render(
        request,
        "findings/app/step.html",
        {"finding": finding, "form": form, "title": title, "button": button},
    )


@requires(Capability.WRITE_FINDINGS)
def app_correct(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _finding(slug)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewing.correct(finding, by=_user(request), **form.cleaned_data)
        except reviewing.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The correction is published below the finding."))
            return redirect("findings:detail", slug=slug)
    return _step(request, finding, form, _("Append a correction"), _("Publish the correction"))


@requires(Capability.REVIEW_RECORDS)
def app_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    finding = _finding(slug)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewing.withdraw(finding, by=_user(request), **form.cleaned_data)
        except reviewing.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Withdrawn: the page now says so and why."))
            return redirect("findings:detail", slug=slug)
    return _step(request, finding, form, _("Withdraw the finding"), _("Withdraw"))
