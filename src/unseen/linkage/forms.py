from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike
from unseen.core.linkage import DEFAULT_THRESHOLDS
from unseen.evidence.models import Source

from .models import ENTITY_MODELS, Entity, review_band


class SourceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        counts = ", ".join(
            f"{getattr(obj, f'n_{entity}')} {label}"
            for entity, label in Entity.choices
            if getattr(obj, f"n_{entity}", 0)
        )
        return f"{obj.title[:120]} · {obj.get_kind_display()} · {obj.reliability} ({counts})"


def sources_with_records(user: UserLike) -> Any:
    """Sources the user may read that speak about at least one person, site or organisation."""
    annotations = {
        f"n_{entity}": Count(
            "claims",
            filter=Q(claims__content_type=ContentType.objects.get_for_model(model)),
        )
        for entity, model in ENTITY_MODELS.items()
    }
    any_records = Q()
    for name in annotations:
        any_records |= Q(**{f"{name}__gt": 0})
    return (
        Source.objects.visible_to(user)
        .annotate(**annotations)
        .filter(any_records)
        .order_by("title", "pk")
    )


class StartForm(forms.Form):
    """What a run links: which kind of record, which sources (the lists), at what threshold."""

    entity = forms.ChoiceField(label=_("Link"), choices=Entity.choices, initial=Entity.PERSON)
    sources = SourceChoices(
        label=_("Sources (each one a list)"),
        queryset=Source.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The records these sources speak about are linked. Choose two or more to get "
            "capture histories for population estimates; one source is deduplicated."
        ),
    )
    threshold = forms.FloatField(
        label=_("Threshold"),
        required=False,
        min_value=0.01,
        max_value=0.99,
    )
    review_low = forms.FloatField(
        label=_("Review pairs from"),
        required=False,
        min_value=0.0,
        max_value=1.0,
        help_text=_(
            "Leave both blank for pairs whose odds are within a factor of 8 of the threshold's."
        ),
    )
    review_high = forms.FloatField(
        label=_("Review pairs up to"), required=False, min_value=0.0, max_value=1.0
    )

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sources"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = sources_with_records(user)
        self.defaults = dict(DEFAULT_THRESHOLDS)
        defaults = ", ".join(f"{label} {self.defaults[entity]}" for entity, label in Entity.choices)
        self.fields["threshold"].help_text = _(
            "Pairs at or above this match probability join one entity. Leave it blank for the "
            "default, chosen from measured precision and recall (docs/methods/linkage.md): "
            "%(defaults)s."
        ) % {"defaults": defaults}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("entity") not in self.defaults or "threshold" not in data:
            return data
        if data["threshold"] is None:
            data["threshold"] = self.defaults[data["entity"]]
        threshold = data["threshold"]
        low, high = review_band(threshold)
        data["review_low"] = low if data.get("review_low") is None else data["review_low"]
        data["review_high"] = high if data.get("review_high") is None else data["review_high"]
        if not data["review_low"] <= threshold <= data["review_high"]:
            self.add_error(
                "review_low",
                _("The review band must contain the threshold: from ≤ threshold ≤ up to."),
            )
        return data


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[
            ("same", _("The same")),
            ("different", _("Not the same")),
            # No verdict: the pair stays pending and goes to the back of this reviewer's queue.
            ("unsure", _("Unsure, skip")),
        ],
        widget=forms.RadioSelect,
    )
