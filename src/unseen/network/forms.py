"""The graph's filters, as the page's form and as the data's and exports' query string.

One form reads both: the page shows its errors beside the fields, the JSON answers 400 with them.
"""

import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from unseen.core.network import NODE_KINDS
from unseen.evidence.models import Reliability
from unseen.ui.fields import DayField

from .gathering import MAX_DEPTH, View

FOCUS = re.compile(
    r"^(organisation|public_figure|person|site):[1-9][0-9]{0,17}$|^country:[A-Z]{2}$"
)
FOCUS_MAX = 20


class FocusPicker(forms.TextInput):
    """The focus as a type-ahead search over the graph's nodes (ui/static/ui/picker.js).

    Without JavaScript it is a text box taking a node's id, "organisation:12" (the record's kind
    and the number in its page's address), or "country:RU".
    """

    template_name = "network/_focus_picker.html"

    def __init__(self, attrs: Any = None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["picker"] = {"url": reverse("network:suggest"), "label": self.label}
        return context

    # The name of the focused node as the reader may see it, set by the view.
    label = ""


class ViewForm(forms.Form):
    """as_of, min_grade, focus and depth, each checked; `view()` is what was asked."""

    as_of = DayField(
        required=False,
        label=_("As of"),
        help_text=_("Only links in force on this day. Empty: every link, whatever its dates."),
    )
    min_grade = forms.ChoiceField(
        required=False,
        # graph.js finds the select by this id and filters with it in the browser.
        widget=forms.Select(attrs={"id": "network-min-grade"}),
        label=_("Minimum grade"),
        choices=[("", _("Any grade"))] + [(value, label) for value, label in Reliability.choices],
        help_text=_("Only links told by at least one source this reliable."),
    )
    focus = forms.CharField(
        required=False,
        label=_("Around"),
        widget=FocusPicker(),
        help_text=_("An organisation, public figure, person, site or country; empty: everything."),
    )
    depth = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_DEPTH,
        initial=1,
        widget=forms.NumberInput(attrs={"placeholder": "1"}),
        label=_("Links away"),
        help_text=_("How far from the focus to go."),
    )

    def __init__(self, data: QueryDict | None = None, **kwargs: Any):
        if data is not None:
            # Several focus values (repeated or comma-separated) are one field's text here.
            data = data.copy()
            data["focus"] = ",".join(part for part in data.getlist("focus") if part)
        super().__init__(data, **kwargs)

    def clean_min_grade(self) -> str | None:
        return self.cleaned_data["min_grade"] or None

    def clean_focus(self) -> tuple[str, ...]:
        text = self.cleaned_data["focus"] or ""
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if len(parts) > FOCUS_MAX:
            raise forms.ValidationError(
                _("At most %(count)s nodes to focus on."), params={"count": FOCUS_MAX}
            )
        for part in parts:
            kind, _colon, rest = part.partition(":")
            if kind == "country":
                part = f"country:{rest.upper()}"
            if not FOCUS.match(part):
                raise forms.ValidationError(
                    _(
                        "%(value)s is not a node: write its kind and number, e.g. "
                        "organisation:12, or country:RU (kinds: %(kinds)s)."
                    ),
                    params={"value": part[:60], "kinds": ", ".join(NODE_KINDS)},
                )
        return tuple(
            f"country:{p.partition(':')[2].upper()}" if p.startswith("country:") else p
            for p in parts
        )

    def view(self) -> View:
        """What was asked; call only once the form is valid."""
        data = self.cleaned_data
        depth = data.get("depth")
        return View(
            as_of=data.get("as_of"),
            min_grade=data.get("min_grade"),
            focus=data.get("focus") or (),
            depth=1 if depth is None else depth,
        )

    def errors_by_parameter(self) -> dict[str, list[str]]:
        return {name: [str(message) for message in errors] for name, errors in self.errors.items()}
