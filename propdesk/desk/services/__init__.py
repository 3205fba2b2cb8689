"""Writes to contacts and work orders. The one door for every change: views, API, commands,
the demo seed and the simulator all call these functions, and each change writes an event."""

from propdesk.desk.services.complaints import (
    attitude_account_record,
    rectification_done,
    rectification_set,
)
from propdesk.desk.services.contacts import ContactInput, contact_log, contact_promise_keep
from propdesk.desk.services.orders import (
    FLAGS,
    WorkOrderDraft,
    work_order_attach,
    work_order_create,
    work_order_transition,
)

__all__ = [
    "FLAGS",
    "ContactInput",
    "WorkOrderDraft",
    "attitude_account_record",
    "contact_log",
    "contact_promise_keep",
    "rectification_done",
    "rectification_set",
    "work_order_attach",
    "work_order_create",
    "work_order_transition",
]
