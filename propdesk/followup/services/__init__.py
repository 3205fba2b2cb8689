"""Writes of the follow-up loop. The one door for every change: views, API, commands and the
demo seed call these functions; each rule event meets or starts its clock in the same
transaction (clocks.services.clocks_on_event)."""

from propdesk.followup.services._common import monthly_quota_ensure
from propdesk.followup.services.issues import (
    common_issue_drop,
    common_issue_open,
    home_visit_assign,
    home_visit_done,
    home_visit_drop,
    notice_post,
    notice_write,
)
from propdesk.followup.services.suggestions import (
    suggestion_create,
    suggestion_reply,
    suggestion_tag_activity,
)
from propdesk.followup.services.visits import (
    ItemDraft,
    RatingDraft,
    VisitDraft,
    owner_phone,
    return_visit_by_owner,
    return_visit_record,
    visit_is_the_heads,
    visit_kind_for,
)

__all__ = [
    "ItemDraft",
    "RatingDraft",
    "VisitDraft",
    "common_issue_drop",
    "common_issue_open",
    "home_visit_assign",
    "home_visit_done",
    "home_visit_drop",
    "monthly_quota_ensure",
    "notice_post",
    "notice_write",
    "owner_phone",
    "return_visit_by_owner",
    "return_visit_record",
    "suggestion_create",
    "suggestion_reply",
    "suggestion_tag_activity",
    "visit_is_the_heads",
    "visit_kind_for",
]
