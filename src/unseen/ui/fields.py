"""Form fields for what people type the same way on every form: dates and countries.

The reading itself is pure Python in `core.dates` and `core.places`; these fields only turn its
refusals into sentences in the reader's language (ADR 0018). Django's own DateField is not used:
it reads 05/06/2024 as 6 May under English settings (`DATE_INPUT_FORMATS`), a silent guess.
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unseen.core.dates import DateRefused, PartialDate, parse_day, parse_partial_date
from unseen.core.places import country_choices, country_code, country_name

DATE_ERRORS = {
    "ambiguous": _(
        "A date such as 05/06/2024 can be read two ways (5 June or 6 May). Write the year "
        "first, YYYY-MM-DD (e.g. 2024-06-05), or the month as a word (5 June 2024)."
    ),
    "not_real": _("This date does not exist (check the day and the month)."),
    "too_early": _("Enter a year from %(earliest)d on."),
    "too_late": _("Enter a year no later than %(latest)d."),
    "not_a_day": _("Enter the full date, day included: YYYY-MM-DD."),
}
DAY_SHAPE = _("Enter a date as YYYY-MM-DD (e.g. 2024-06-05), 2024년 6월 5일 or 5 June 2024.")
PARTIAL_SHAPE = _(
    "Enter a year, a month or a day: YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024, 2024-06 or "
    "2024-06-05)."
)


def _refusal(refused: DateRefused, shape: Any) -> forms.ValidationError:
    # The value typed is not repeated: error messages can end up in logs.
    message = DATE_ERRORS.get(refused.reason, shape)
    return forms.ValidationError(
        message,
        code=f"date_{refused.reason}",
        params={"earliest": refused.earliest, "latest": refused.latest},
    )


class DayField(forms.DateField):
    """A full date, offered with the browser's date picker, which always sends YYYY-MM-DD.

    Typed text (no picker, or an old browser) is read by `core.dates.parse_day`: ISO, 2024년
    6월 5일 or 5 June 2024; 05/06/2024 is refused, never guessed.
    """

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("help_text", _("YYYY-MM-DD, e.g. 2024-06-05"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value))
        except DateRefused as refused:
            raise _refusal(refused, DAY_SHAPE) from None


class PartialDateField(forms.CharField):
    """A year, a month or a day (2024, 2024-06, 2024-06-05), kept with how much is known."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "YYYY-MM-DD", "size": 12}
            ),
        )
        kwargs.setdefault("help_text", _("A year, a month or a day: 2024, 2024-06 or 2024-06-05."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> PartialDate | None:  # type: ignore[override]
        if isinstance(value, PartialDate):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_partial_date(text)
        except DateRefused as refused:
            raise _refusal(refused, PARTIAL_SHAPE) from None


class CountryInput(forms.TextInput):
    """A text box with a menu of every country named in the reader's language (a datalist).

    Choosing from the menu types the name; typing a name in Korean or English, or a code, works
    as well. A stored code is shown as its name in the reader's language.
    """

    template_name = "ui/widgets/country.html"

    def format_value(self, value: Any) -> str | None:
        if value and isinstance(value, str) and len(value) == 2 and value.isupper():
            return country_name(value, get_language() or "en")
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        attrs.setdefault("id", f"id_{name}")
        attrs["list"] = f"{attrs['id']}-countries"
        context["widget"]["countries"] = country_choices(get_language() or "en")
        return context


class CountryField(forms.CharField):
    """A country chosen from the menu or typed (Korean or English name, or ISO code), stored as
    its ISO 3166-1 alpha-2 code."""

    widget = CountryInput
    default_error_messages = {
        "unknown": _(
            "Choose a country from the list, or type its name in Korean or English (e.g. 중국, "
            "China) or its two-letter code (CN)."
        ),
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_length", 80)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["autocomplete"] = "off"
        return attrs

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return country_code(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown") from None
