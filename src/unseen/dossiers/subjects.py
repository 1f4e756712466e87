"""What a dossier is about: an organisation, a site, a host country, a pseudonymous person or a
saved search, named by a kind and a key, and resolved for one reader.

`resolve` is the one gate between a subject someone asks for and the thing a dossier is composed
from: a subject the reader may not read raises `NotReadable`, exactly as a missing one does, so a
dossier page, its download and the command line never tell "forbidden" from "absent".
"""

from dataclasses import dataclass
from typing import Any

from unseen.accounts.models import UserLike
from unseen.core.places import country_code
from unseen.documentation.models import SavedSearch
from unseen.evidence.models import readable_records
from unseen.registry.models import Organisation, Person, Site

ORGANISATION = "organisation"
SITE = "site"
COUNTRY = "country"
PERSON = "person"
SAVED_SEARCH = "saved-search"

KINDS = (ORGANISATION, SITE, COUNTRY, PERSON, SAVED_SEARCH)

# The record kinds: the registry's pseudonymous Person only, never the identity vault
# (a dossier names a person by their pseudonym, as every page of the app does).
RECORD_MODELS: dict[str, type[Any]] = {
    ORGANISATION: Organisation,
    SITE: Site,
    PERSON: Person,
}


class NotReadable(LookupError):
    """The subject does not exist or the reader may not read it (deliberately one error)."""


@dataclass(frozen=True)
class Subject:
    kind: str  # "organisation" | "site" | "country" | "person" | "saved-search"
    key: str  # the primary key as text, or the ISO 3166-1 alpha-2 code for "country"

    @classmethod
    def parse(cls, kind: str, key: str) -> "Subject":
        """A subject from what a form or the command line gave, normalised (a country's name or
        lower-case code becomes its upper-case ISO code; a number loses its leading zeros).

        Raises:
            ValueError: with a reason a person can act on.
        """
        kind = (kind or "").strip().lower().replace("_", "-")
        if kind == "savedsearch":
            kind = SAVED_SEARCH
        if kind not in KINDS:
            raise ValueError(f"unknown dossier subject {kind!r} (use one of: {', '.join(KINDS)})")
        key = (key or "").strip()
        if kind == COUNTRY:
            try:
                return cls(kind, country_code(key))
            except ValueError as error:
                raise ValueError(str(error)) from None
        if not key.isdigit() or int(key) <= 0:
            raise ValueError(f"a {kind} is named by its number, not {key!r}")
        return cls(kind, str(int(key)))

    @property
    def slug(self) -> str:
        """`kind-key`, for file names (`organisation-12.pdf`, `country-RU.pdf`)."""
        return f"{self.kind}-{self.key}"


def resolve(subject: Subject, reader: UserLike | None) -> Any:
    """The record, the country code or the SavedSearch a dossier of `subject` is composed from.

    A country resolves for every reader: it is a place, not a record, and what a dossier says
    about it is filtered record by record anyway. A saved search resolves for its owner and, when
    shared, for the team; its query runs again at the reader's own levels. `reader` None (or
    anonymous) reads what is public only.

    Raises:
        NotReadable: the subject is missing or beyond the reader (one error for both).
    """
    if subject.kind == COUNTRY:
        return subject.key
    if subject.kind == SAVED_SEARCH:
        if reader is None or not reader.is_authenticated:
            raise NotReadable(subject.slug)
        from django.db.models import Q

        found = (
            SavedSearch.objects.filter(Q(owner=reader) | Q(shared=True))
            .filter(pk=int(subject.key))
            .first()
        )
        if found is None:
            raise NotReadable(subject.slug)
        return found
    from django.contrib.auth.models import AnonymousUser

    model = RECORD_MODELS[subject.kind]
    who = reader if reader is not None else AnonymousUser()
    record = readable_records(model.objects.filter(pk=int(subject.key)), who).first()
    if record is None:
        raise NotReadable(subject.slug)
    return record


def subject_of(record: Any) -> Subject:
    """The subject of a record or saved search (for the "Make a dossier" buttons)."""
    if isinstance(record, SavedSearch):
        return Subject(SAVED_SEARCH, str(record.pk))
    for kind, model in RECORD_MODELS.items():
        if isinstance(record, model):
            return Subject(kind, str(record.pk))
    raise ValueError(f"no dossier of a {type(record).__name__}")


def subject_label(subject: Subject, reader: UserLike | None, language: str = "en") -> str:
    """How a dossier's page names its subject for `reader`: the record's name (a person's
    pseudonym), the country's, the saved search's; a placeholder once it is beyond them."""
    from django.utils.translation import gettext as _

    from unseen.core.places import country_name

    try:
        found = resolve(subject, reader)
    except NotReadable:
        return _("(no longer readable)")
    if subject.kind == COUNTRY:
        return country_name(found, language)
    if subject.kind == SAVED_SEARCH:
        return str(found.name)
    if subject.kind == PERSON:
        return str(found.pseudonym)
    return str(found.name)
