"""Roles and the capabilities each one carries. The single place that says who may do what."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    RESEARCHER = "researcher", _("Researcher")
    ANALYST = "analyst", _("Analyst")
    MODERATOR = "moderator", _("Moderator")


class Capability(StrEnum):
    """What a view or command may require. Anonymous visitors hold none of these."""

    VIEW_RECORDS = "view_records"
    EDIT_RECORDS = "edit_records"
    IMPORT_RECORDS = "import_records"
    EXPORT_RECORDS = "export_records"
    REVIEW_LINKAGE = "review_linkage"
    RUN_ESTIMATES = "run_estimates"
    PUBLISH_ESTIMATES = "publish_estimates"
    # Review a colleague's records and sign off claims; never one's own last edit (ADR 0025).
    REVIEW_RECORDS = "review_records"
    MODERATE_INTAKE = "moderate_intake"
    READ_VAULT = "read_vault"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    # Draft public findings; publishing one needs a second person with REVIEW_RECORDS.
    WRITE_FINDINGS = "write_findings"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(Capability),
    Role.RESEARCHER: frozenset(
        {
            Capability.VIEW_RECORDS,
            Capability.EDIT_RECORDS,
            Capability.IMPORT_RECORDS,
            Capability.READ_VAULT,
            Capability.REVIEW_RECORDS,
            Capability.WRITE_FINDINGS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Capability.VIEW_RECORDS,
            Capability.REVIEW_LINKAGE,
            Capability.RUN_ESTIMATES,
            Capability.EXPORT_RECORDS,
            Capability.WRITE_FINDINGS,
        }
    ),
    Role.MODERATOR: frozenset({Capability.MODERATE_INTAKE}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    """Capabilities of a role; an unknown or empty role has none (deny by default)."""
    return ROLE_CAPABILITIES.get(role, frozenset())


class Scope(StrEnum):
    """What an API token may be used for; a token holds some, never more than its user's role.

    A scope is a second gate, not a capability: a request needs both the scope of its kind of
    operation and the capability the same page would need (ADR 0046).
    """

    READ = "read"  # safe methods: lists, records, runs, downloads of working copies
    WRITE = "write"  # creating and changing records
    MODERATE = "moderate"  # the moderation queue
    ADMIN = "admin"  # what only administrators may do through the API


# The capabilities that make a scope meaningful for a role: a role holding none of them cannot
# lend that scope to a token (a moderator's token cannot read records it could not open).
SCOPE_CAPABILITIES: dict[Scope, frozenset[Capability]] = {
    Scope.READ: frozenset(
        {Capability.VIEW_RECORDS, Capability.RUN_ESTIMATES, Capability.REVIEW_LINKAGE}
    ),
    Scope.WRITE: frozenset({Capability.EDIT_RECORDS, Capability.IMPORT_RECORDS}),
    Scope.MODERATE: frozenset({Capability.MODERATE_INTAKE}),
    Scope.ADMIN: frozenset({Capability.MANAGE_USERS}),
}


def scopes_of(capabilities: frozenset[Capability]) -> frozenset[Scope]:
    """The scopes a user holding `capabilities` may give a token (and a session holds)."""
    return frozenset(scope for scope, needs in SCOPE_CAPABILITIES.items() if needs & capabilities)
