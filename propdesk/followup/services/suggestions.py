"""The suggestions register: every opinion, criticism and suggestion is its own item (RV-4),
studied and answered in writing to the owner (RV-5)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.community.models import Community, Household, User
from propdesk.core.errors import Conflict
from propdesk.desk.models import ReplyChannel, WorkOrder
from propdesk.followup.models import ItemKind, ItemState, SuggestionItem
from propdesk.followup.services._common import VISIT_ROLES, require_role


@transaction.atomic
def suggestion_create(
    *,
    community: Community,
    by: User,
    now: datetime,
    kind: str,
    text: str,
    household: Household | None = None,
    order: WorkOrder | None = None,
    area: str = "",
    is_activity_wish: bool = False,
) -> SuggestionItem:
    """Record an owner's opinion, criticism or suggestion heard outside a return visit (at the
    desk, on an order); ``is_activity_wish`` tags it 活动 (a wish for a community activity,
    CS-3). Raises Forbidden or ValidationError; nothing is written then."""
    require_role(by, community.pk, VISIT_ROLES)
    errors: dict[str, list[str]] = {}
    if kind not in ItemKind.values:
        errors["kind"] = [_("Choose opinion, criticism or suggestion.")]
    if not (text or "").strip():
        errors["text"] = [_("Write what the owner said.")]
    if household is not None and household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    if order is not None and order.community_id != community.pk:
        errors["order"] = [_("This work order is not in the community.")]
    if household is None and order is not None:
        household = order.household
    if household is None and not area.strip():
        errors["area"] = [_("Give the household or the area.")]
    if errors:
        raise ValidationError(errors)
    item = SuggestionItem(
        community=community,
        kind=kind,
        text=text.strip(),
        household=household,
        building_id=household.unit.building_id if household is not None else None,
        area=area.strip()[:50],
        order=order,
        is_activity_wish=is_activity_wish,
        created_by=by,
        created_at=now,
    )
    item.save(force_insert=True)
    return item


@transaction.atomic
def suggestion_tag_activity(*, item_id: int, by: User, tagged: bool) -> SuggestionItem:
    """Tag an item 活动 (a wish for a community activity, CS-3) or take the tag off. The
    caller has scoped ``item_id`` to the user's community (access_suggestion)."""
    item = SuggestionItem.objects.select_for_update().get(pk=item_id)
    require_role(by, item.community_id, VISIT_ROLES)
    if item.is_activity_wish != tagged:
        item.is_activity_wish = tagged
        item.save(update_fields=["is_activity_wish"])
    return item


@transaction.atomic
def suggestion_reply(
    *, item_id: int, by: User, now: datetime, reply: str, channel: str
) -> SuggestionItem:
    """Answer an item in writing to the owner (RV-5): the reply text, how it reached the owner
    (desk.ReplyChannel), who and when. Conflict (``already_replied``) if it was answered."""
    item = SuggestionItem.objects.select_for_update().get(pk=item_id)
    require_role(by, item.community_id, VISIT_ROLES)
    if item.state == ItemState.REPLIED:
        raise Conflict(_("This item has already been answered."), code="already_replied")
    errors: dict[str, list[str]] = {}
    if not (reply or "").strip():
        errors["reply"] = [_("Write the reply to the owner.")]
    if channel not in ReplyChannel.values:
        errors["channel"] = [_("Choose how the owner was told.")]
    if errors:
        raise ValidationError(errors)
    item.state = ItemState.REPLIED
    item.reply, item.reply_channel = reply.strip(), channel
    item.replied_by, item.replied_at = by, now
    item.save(update_fields=["state", "reply", "reply_channel", "replied_by", "replied_at"])
    return item
