"""Sign-in with a throttled password step, then the second factor (see two_factor.py)."""

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from . import invitations, two_factor
from .access import SignedInRequest, View, public, staff
from .models import SealedTOTPDevice
from .roles import Capability
from .signals import second_factor_set_up
from .throttling import refusal

TWO_FACTOR_STEP = "unseen_two_factor_step"
SETUP_SESSION_KEY = "two_factor_setup_device"
INVITATION_SESSION_KEY = "two_factor_invitation"


def two_factor_step(view: View) -> View:
    """Mark a view that a signed-in but not yet verified session may open (setup, verify)."""
    setattr(view, TWO_FACTOR_STEP, True)
    return view


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": gettext_lazy(
            "Too many failed sign-ins. Signing in is locked for %(minutes)d minutes; "
            "try again later or ask an administrator."
        ),
        "slowed": gettext_lazy(
            "Too many failed sign-ins on this account: wait %(seconds)d seconds and try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        refused = refusal(self.request, username) if username else None
        if refused is not None and refused.scope == "account":
            raise ValidationError(
                self.error_messages["slowed"], code="slowed", params={"seconds": refused.seconds}
            )
        if refused is not None:
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, (refused.seconds + 59) // 60)},
            )
        return super().clean()


def _next(request: HttpRequest, fallback: str = settings.LOGIN_REDIRECT_URL) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def landing(user: object) -> str:
    """Where a role's work is, for a sign-in that names no page: a moderator's is the queue."""
    can = getattr(user, "can", None)
    if can and not can(Capability.VIEW_RECORDS) and can(Capability.MODERATE_INTAKE):
        return reverse("intake_moderation:queue")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm

    def get_default_redirect_url(self) -> str:
        return landing(self.request.user)

    def get_success_url(self) -> str:
        target = super().get_success_url()
        user = self.request.user
        if two_factor.has_second_factor(user):
            return _with_next("accounts:verify", target)
        if two_factor.enforced():
            return _with_next("accounts:two_factor", target)
        return target


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


@never_cache
@two_factor_step
@staff
def verify(request: HttpRequest) -> HttpResponseBase:
    """After the password: a code from the authenticator app, or one recovery code."""
    target = _next(request)
    if two_factor.is_verified(request):
        return redirect(target)
    if not two_factor.has_second_factor(request.user):
        return redirect(_with_next("accounts:two_factor", target))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(target)
        form.add_error("code", _("That code is not valid. Wait for a new code and try again."))
    return render(request, "accounts/verify.html", {"form": form, "next": target})


def _qr_svg(device: SealedTOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


class EnrolForm(ThrottledAuthenticationForm):
    """The password and the administrator's invitation code, together."""

    invitation = forms.CharField(
        label=gettext_lazy("Invitation code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    error_messages = {
        **ThrottledAuthenticationForm.error_messages,
        "invitation": gettext_lazy(
            "This invitation is not valid: it is for another account, used or expired. "
            "Ask an administrator for a new one."
        ),
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        found = invitations.find(user, cleaned.get("invitation", "")) if user else None
        if user is not None and (found is None or two_factor.has_second_factor(user)):
            raise ValidationError(self.error_messages["invitation"], code="invitation")
        self.found = found
        return cleaned


class EnrolView(auth_views.LoginView):
    """Enrol a second factor: password and invitation code, then the setup page.

    LoginView already hides every POST field from error reports. The invitation's id, never its
    code, stays in the session until the authenticator is confirmed.
    """

    template_name = "accounts/enrol.html"
    authentication_form = EnrolForm
    redirect_authenticated_user = False

    def form_valid(self, form: EnrolForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        self.request.session[INVITATION_SESSION_KEY] = form.found.pk
        return response

    def get_success_url(self) -> str:
        return reverse("accounts:two_factor")


@never_cache
@two_factor_step
@staff
def setup(request: SignedInRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and secret shown once, confirmed with a code.

    Only a session that redeemed an enrolment invitation gets that far (see invitations.py).
    """
    target = _next(request)
    user = request.user
    if two_factor.has_second_factor(user):
        return render(request, "accounts/two_factor.html", {"enabled": True, "next": target})
    invitation = invitations.usable(user, request.session.get(INVITATION_SESSION_KEY))
    if invitation is None:
        # A password is not enough to enrol: someone who stole it would enrol their own phone.
        context = {"invited": False, "next": target, "enforced": two_factor.enforced()}
        return render(request, "accounts/two_factor.html", context)
    form = CodeForm(request.POST or None)
    device = None
    if request.method == "POST":
        device = SealedTOTPDevice.objects.filter(
            pk=request.session.get(SETUP_SESSION_KEY), user=user, confirmed=False
        ).first()
        if device is not None and form.is_valid():
            codes = two_factor.confirm(
                request, device, form.cleaned_data["code"].strip(), invitation.pk
            )
            if codes is not None:
                request.session.pop(SETUP_SESSION_KEY, None)
                request.session.pop(INVITATION_SESSION_KEY, None)
                second_factor_set_up.send(sender=__name__, user=user)
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "next": target}
                )
            form.add_error("code", _("That code is not valid. Check the clock of your phone."))
    if device is None:
        device = two_factor.new_totp_device(user)
        request.session[SETUP_SESSION_KEY] = device.pk
        form = CodeForm()
    context = {
        "invited": True,
        "form": form,
        "next": target,
        "qr_svg": _qr_svg(device),
        "secret": base64.b32encode(device.bin_key).decode(),
        "enforced": two_factor.enforced(),
    }
    return render(request, "accounts/two_factor.html", context)


sign_in = public(SignInView.as_view())
enrol = public(EnrolView.as_view())
