"""Who saw or touched anything about one person: "who read witness P-00042's file, when and why".

The audit app sits below the registry in the layers, so the person model is looked up by name at
run time (`apps.get_model`), and so are the models that point at it: an entry is about the person
when it targets the person itself, a row that refers to the person (its identity in the vault,
a deployment, ...), or names the pseudonym in its detail. Exports are listed too: each one may have
carried the person (at the level it states). Rows deleted since are still found through the first
and last rule, not the second.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from .models import Action, AuditEntry

PERSON_MODEL = ("registry", "Person")


class UnknownPerson(LookupError):
    pass


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    about: str  # what the entry touched: "person", "registry.personidentity", "export", ...

    @property
    def purpose(self) -> str:
        return (
            str(self.entry.detail.get("purpose", "")) if isinstance(self.entry.detail, dict) else ""
        )


def find_person(pseudonym: str) -> Any:
    person_model = apps.get_model(*PERSON_MODEL)
    person = person_model.objects.filter(pseudonym__iexact=pseudonym.strip()).first()
    if person is None:
        raise UnknownPerson(pseudonym)
    return person


def _referring_rows(person: Any) -> dict[str, list[str]]:
    """label -> primary keys of the rows of every model that points at this person."""
    person_model = type(person)
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is person_model
            ):
                pks = model._default_manager.filter(**{field.name: person.pk}).values_list(
                    "pk", flat=True
                )
                found.setdefault(model._meta.label_lower, []).extend(str(pk) for pk in pks)
    return found


def person_access(pseudonym: str) -> list[Line]:
    """Every audit entry about the person with this pseudonym, oldest first."""
    person = find_person(pseudonym)
    label = type(person)._meta.label_lower
    about: dict[int, str] = {}
    for pk in AuditEntry.objects.filter(target_type=label, target_id=str(person.pk)).values_list(
        "pk", flat=True
    ):
        about[pk] = "person"
    for related, pks in _referring_rows(person).items():
        if not pks:
            continue
        for pk in AuditEntry.objects.filter(target_type=related, target_id__in=pks).values_list(
            "pk", flat=True
        ):
            about.setdefault(pk, related)
    mentioned = AuditEntry.objects.annotate(text=Cast("detail", models.TextField())).filter(
        text__icontains=person.pseudonym
    )
    for pk in mentioned.values_list("pk", flat=True):
        about.setdefault(pk, "mentioned")
    for pk in AuditEntry.objects.filter(action=Action.EXPORT).values_list("pk", flat=True):
        about.setdefault(pk, "export")
    entries = AuditEntry.objects.filter(pk__in=about).order_by("id")
    return [Line(entry, about[entry.pk]) for entry in entries]
