"""Every write to a domain record and every sign-in goes into the audit log.

Only field names are logged, never values: values may identify a witness.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from unseen.accounts import signals as accounts_signals
from unseen.accounts.models import User, UserLike

from .log import record
from .models import Action

# journeys: a testimony's journey events are documentation edits (#23), audited the same way.
AUDITED_APPS = {
    "accounts",
    "evidence",
    "registry",
    "documentation",
    "teamwork",
    "files",
    "journeys",
}


def _audited(sender: Any) -> bool:
    # A model that says `audit_exempt` (sign-in failure counters) is audited by its own signals.
    return (
        getattr(sender, "_meta", None) is not None
        and sender._meta.app_label in AUDITED_APPS
        and not getattr(sender, "audit_exempt", False)
    )


# Set on an instance by a writer that audits many new records itself, one entry each, in one
# batch (`log.record_many`): the API's bulk create. Per-row entries would cost a query each.
AUDITED_BY_WRITER = "_audited_by_writer"

# Set by every save, so they never name a field: the edit is what the reader wants to see.
_ALWAYS_WRITTEN = {"updated_at"}


@receiver(pre_save)
def note_changed_fields(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Before an edit is written, which fields it changes (names only), for `log_save`.

    One read of the row as stored: the edit forms, the API and the import all save whole records,
    so `update_fields` alone would name nothing.
    """
    if raw or update_fields is not None or not _audited(sender):
        return
    if getattr(instance, AUDITED_BY_WRITER, False):
        return
    if instance._state.adding or instance.pk is None:
        return
    fields = [f for f in sender._meta.concrete_fields if f.name not in _ALWAYS_WRITTEN]
    stored = (
        sender._base_manager.filter(pk=instance.pk).values(*[f.attname for f in fields]).first()
    )
    if stored is None:
        return
    instance._audit_changed_fields = sorted(
        f.name for f in fields if f.to_python(getattr(instance, f.attname)) != stored[f.attname]
    )


@receiver(post_save)
def log_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender) or getattr(instance, AUDITED_BY_WRITER, False):
        return
    fields = kwargs.get("update_fields")
    changed = instance.__dict__.pop("_audit_changed_fields", None)
    detail = {"fields": sorted(fields)} if fields else {}
    if not fields and changed is not None:
        detail = {"fields": changed}  # an empty list: saved with nothing changed
    if sender._meta.label_lower == "accounts.user" and fields and fields <= {"last_login"}:
        return  # sign-ins are logged as such below
    if sender._meta.label_lower == "accounts.apitoken":
        return  # made and revoked by an operator: logged as such below, naming who
    record(Action.CREATE if created else Action.UPDATE, instance, detail=detail)


@receiver(post_delete)
def log_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _audited(sender):
        record(Action.DELETE, instance)


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(Action.LOGIN, user, actor=user.get_username())


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT, user, actor=user.get_username())


@receiver(user_login_failed)
def log_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The username tried is kept out: a mistyped password field often lands in it.
    record(Action.LOGIN_FAILED, target_type="accounts.user", actor="anonymous")


@receiver(accounts_signals.sign_in_locked)
def log_sign_in_locked(sender: Any, scope: str, **kwargs: Any) -> None:
    # Which account or address is not said: only that a lock began, and on what.
    record(
        Action.LOGIN_LOCKED, target_type="accounts.user", actor="anonymous", detail={"scope": scope}
    )


@receiver(accounts_signals.second_factor_set_up)
def log_second_factor_set_up(sender: Any, user: User, **kwargs: Any) -> None:
    record(Action.TWO_FACTOR_SETUP, user, actor=user.get_username())


@receiver(accounts_signals.second_factor_verified)
def log_second_factor_verified(sender: Any, user: User, method: str, **kwargs: Any) -> None:
    action = Action.RECOVERY_CODE_USED if method == "recovery_code" else Action.TWO_FACTOR_OK
    record(action, user, actor=user.get_username(), detail={"method": method})


@receiver(accounts_signals.second_factor_failed)
def log_second_factor_failed(sender: Any, user: User, **kwargs: Any) -> None:
    record(Action.TWO_FACTOR_FAILED, user, actor=user.get_username())


@receiver(accounts_signals.second_factor_reset)
def log_second_factor_reset(
    sender: Any, user: User, by: UserLike | None = None, **kwargs: Any
) -> None:
    actor = by.get_username() if by is not None else None
    record(Action.TWO_FACTOR_RESET, user, actor=actor)


@receiver(accounts_signals.enrolment_invited)
def log_enrolment_invited(sender: Any, user: User, by: str, invitation: Any, **kwargs: Any) -> None:
    # Which invitation and until when; its code exists only on the administrator's screen.
    record(
        Action.INVITATION_ISSUED,
        user,
        actor=by,
        detail={"invitation": invitation.pk, "expires": invitation.expires_at.isoformat()},
    )


@receiver(accounts_signals.api_token_used)
def log_api_token_used(
    sender: Any, user: User, prefix: str, view: str, method: str, status: int, **kwargs: Any
) -> None:
    # The prefix names the token (its public half); the token itself never reaches the log.
    record(
        Action.API_TOKEN_USED,
        target_type="accounts.apitoken",
        target_id=prefix,
        actor=user.get_username(),
        detail={"view": view, "method": method, "status": status},
    )


@receiver(accounts_signals.api_token_created)
def log_api_token_created(sender: Any, token: Any, by: str, **kwargs: Any) -> None:
    record(
        Action.API_TOKEN_CREATED,
        token,
        actor=by,
        detail={
            "user": token.user.get_username(),
            "prefix": token.prefix,
            "expires": token.expires_at.date().isoformat() if token.expires_at else None,
        },
    )


@receiver(accounts_signals.api_token_revoked)
def log_api_token_revoked(sender: Any, token: Any, by: str, **kwargs: Any) -> None:
    record(
        Action.API_TOKEN_REVOKED,
        token,
        actor=by,
        detail={"user": token.user.get_username(), "prefix": token.prefix},
    )
