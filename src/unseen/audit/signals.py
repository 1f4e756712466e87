"""Every write to a domain record and every sign-in goes into the audit log.

Only field names are logged, never values: values may identify a witness.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .log import record
from .models import Action

AUDITED_APPS = {"accounts", "evidence", "registry", "documentation"}


def _audited(sender: Any) -> bool:
    return getattr(sender, "_meta", None) is not None and sender._meta.app_label in AUDITED_APPS


@receiver(post_save)
def log_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender):
        return
    fields = kwargs.get("update_fields")
    detail = {"fields": sorted(fields)} if fields else {}
    if sender._meta.label_lower == "accounts.user" and fields and fields <= {"last_login"}:
        return  # sign-ins are logged as such below
    record(Action.CREATE if created else Action.UPDATE, instance, detail=detail)


@receiver(post_delete)
def log_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _audited(sender):
        record(Action.DELETE, instance)


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN, user, actor=user.get_username())


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT, user, actor=user.get_username())


@receiver(user_login_failed)
def log_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The username tried is kept out: a mistyped password field often lands in it.
    record(Action.LOGIN_FAILED, target_type="accounts.user", actor="anonymous")
