"""The order's action bar: what the user may do now, the usual next step first, cancel last, each
with only the fields the workflow table declares for it (policy.workflow.ACTIONS).

The console form of an action is built from the same declaration as the API's serializer and the
service's check, so the three accept exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.desk.models import OrderKind, ReplyChannel, WorkOrder
from propdesk.desk.services import situation
from propdesk.policy.workflow import ACTIONS, Action, Field, actions_for
from propdesk.web.forms import MoneyField, plain_messages

ACTION_LABELS = {
    "take": _("Take it"),  # 受理
    "claim": _("Take from the pool"),  # 抢单
    "accept": _("Accept"),  # 接单
    "check_in": _("Check in on site"),  # 签到
    "reply": _("Answer the owner"),  # 答复
    "resolve": _("Complete"),  # 完工 (办结 for a complaint)
    "follow_up": _("Record the follow-up"),
    "close": _("Close"),
    "dispatch": _("Dispatch"),  # 派单
    "assign": _("Dispatch to a member"),  # 派单
    "transfer": _("Transfer"),  # 转单
    "contact_owner": _("Record the weekly progress call"),
    "wait": _("Wait"),  # 等待 (业主不在家, 待业主确认, 待料)
    "end_wait": _("End the wait"),
    "flag": _("Change the marks"),
    "mark_urgent": _("Mark as an urgent repair"),  # 标为急修
    "unmark_urgent": _("Not an urgent repair"),  # 取消急修
    "return": _("Give back"),  # 退单
    "reopen": _("Reopen"),
    "cancel": _("Cancel the order"),
}
# What the note is called on each action: a reason, a result, or what was said.
NOTE_LABELS = {
    "reply": _("what the owner was told"),
    "resolve": _("what was done"),
    "follow_up": _("what the owner said"),
    "contact_owner": _("what was said on the weekly call"),  # 跟进内容 (not an 答复)
    "transfer": _("why"),
    "return": _("why"),
    "reopen": _("why"),
    "wait": _("why"),
    "cancel": _("why"),
    "mark_urgent": _("why"),
    "unmark_urgent": _("why"),
}


def action_label(name: str, kind: str) -> str:
    if name == "resolve" and kind == OrderKind.COMPLAINT:
        return str(_("Handle to the end"))  # 办结
    return str(ACTION_LABELS[name])


# Actions that give the order to someone: what was done says to whom.
HANDED_ON = frozenset({"dispatch", "assign", "transfer", "return"})


def done_message(name: str, order: WorkOrder) -> str:
    """What a person reads after an action went through: which action, on which order, and to
    whom when it gave the order to someone ("已派单给 王师傅：GD-…。"), never a bare "saved"
    (on a phone, between orders, the number is what tells them it was the right one). ``order``
    as it is after the action. 抢单 is taken by the one who reads it: no one to name."""
    action = action_label(name, order.kind)
    if name in HANDED_ON:
        holder = order.assignee or order.team
        if holder is not None:
            return str(_("%(action)s to %(who)s done: %(number)s.")) % {
                "action": action,
                "number": order.number,
                "who": holder.name,
            }
    return str(_("%(action)s done: %(number)s.")) % {"action": action, "number": order.number}


@dataclass
class BarItem:
    name: str
    label: str
    spec: Action
    fields: tuple[Field, ...]
    # A warning asked before the action is taken; an action with one is never the main one.
    caution: str = ""

    @property
    def one_tap(self) -> bool:
        """Nothing to fill in: one tap takes it (an optional note is left out)."""
        return all(f.name == "note" and not f.required for f in self.fields)

    @property
    def note_label(self) -> str:
        return str(NOTE_LABELS.get(self.name, _("note")))

    @property
    def confirm(self) -> bool:
        return self.spec.confirm


# An emergency's order (RULES.md EM-1..3) is not a complaint's: it has no owner to answer (答复),
# no 跟踪回访 (CP-2), no weekly call (CP-7), no marks that start a complaint's clocks, and no
# 接单/办结 of its own (收到, 已到场 and 处置完毕 are on the emergency's page, the incident report
# after it). Its bar hands it to another office head (派单, 转单) and closes it once handled.
EMERGENCY_ACTIONS = frozenset({"dispatch", "transfer", "close"})


def action_bar(user: Any, order: WorkOrder) -> list[BarItem]:
    """The actions ``user`` may take on ``order`` now, the usual next step first, cancel last.
    The office's 派单 covers giving the order to a member, so 'assign' is not offered beside it;
    跟踪回访 (follow_up) only on a complaint; once the owner has been answered, 办结 comes before
    another reply."""
    names = actions_for(situation(order, user))
    if order.is_emergency:
        names = [n for n in names if n in EMERGENCY_ACTIONS]
    if "dispatch" in names and "assign" in names:
        names.remove("assign")
    if "follow_up" in names and order.kind != OrderKind.COMPLAINT:
        # 跟踪回访 is a complaint's (CP-2); a repair's or a service's is its 回访 (登记回访 on the
        # page), which the bar would otherwise offer twice under two names.
        names.remove("follow_up")
    answered = any(e.action == "reply" for e in order.events.all())
    if "resolve" in names and "reply" in names and order.kind == OrderKind.COMPLAINT and answered:
        names.remove("resolve")
        names.insert(names.index("reply"), "resolve")
    return [
        BarItem(n, action_label(n, order.kind), ACTIONS[n], ACTIONS[n].fields_for(order.kind))
        for n in names
    ]


def hold_back_close(items: list[BarItem], warning: str) -> list[BarItem]:
    """The owner is dissatisfied and no visit has found them satisfied since: 关闭 stays allowed
    (the workflow's rule) but is no longer the main action. It moves behind the others (before a
    cancel) and asks ``warning`` first."""
    close = next((i for i in items if i.name == "close"), None)
    if close is None:
        return items
    rest = [i for i in items if i is not close]
    close.caution = warning
    at = next((n for n, i in enumerate(rest) if i.confirm), len(rest))
    return [*rest[:at], close, *rest[at:]]


def _form_field(f: Field) -> forms.Field:
    if f.name == "note":
        return forms.CharField(required=f.required, max_length=4000)
    if f.name == "channel":
        return forms.ChoiceField(choices=[("", ""), *ReplyChannel.choices], required=False)
    if f.name in ("team", "assignee"):
        return forms.IntegerField(required=f.required)
    if f.name == "materials":
        return forms.CharField(required=False, max_length=200)
    if f.name == "fee":
        return MoneyField(required=False)
    if f.name == "waiting":
        return forms.CharField(required=f.required, max_length=20)
    raise ValueError(f.name)


# What each field's error says, in words that say what to type.
FIELD_HINTS = {
    "team": _("Choose the team."),
    "assignee": _("Choose who takes it."),
    "channel": _("Choose how the owner was told."),
    "waiting": _("Choose what the work order waits for."),
}
FIELD_LABELS = {
    "note": _("note"),
    "channel": _("how the owner was told"),
    "team": _("team"),
    "assignee": _("who takes it"),
    "materials": _("materials used"),
    "fee": _("fee (yuan)"),
    "waiting": _("waiting for"),
}


FLAG_NAMES = ("is_important", "is_long_running", "is_construction_legacy")


def action_form(name: str, data: Any) -> forms.Form:
    """The console form of one action, built from its declaration."""
    spec = ACTIONS[name]
    attrs: dict[str, Any] = {"version": forms.IntegerField(min_value=1)}
    for f in {f.name: f for f in spec.fields}.values():
        if f.name == "flags":
            for flag in FLAG_NAMES:
                attrs[flag] = forms.BooleanField(required=False)
        else:
            attrs[f.name] = _form_field(f)
    form_class: type[forms.Form] = type(f"{name.title()}Form", (forms.Form,), attrs)
    form = form_class(data)
    for key, field in form.fields.items():
        field.label = FIELD_LABELS.get(key, field.label)
    if "note" in form.fields:
        form.fields["note"].label = NOTE_LABELS.get(name, _("note"))
    hints: dict[str, Any] = dict(FIELD_HINTS)
    hints["note"] = _("Write down %(what)s.") % {
        "what": form.fields.get("note", forms.Field()).label
    }
    hints["version"] = _("Reload the page and try again.")
    plain_messages(form.fields, hints)
    return form
