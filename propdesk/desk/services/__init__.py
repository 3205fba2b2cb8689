"""Writes to contacts and work orders. The one door for every change: views, API, commands,
the demo seed and the simulator all call these functions, and each change writes an event."""

from propdesk.desk.services._common import order_event_write
from propdesk.desk.services.complaints import (
    attitude_account_record,
    rectification_done,
    rectification_set,
)
from propdesk.desk.services.contacts import (
    ContactInput,
    contact_errors,
    contact_log,
    contact_promise_keep,
)
from propdesk.desk.services.orders import WorkOrderDraft, work_order_attach, work_order_create
from propdesk.desk.services.transitions import (
    FLAGS,
    ActionInput,
    situation,
    work_order_reopen_by_owner,
    work_order_transition,
)

__all__ = [
    "FLAGS",
    "ActionInput",
    "ContactInput",
    "WorkOrderDraft",
    "attitude_account_record",
    "contact_errors",
    "contact_log",
    "contact_promise_keep",
    "order_event_write",
    "rectification_done",
    "rectification_set",
    "situation",
    "work_order_attach",
    "work_order_create",
    "work_order_reopen_by_owner",
    "work_order_transition",
]
