"""Console forms: each checks its input at the door, in the user's language; the services check
the rules again (one door for each action) and their field errors come back onto the form."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import Community
from propdesk.desk.models import Channel, ComplaintType, OrderKind, Outcome
from propdesk.policy.money import parse_money


def _worded(message: Any, values: dict[str, Any]) -> str:
    return str(message) % values


# ``message % values``, worded when shown, in the language of the moment: a form class's words
# are made once, when no language is active yet.
worded = lazy(_worded, str)

F = TypeVar("F", bound=type[forms.Form])


def plain_messages(fields: Mapping[str, forms.Field], hints: dict[str, Any] | None = None) -> None:
    """Django's generic messages ("This field is required.", "Ensure this value has at most 50
    characters", "Enter a number.") on ``fields`` replaced by words that say what to type: the
    field's own hint from ``hints`` when given, else one made from its label. The words are
    lazy (``worded``): set once on a form class's fields (``plain_form``), they are read in the
    user's language when an error is shown, and cost nothing on a form that has none."""
    hints = hints or {}
    for name, field in fields.items():
        label = field.label if field.label is not None else name
        messages = field.error_messages
        hint = hints.get(name)
        messages["required"] = (
            hint if hint is not None else worded(_("Fill in %(label)s."), {"label": label})
        )
        messages["invalid_choice"] = worded(_("Choose %(label)s from the list."), {"label": label})
        limit = getattr(field, "max_length", None)
        if limit:
            messages["max_length"] = worded(
                _("%(label)s: at most %(limit)s characters (this has %(n)s); shorten it."),
                {"label": label, "limit": limit, "n": "%(show_value)d"},
            )
        if isinstance(field, forms.DateTimeField):
            messages["invalid"] = worded(
                _("%(label)s: choose a date and a time, e.g. 2026-12-01 09:30."), {"label": label}
            )
        elif isinstance(field, forms.IntegerField | forms.TypedChoiceField):
            messages["invalid"] = worded(_("Choose %(label)s from the list."), {"label": label})
        for validator in getattr(field, "validators", []):
            # MaxLengthValidator carries its own message; the field's is used by Django only
            # when the validator has none, so set it on the validator too.
            if getattr(validator, "code", "") == "max_length" and limit:
                validator.message = messages["max_length"]


def plain_form(
    hints: dict[str, Any] | None = None, *, own: dict[str, dict[str, Any]] | None = None
) -> Callable[[F], F]:
    """A form class's plain messages (``plain_messages`` with ``hints``) set once on the class's
    fields, which every form made from it copies, instead of on each form's own; ``own``: a
    field's own words for some of its codes (field → code → words), kept over the plain ones."""

    def apply(form_class: F) -> F:
        plain_messages(form_class.base_fields, hints)
        for name, words in (own or {}).items():
            form_class.base_fields[name].error_messages.update(words)
        return form_class

    return apply


class _SharedFields(dict[str, forms.Field]):
    """A form class's fields, as each form made from it copies them (``BaseForm.__init__``
    deep-copies ``base_fields``): only the ``per_form`` ones are copied, the others are the
    class's own, shared by every form."""

    def __init__(self, fields: Mapping[str, forms.Field], per_form: Sequence[str]) -> None:
        super().__init__(fields)
        self.per_form = frozenset(per_form)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {
            name: copy.deepcopy(field, memo) if name in self.per_form else field
            for name, field in self.items()
        }


def fields_shared(*per_form: str) -> Callable[[F], F]:
    """A form class whose fields are built once, with the class, and shared by every form made
    from it, except the ``per_form`` fields, which a form changes (its choices, its time zone,
    its attributes): those are copied for each form, as Django copies them all. A form must
    change no other field (one form's change would be every form's)."""

    def apply(form_class: F) -> F:
        unknown = set(per_form) - set(form_class.base_fields)
        assert not unknown, unknown
        form_class.base_fields = _SharedFields(form_class.base_fields, per_form)
        return form_class

    return apply


# How Django cleans a field from its BoundField, unless the field's class says otherwise.
_CLEAN_BOUND_FIELD = forms.Field._clean_bound_field  # type: ignore[attr-defined]


class CleanedFromData(forms.Form):
    """A form whose fields are cleaned as Django's ``BaseForm._clean_fields`` cleans them (each
    value as its widget reads it from the posted data, then ``field.clean``, then the form's
    ``clean_<name>``; an error kept on its field), without making each field's ``BoundField``
    first: its name, prefixed names and id are some 300 calls on the front desk's 22 fields,
    which a valid submit (a redirect) never shows. The page drawn after a failed submit makes
    them as before. A field Django cleans otherwise (a file, with its initial; a disabled one)
    or a form with a prefix is cleaned by Django's own steps."""

    def _clean_fields(self) -> None:
        if self.prefix is not None:
            super()._clean_fields()  # type: ignore[misc]
            return
        data, files, cleaned = self.data, self.files, self.cleaned_data
        for name, field in self.fields.items():
            try:
                own = type(field)._clean_bound_field  # type: ignore[attr-defined]
                if field.disabled or own is not _CLEAN_BOUND_FIELD:
                    cleaned[name] = field._clean_bound_field(self[name])  # type: ignore[attr-defined]
                else:  # Field._clean_bound_field: bf.data is what the widget reads
                    cleaned[name] = field.clean(field.widget.value_from_datadict(data, files, name))
                if hasattr(self, f"clean_{name}"):
                    cleaned[name] = getattr(self, f"clean_{name}")()
            except ValidationError as e:
                self.add_error(name, e)


class MoneyField(forms.CharField):
    """A fee in yuan: ``45``, ``45.00``, ``¥45`` and ``45元`` all mean 45.00; nonsense is refused
    with words that say what to type. Cleans to a Decimal (two places) or None."""

    def __init__(self, *, max_yuan: int = 9_999_999, **kw: Any) -> None:
        kw.setdefault("max_length", 20)
        super().__init__(**kw)
        self.max_yuan = max_yuan
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        try:
            amount = parse_money(text)
        except ValueError as exc:
            raise ValidationError(
                _("Type the amount in yuan, e.g. 45, 45.50 or ¥45."), code="invalid"
            ) from exc
        if amount is not None and amount > self.max_yuan:
            raise ValidationError(_("The amount is too large: check it."), code="max_value")
        return amount.quantize(Decimal("0.01")) if amount is not None else None


def upload_limit_attrs() -> dict[str, str]:
    """What a file input carries for the browser's size check before upload (uploads.js): the
    server's limit and the words that say what to do instead."""
    limit = settings.ATTACHMENT_MAX_BYTES
    return {
        "data-max-bytes": str(limit),
        "data-too-large": str(
            _(
                "The file is larger than %(mb)s MB: choose a smaller file, or take the photo "
                "again at a lower resolution."
            )
            % {"mb": limit // (1024 * 1024)}
        ),
    }


def _upload_limit_attr(name: str) -> str:
    return upload_limit_attrs()[name]


def upload_limit_attrs_when_drawn() -> dict[str, Any]:
    """``upload_limit_attrs``, each value read when the input is drawn (the limit of the
    moment, the words in the reader's language): set once on a form class's file input."""
    read = lazy(_upload_limit_attr, str)
    return {name: read(name) for name in ("data-max-bytes", "data-too-large")}


@plain_form(
    {"community": _("Choose the community."), "kind": _("Choose the kind of emergency.")},
    own={"kind": {"invalid_choice": _("Choose the kind of emergency.")}},
)
class EmergencyForm(forms.Form):
    """The front desk's one-screen emergency form (EM-1): kind and where; the rest may wait."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("community"))
    # No default: a hurried Enter must not report a fire.
    kind = forms.ChoiceField(
        label=_("Kind of emergency"),
        error_messages={
            "required": _("Choose the kind of emergency."),
            "invalid_choice": _("Choose the kind of emergency."),
        },
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    room = forms.CharField(label=_("room number"), max_length=40, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, communities: Any, kinds: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["community"]
        field.queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            # The desk's one community, always chosen (an empty submit keeps it too).
            only = communities.first()
            field.initial = only
            field.empty_label = None  # type: ignore[attr-defined]
            if self.is_bound and not self.data.get("community"):
                data = self.data.copy()  # type: ignore[attr-defined]
                data["community"] = str(only.pk)
                self.data = data
        else:
            field.empty_label = _("Choose…")  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("Choose…")), *kinds]  # type: ignore[attr-defined]
        self.fields["kind"].widget.attrs["autofocus"] = "autofocus"


class LocalDateTimeField(forms.DateTimeField):
    """A <input type=datetime-local> read, and shown again, in the community's time zone (set by
    the form). Django's own field reads a typed time in the current time zone, which is
    settings.TIME_ZONE here (nothing activates a community's): 09:30 typed in a community an
    hour east of Beijing was stored as 09:30 Beijing time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    time_zone = "Asia/Shanghai"

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None  # as Django's first step: no time zone needed (nor switched to)
        # Django's checks of a time that does not exist or is ambiguous in the zone come with it.
        with timezone.override(ZoneInfo(self.time_zone)):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(ZoneInfo(self.time_zone)):
            return super().prepare_value(value)


def _local_fields(form: forms.Form, community: Community) -> None:
    for f in form.fields.values():
        if isinstance(f, LocalDateTimeField):
            f.time_zone = community.time_zone


# (form class, field, time zone): the class's field as read in that zone.
_zoned: dict[tuple[type[forms.Form], str, str], forms.Field] = {}


def _zoned_fields(form: forms.Form, names: Sequence[str], zone: str) -> None:
    """``_local_fields`` for fields a form class shares (``fields_shared``): each of ``names`` is
    the class's field copied once for ``zone``, then shared by every form in that zone (no form
    changes it), instead of a copy for each form."""
    for name in names:
        key = (type(form), name, zone)
        field = _zoned.get(key)
        if field is None:
            field = copy.deepcopy(form.base_fields[name])
            field.time_zone = zone  # type: ignore[attr-defined]
            field = _zoned.setdefault(key, field)
        form.fields[name] = field


# A choice field's empty choice, and all it offers until a form sets its own (set_choices).
NO_CHOICE = (("", "—"),)


class ServiceItemSelect(forms.Select):
    """The catalogue's items, each option saying its order kind (``data-kind``): the intake's
    script offers only the items of the 诉求类别 chosen (报修 the repairs, 家政服务 the
    housekeeping), so that a receptionist picking from the list (or typing its code) never
    lands on an item of the other kind, which the submit would refuse."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.kinds: dict[str, str] = {}

    def create_option(self, *args: Any, **kw: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kw)
        kind = self.kinds.get(str(option["value"]))
        if kind:
            option["attrs"]["data-kind"] = kind
        return option


INTENT_KEYS = {
    OrderKind.REPAIR: "1",
    OrderKind.COMPLAINT: "2",
    OrderKind.HOUSEKEEPING: "3",
    OrderKind.CONSULTATION: "4",
    OrderKind.SUGGESTION: "5",
    OrderKind.CONCIERGE: "6",
    OrderKind.OTHER: "7",
}
OUTCOME_KEYS = {Outcome.RESOLVED: "r", Outcome.WORK_ORDER: "w", Outcome.PROMISED: "p"}


@plain_form(
    {
        "channel": _("Choose how the owner reached us."),
        "intent": _("Choose what the owner wants (Alt+1…7)."),
        "content": _("Write down what the owner said."),
        "outcome": _("Choose how the contact ended (Alt+R / W / P)."),
    },
    own={"place": {"invalid_choice": _("This place is not one of the community's active places.")}},
)
@fields_shared()
class IntakeForm(CleanedFromData):
    """FD-2 … FD-6 at the front desk: who called, what they want, how it ended, in one form.
    Its fields and their words are made once, with the class; a form made from it has its own
    copy only of what differs by request, the items and places to choose, and only when it
    offers some (``set_choices``); its two times are shared by the forms of one time zone, the
    letter's limit is read when it is drawn."""

    channel = forms.ChoiceField(
        label=_("channel"), choices=Channel.choices, initial=Channel.PHONE, widget=forms.RadioSelect
    )
    caller_phone = forms.CharField(
        label=_("phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": "autofocus", "inputmode": "tel"}),
    )
    room = forms.CharField(label=_("room number"), max_length=40, required=False)
    caller_name = forms.CharField(label=_("caller or visitor"), max_length=50, required=False)
    intent = forms.ChoiceField(
        label=_("intent"),
        choices=[(k.value, k.label) for k in INTENT_KEYS],
        widget=forms.RadioSelect,
    )
    complaint_type = forms.ChoiceField(
        label=_("complaint type"),
        choices=[("", "—")] + [c for c in ComplaintType.choices if c[0] != "emergency"],
        required=False,
    )
    is_important = forms.BooleanField(label=_("important"), required=False)
    is_long_running = forms.BooleanField(label=_("long-running"), required=False)
    is_construction_legacy = forms.BooleanField(label=_("construction legacy"), required=False)
    is_urgent = forms.BooleanField(label=_("urgent repair"), required=False)
    service_item = forms.TypedChoiceField(
        label=_("service item"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=NO_CHOICE,
        widget=ServiceItemSelect,
    )
    content = forms.CharField(
        label=_("what was said"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "data-key": "c"}),
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    # The sticker place (opened from the place's page after a QR scan): its label is the location.
    place = forms.TypedChoiceField(
        label=_("sticker place"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.HiddenInput,
        choices=NO_CHOICE,
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[(k.value, k.label) for k in OUTCOME_KEYS],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=_("how it was resolved"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    promised_at = LocalDateTimeField(label=_("promised resolution time"), required=False)
    appointment_at = LocalDateTimeField(label=_("appointment for a home visit"), required=False)
    promise_reason = forms.CharField(
        label=_("why it cannot be done now"), required=False, max_length=1000
    )
    owner_agitated = forms.BooleanField(
        label=_("owner agitated, moved to a quiet room"), required=False
    )
    letter = forms.FileField(
        label=_("scanned letter"),
        required=False,
        widget=forms.ClearableFileInput(attrs=upload_limit_attrs_when_drawn()),
    )
    no_written_material = forms.BooleanField(
        label=_("the owner left no written material"), required=False
    )

    def __init__(
        self,
        *args: Any,
        community: Community,
        items: list[Any],
        places: Sequence[Any] = (),
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        _zoned_fields(self, ("promised_at", "appointment_at"), community.time_zone)
        self.set_choices(items, places)

    def set_choices(self, items: list[Any], places: Sequence[Any]) -> None:
        """The service items and sticker places to choose from (a submit is checked against
        the ones it names, a page offers them all). The class's field, whose one choice is
        "—", serves a form that offers nothing more (a submit naming no item or place, the
        usual one); a form that offers more gets its own copy, as Django copies every field,
        the first time it does: the class's field is never changed."""
        for name, choices in (
            ("place", [(p.pk, p.name) for p in places]),
            ("service_item", [(i.pk, f"{i.code} {i.name}") for i in items]),
        ):
            field: Any = self.fields[name]
            if field is self.base_fields[name]:
                if not choices:
                    continue  # the class's "—" alone, as set below
                field = self.fields[name] = copy.deepcopy(field)
                # Drawn from its own copy from now (a BoundField keeps the field it was made with).
                self._bound_fields_cache.pop(name, None)  # type: ignore[attr-defined]
            field.choices = [*NO_CHOICE, *choices]
            if name == "service_item":
                field.widget.kinds = {str(i.pk): getattr(i, "kind", "") for i in items}


def limit_shown_not_cut(form_class: type[forms.Form]) -> None:
    """A field's length limit is drawn as ``data-maxlength`` (a counter beside it, console.js),
    not as ``maxlength``, with which the browser silently cuts what is pasted; the server's
    check refuses a longer text with the limit in words and keeps everything typed."""
    for field in form_class.base_fields.values():
        attrs = field.widget.attrs
        if "maxlength" in attrs:
            attrs["data-maxlength"] = attrs.pop("maxlength")


limit_shown_not_cut(IntakeForm)


@plain_form(
    {
        "staff_member": _("Choose the staff member the owner complained about."),
        "account": _("Write down the staff member's account of what happened."),
    }
)
class AttitudeAccountForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    staff_member = forms.TypedChoiceField(label=_("staff member"), coerce=int)
    account = forms.CharField(
        label=_("the staff member's account"), widget=forms.Textarea(attrs={"rows": 3})
    )


@plain_form({"version": _("Reload the page and try again.")})
class AppointmentForm(forms.Form):
    """改约 on the order page (issue 16): the new agreed time, empty to withdraw it."""

    version = forms.IntegerField(min_value=1)
    appointment_at = LocalDateTimeField(label=_("appointment for a home visit"), required=False)
    note = forms.CharField(label=_("why"), required=False, max_length=500)

    def __init__(self, *args: Any, community: Community, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _local_fields(self, community)


@plain_form(
    {
        "measures": _("Write down what the staff member must change."),
        "penalty": _("Write down the penalty (or 'none' and why)."),
        "deadline": _("Give the deadline of the rectification."),
    }
)
class RectificationForm(forms.Form):
    measures = forms.CharField(
        label=_("rectification measures"), widget=forms.Textarea(attrs={"rows": 2})
    )
    penalty = forms.CharField(label=_("penalty"), max_length=200)
    deadline = LocalDateTimeField(label=_("deadline"))

    def __init__(self, *args: Any, community: Community, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _local_fields(self, community)
