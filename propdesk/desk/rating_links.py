"""The one-tap rating link of the 完工 SMS: it opens the order's rating page before sign-in.

Why a signed token (django.core.signing) and not a stored one: nothing to store or clean up, and
the SMS is the only place it lives. What it binds:

- the order's id (a link opens that order's page only; under another order's address it fails);
- the number the SMS went to, as a keyed digest (salted_hmac), never in clear: a forwarded or
  logged link shows no phone number. When the link is used, that number must still be on the
  order's household register (a resident removed since cannot rate);
- an expiry, ``satisfaction.rating_link_days`` (policy, default 7) after it was made, checked
  against the injected clock (TimestampSigner's max_age reads the system time, which the tests
  and the simulator cannot move). One rating per order is kept by the service, so a link that
  leaks can at most give the one rating the owner has not given yet, and only for a week.

The link grants that one page and its form, not a portal session.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from propdesk.clocks.services import policy_for
from propdesk.community.models import Resident
from propdesk.desk.models import WorkOrder

SALT = "propdesk.portal.rate"
PHONE_SALT = "propdesk.portal.rate.phone"


def _phone_digest(phone: str) -> str:
    return salted_hmac(PHONE_SALT, phone, algorithm="sha256").hexdigest()[:20]


def rating_token(order: WorkOrder, phone: str, now: datetime) -> str:
    """A token for ``order``'s rating page, for the household's ``phone``, made at ``now``
    (aware): it works until now + the policy's ``satisfaction.rating_link_days``."""
    days = policy_for(order.community)[0].satisfaction.rating_link_days
    expires = int((now + timedelta(days=days)).timestamp())
    return signing.dumps({"o": order.pk, "p": _phone_digest(phone), "e": expires}, salt=SALT)


def rating_link(order: WorkOrder, phone: str, now: datetime) -> str:
    """The path of the one-tap rating link (the 完工 SMS puts the site's address before it)."""
    path = reverse("portal:order-rate", args=[order.pk])
    return f"{path}?t={rating_token(order, phone, now)}"


def rating_token_phone(order: WorkOrder, token: str, now: datetime) -> str:
    """The household's number ``token`` was made for, if it is a good token for ``order`` at
    ``now`` and the number is still on the order's household register; "" otherwise (tampered,
    expired, another order's, or the number no longer registered). It expires at its moment:
    valid one second before, not at it."""
    try:
        payload: Any = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return ""
    if not isinstance(payload, dict) or payload.get("o") != order.pk:
        return ""
    expires = payload.get("e")
    if not isinstance(expires, int) or now.timestamp() >= expires:
        return ""
    digest = str(payload.get("p", ""))
    phones = Resident.objects.filter(household_id=order.household_id or 0).exclude(phone="")
    for phone in phones.values_list("phone", flat=True):
        if constant_time_compare(_phone_digest(phone), digest):
            return phone
    return ""
