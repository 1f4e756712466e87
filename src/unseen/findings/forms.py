from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.intake.forms import CommentForm

from .models import Decision, Finding
from .reviewing import TEXT_FIELDS


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = list(TEXT_FIELDS)
        widgets = {
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "summary_ko": forms.Textarea(attrs={"rows": 2}),
            "body_en": forms.Textarea(attrs={"rows": 18, "class": "markdown"}),
            "body_ko": forms.Textarea(attrs={"rows": 18, "class": "markdown", "lang": "ko"}),
        }
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens: the page will be /findings/ADDRESS/."
            ),
            "body_en": _(
                "Markdown. Live figures on a line of their own: {{estimate 12}}, {{revenue 3}}, "
                "{{chart workers}}, {{map}}, {{record organisation 5}}, {{record country RU}}."
            ),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment for the author")
    )


class CorrectionForm(forms.Form):
    text_en = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Correction (English)")
    )
    text_ko = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "ko"}),
        label=_("Correction (Korean)"),
    )


class WithdrawForm(forms.Form):
    reason_en = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Why it is withdrawn (English)"),
    )
    reason_ko = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "ko"}),
        label=_("Why it is withdrawn (Korean)"),
    )


class FindingCommentForm(CommentForm):
    """The comment form under a finding: the finding is in the address, not in a field."""

    page = None  # type: ignore[assignment]
    in_reply_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
