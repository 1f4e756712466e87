"""The exports page, its jobs, their downloads, and the approvals of full exports (ADR 0035).

Exporting needs EXPORT_RECORDS; deciding on a full export's request needs MANAGE_USERS (held by
administrators). A job belongs to the person who asked for it: anyone else gets the same 404 as
for a job that does not exist. The refusals are `unseen export`'s own (`exports.ExportRefused`),
made by the same function before the job is queued.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import SignedInRequest, requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability, Role

from . import exporting
from .exports import DEFAULT_K, ExportRefused
from .models import ExportApproval, ExportFormat, ExportJob, ExportLevel

STAGES = {
    "queued": _("waiting for the worker"),
    "writing": _("writing the files"),
    "zipping": _("zipping"),
    "done": _("done"),
}


class ApprovalField(forms.ModelChoiceField):
    """The user's own approved, unused requests for a full export."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext("#%(pk)s for %(recipient)s") % {"pk": obj.pk, "recipient": obj.recipient}


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=ExportLevel.choices,
        initial=ExportLevel.PSEUDONYMISED,
        help_text=_(
            "Public: public records only. Pseudonymised: public and internal records, never "
            "confidential ones. Full: everything, with an administrator's approval."
        ),
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=200,
        required=False,
        help_text=_(
            "Who receives the files: an organisation or a named role, not a witness. Required "
            "for a pseudonymised export; pseudonyms are keyed per recipient."
        ),
    )
    k = forms.IntegerField(
        label=_("k (smallest group of persons released)"), initial=DEFAULT_K, min_value=1
    )
    approval = ApprovalField(
        label=_("Approval (full exports)"),
        queryset=ExportApproval.objects.none(),
        required=False,
        empty_label=_("none"),
    )
    override_k = forms.BooleanField(
        label=_("Release groups smaller than k (administrator's override, audited)"),
        required=False,
    )
    linkable = forms.BooleanField(
        label=_("Linkable: keep this recipient's pseudonyms (administrator, audited)"),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        approval = self.fields["approval"]
        assert isinstance(approval, ApprovalField)
        approval.queryset = exporting.usable_approvals(user)
        if user.role != Role.ADMINISTRATOR:
            del self.fields["override_k"]
            del self.fields["linkable"]

    def job(self) -> ExportJob:
        data = self.cleaned_data
        return ExportJob(
            format=data["format"],
            level=data["level"],
            recipient=data.get("recipient", "").strip(),
            k=data["k"],
            override_k=bool(data.get("override_k")),
            linkable=bool(data.get("linkable")),
            approval=data.get("approval"),
        )


class ApprovalRequestForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this recipient needs everything, as stored. The administrators read it."),
    )


def _job(request: SignedInRequest, pk: int) -> ExportJob:
    """The user's own job, or 404 (someone else's is as missing as one that never was)."""
    job = exporting.jobs_of(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _list(
    request: SignedInRequest,
    form: ExportForm,
    request_form: ApprovalRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "publishing/exports.html",
        {
            "form": form,
            "request_form": request_form or ApprovalRequestForm(prefix="request"),
            "jobs": exporting.jobs_of(user)[:50],
            "requests": ExportApproval.objects.filter(requested_by=user).select_related(
                "approved_by", "refused_by"
            )[:20],
            "may_decide": user.can(Capability.MANAGE_USERS),
            "pending": ExportApproval.objects.filter(
                requested_at__isnull=False, approved_by__isnull=True, refused_by__isnull=True
            ).count(),
        },
        status=status,
    )


@requires(Capability.EXPORT_RECORDS)
def export_list(request: SignedInRequest) -> HttpResponse:
    """Your exports, and the form for a new one (POST: check it, then queue it)."""
    exporting.purge_expired()
    if request.method != "POST":
        return _list(request, ExportForm(user=request.user))
    form = ExportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        job = exporting.queue_export(form.job(), request.user)
    except ExportRefused as refusal:
        form.add_error(None, str(refusal))
        return _list(request, form, status=400)
    messages.success(request, gettext("The export is queued. This page shows how far it has got."))
    return redirect("publishing_app:export", pk=job.pk)


@requires(Capability.EXPORT_RECORDS)
def export_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.expired and job.purged_at is None and job.file_name:
        exporting.purge_expired()
        job.refresh_from_db()
    return render(
        request,
        "publishing/export_detail.html",
        {
            "job": job,
            "stage_label": STAGES.get(job.stage, job.stage),
            "files": sorted(job.result.get("files", {}).items()),
            "generalisation": sorted(job.result.get("generalisation", {}).items()),
        },
    )


@requires(Capability.EXPORT_RECORDS)
def export_progress(request: SignedInRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    document = job.progress_document()
    document["stage_label"] = str(STAGES.get(job.stage, job.stage))
    response = JsonResponse(document)
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.EXPORT_RECORDS)
def export_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """The zip, to the person who asked for it only, audited; expired → the page says so."""
    job = _job(request, pk)
    path = exporting.download_path(job, request.user)
    if path is None:
        messages.error(
            request,
            gettext("This export has expired and its file has been deleted. Make it again.")
            if job.expired
            else gettext("This export has no file to download."),
        )
        return redirect("publishing_app:export", pk=job.pk)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exporting.download_name(job),
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.EXPORT_RECORDS)
@require_POST
def approval_request(request: SignedInRequest) -> HttpResponse:
    """Ask the administrators for a full export to one recipient."""
    form = ApprovalRequestForm(request.POST, prefix="request")
    if form.is_valid():
        try:
            exporting.request_approval(
                request.user, form.cleaned_data["recipient"], form.cleaned_data["reason"]
            )
        except exporting.ApprovalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                gettext(
                    "Your request is with the administrators. Once another administrator has "
                    "approved it, choose it under Approval to make the full export, once."
                ),
            )
            return redirect("publishing_app:exports")
    return _list(request, ExportForm(user=request.user), form, status=400)


@requires(Capability.MANAGE_USERS)
def approvals(request: SignedInRequest) -> HttpResponse:
    """Requests for full exports: pending first, then the latest decisions."""
    rows = ExportApproval.objects.filter(requested_at__isnull=False).select_related(
        "requested_by", "approved_by", "refused_by"
    )
    return render(
        request,
        "publishing/export_approvals.html",
        {
            "pending": rows.filter(approved_by__isnull=True, refused_by__isnull=True).order_by(
                "requested_at"
            ),
            "decided": rows.exclude(approved_by__isnull=True, refused_by__isnull=True).order_by(
                "-requested_at"
            )[:50],
        },
    )


def _decide(request: SignedInRequest, pk: int, *, approve: bool) -> HttpResponse:
    approval = get_object_or_404(ExportApproval, pk=pk, requested_at__isnull=False)
    try:
        exporting.decide(approval, request.user, approve=approve)
    except exporting.ApprovalRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            gettext("Approved: the requester may make this full export once.")
            if approve
            else gettext("Refused."),
        )
    return redirect("publishing_app:approvals")


@requires(Capability.MANAGE_USERS)
@require_POST
def approval_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@requires(Capability.MANAGE_USERS)
@require_POST
def approval_refuse(request: SignedInRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
