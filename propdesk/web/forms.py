from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import Community


class EmergencyForm(forms.Form):
    """The front desk's one-screen emergency form (EM-1): kind and where; the rest may wait."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("community"))
    kind = forms.ChoiceField(label=_("Kind of emergency"))
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    room = forms.CharField(label=_("room number"), max_length=40, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, communities: Any, kinds: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["kind"].widget.attrs["autofocus"] = "autofocus"
