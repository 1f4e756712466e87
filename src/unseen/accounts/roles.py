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
