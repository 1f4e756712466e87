from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unseen.core.places import country_choices

from .models import Language, SubjectKind
from .subjects import Subject


def default_language() -> str:
    """The UI's language when it is one a dossier is written in, else English."""
    language = (get_language() or "en")[:2]
    return language if language in Language.values else Language.ENGLISH


class DossierForm(forms.Form):
    """What to make a dossier of (kind and key, as the buttons post them) and in which language."""

    kind = forms.ChoiceField(choices=SubjectKind.choices, label=_("Subject"))
    key = forms.CharField(max_length=20, label=_("Which"))
    language = forms.ChoiceField(choices=Language.choices, label=_("Language"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "kind" in data and "key" in data:
            try:
                data["subject"] = Subject.parse(data["kind"], data["key"])
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return data


class CountryForm(forms.Form):
    """The list page's form: a dossier of a host country."""

    key = forms.ChoiceField(label=_("Host country"))
    language = forms.ChoiceField(choices=Language.choices, label=_("Language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = self.fields["key"]
        assert isinstance(key, forms.ChoiceField)
        key.choices = country_choices(default_language())
        self.fields["language"].initial = default_language()
