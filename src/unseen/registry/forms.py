"""Forms for the identity vault's pages: the purpose of a read, and the identifying fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.core.dates import parse_partial_date

from .vault import IDENTITY_FIELDS, Identity, identity_labels

# Long enough for any real name, address or document number; short enough that the form
# is not a place to paste notes (notes about a person go on the pseudonymous record).
FIELD_LENGTH = 300


class PurposeForm(forms.Form):
    """Why someone who holds the vault permission opens an identity: written with each read."""

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("Written to the audit log with each identity read."),
    )


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
        text: str = self.cleaned_data["birth_date"]
        if not text:
            return ""
        try:
            parse_partial_date(text)
        except ValueError:
            # The value typed is not repeated: error messages can end up in logs.
            raise forms.ValidationError(
                _("Use a date such as 1984, 1984-03 or 1984-03-15.")
            ) from None
        return text

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
