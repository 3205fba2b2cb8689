"""Writes to contacts and work orders. The one door for every change: views, API, commands,
the demo seed and the simulator all call these functions, and each change writes an event."""

from propdesk.desk.services._common import order_event_write
from propdesk.desk.services.appointments import appointment_errors, work_order_appoint
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
from propdesk.desk.services.residents import (
    RESIDENT_KINDS,
    ResidentReport,
    TooManyReports,
    UrgeTooSoon,
    resident_report,
    resident_report_errors,
    urge_again_at,
    work_order_urge,
)
from propdesk.desk.services.transitions import (
    FLAGS,
    ActionInput,
    situation,
    waiting_title,
    work_order_reopen_by_owner,
    work_order_transition,
)

__all__ = [
    "FLAGS",
    "RESIDENT_KINDS",
    "ActionInput",
    "ContactInput",
    "ResidentReport",
    "TooManyReports",
    "UrgeTooSoon",
    "WorkOrderDraft",
    "appointment_errors",
    "attitude_account_record",
    "contact_errors",
    "contact_log",
    "contact_promise_keep",
    "order_event_write",
    "rectification_done",
    "rectification_set",
    "resident_report",
    "resident_report_errors",
    "situation",
    "urge_again_at",
    "waiting_title",
    "work_order_appoint",
    "work_order_attach",
    "work_order_create",
    "work_order_reopen_by_owner",
    "work_order_transition",
    "work_order_urge",
]
