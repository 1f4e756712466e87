"""Forms for the identity vault's pages: the purpose of a read, and the identifying fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.core.purposes import PURPOSE_LENGTH, looks_like_a_name
from unseen.ui.fields import PartialDateField

from .vault import IDENTITY_FIELDS, Identity, identity_labels

# Long enough for any real name, address or document number; short enough that the form
# is not a place to paste notes (notes about a person go on the pseudonymous record).
FIELD_LENGTH = 300


class PurposeForm(forms.Form):
    """Why someone who holds the vault permission opens an identity: written with each read.

    The purpose stays for good in the append-only audit log and in every backup, so it is bounded
    and refused while it looks like a person's name (`core.purposes`), until it is rephrased or
    the user ticks `not_a_name`, which is offered only then (#15).
    """

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=PURPOSE_LENGTH,
        help_text=_(
            "Written to the audit log with each identity read, for good: say why, never whom."
        ),
    )
    not_a_name = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label=_("This purpose names no one: write it to the audit log as it is."),
    )

    def offer_confirmation(self) -> None:
        """Show the `not_a_name` box (after a purpose was refused on another request)."""
        self.fields["not_a_name"].widget = forms.CheckboxInput()

    @property
    def refused_as_a_name(self) -> bool:
        return not self.fields["not_a_name"].widget.is_hidden

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = data.get("purpose") or ""
        if purpose and looks_like_a_name(purpose) and not data.get("not_a_name"):
            self.offer_confirmation()
            self.add_error(
                "purpose",
                _(
                    "This looks like a person's name. The purpose is kept for good in the audit "
                    "log and in backups: say why you open it, not whom (e.g. “linkage review for "
                    "run 12”). If it names no one, tick the box below and send it again."
                ),
            )
        return data


class IdentityForm(forms.Form):
    """A person's identifying fields, as `vault.Identity` holds them; every field optional."""

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any):
        """`required`: at least one field must be filled (a new person's identity)."""
        super().__init__(*args, **kwargs)
        self.required = required
        labels = identity_labels()
        helps = {
            "birth_date": _("Partial date: 1984, 1984-03 or 1984-03-15."),
            "identifier": _("Passport or other document number."),
        }
        for name in IDENTITY_FIELDS:
            # Browsers must not offer these values to the next person at this computer.
            unremembered = {"autocomplete": "off"}
            if name == "email":
                self.fields[name] = forms.EmailField(
                    label=labels[name],
                    required=False,
                    max_length=FIELD_LENGTH,
                    widget=forms.EmailInput(attrs=unremembered),
                )
                continue
            self.fields[name] = forms.CharField(
                label=labels[name],
                required=False,
                max_length=FIELD_LENGTH,
                help_text=helps.get(name, ""),
                widget=forms.TextInput(attrs=unremembered),
            )

    def clean_birth_date(self) -> str:
        """Read as every partial date is (05/06/1984 refused), kept in ISO form: 1984-03-15
        and 15 March 1984 then have one blind index and are found by the same search."""
        text: str = self.cleaned_data["birth_date"]
        if not text:
            return ""
        return str(PartialDateField().clean(text))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.required and not any(data.get(name) for name in IDENTITY_FIELDS):
            raise forms.ValidationError(_("Fill in at least one identifying field."))
        return data

    def identity(self) -> Identity:
        return Identity(**{name: self.cleaned_data[name] for name in IDENTITY_FIELDS})

    @classmethod
    def initial_from(cls, identity: Identity) -> dict[str, str]:
        return {name: getattr(identity, name) for name in IDENTITY_FIELDS}
