"""The places where QR stickers go, and the signed codes printed on them.

A sticker's code is ``<place id>.<signature>``: the signature is an HMAC of the place's id
(Django's ``salted_hmac`` with SECRET_KEY, SHA-256, the first 72 bits, base64url: 12 characters),
so a sticker URL (``/q/17.kR3x0aZ_9QmP/``) stays short enough for a small, easily scanned QR code
and cannot be forged for another place. Revoking: clearing a place's ``active`` flag makes every
sticker of it answer "revoked"; changing SECRET_KEY revokes every sticker of the installation.

Reads are scoped like every other (propdesk.community.access): another community's place is "not
found", whether hidden or missing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from propdesk.community.access import community_ids_visible, scope
from propdesk.community.models import Place, User
from propdesk.core.errors import NotFound

SALT = "propdesk.community.places.sticker"
SIGNATURE_BYTES = 9  # 72 bits: 12 base64url characters


class StickerInvalid(Exception):
    """The code was not made by this installation (mistyped, tampered with, or for a place that
    no longer exists)."""


class StickerRevoked(Exception):
    """The code is genuine but its place is no longer active: the office revoked its stickers."""

    def __init__(self, place: Place) -> None:
        super().__init__(f"place {place.pk} is inactive")
        self.place = place


def _signature(place_id: int) -> str:
    digest = salted_hmac(SALT, str(place_id), algorithm="sha256").digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def sticker_code(place: Place) -> str:
    """The signed code of ``place``'s stickers (the same for every sticker of the place)."""
    return f"{place.pk}.{_signature(place.pk)}"


def sticker_place(code: str) -> Place:
    """The place a sticker's code names, with its community and building.

    Raises StickerInvalid for a code this installation did not sign (or whose place is gone),
    StickerRevoked for an inactive place. Nothing about access: the scanner's access is the
    caller's to check (staff through propdesk.community.access, residents through their
    households)."""
    head, sep, signature = (code or "").partition(".")
    if not sep or not (head.isascii() and head.isdigit()) or len(head) > 18:
        raise StickerInvalid(code)
    place_id = int(head)
    if not constant_time_compare(signature, _signature(place_id)):
        raise StickerInvalid(code)
    place = (
        Place.objects.select_related("community__company", "building").filter(pk=place_id).first()
    )
    if place is None:
        raise StickerInvalid(code)
    if not place.active:
        raise StickerRevoked(place)
    return place


def places_visible(user: User) -> QuerySet[Place]:
    """The places of the communities ``user`` may see, in building and label order."""
    qs = Place.objects.select_related("community", "building").order_by(
        "building__number", "name", "id"
    )
    return scope(qs, user)


def access_place(user: User, place_id: int | str) -> Place:
    """One place ``user`` may see; NotFound otherwise (hidden or missing alike)."""
    try:
        return places_visible(user).get(pk=int(place_id))
    except (Place.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Place not found") from exc


def staff_sees_place(user: User, place: Place) -> bool:
    """Whether the signed-in staff member ``user`` works in (or oversees) the place's community."""
    ids = community_ids_visible(user)
    return ids is None or place.community_id in ids


def places_for_stickers(
    user: User,
    community_id: int,
    *,
    place_ids: Iterable[int] = (),
    building_id: int | None = None,
) -> list[Place]:
    """The active places of one community whose stickers are printed: those of ``place_ids``,
    or else of ``building_id``, or else every active place; inactive places are never printed.
    Scoped to ``user`` (another community's places are simply not there)."""
    qs = places_visible(user).filter(community_id=community_id, active=True)
    ids = list(place_ids)
    if ids:
        qs = qs.filter(pk__in=ids)
    elif building_id is not None:
        qs = qs.filter(building_id=building_id)
    return list(qs)


def resident_place(community_ids: Iterable[int], place_id: int | str | None) -> Place | None:
    """The active place ``place_id`` if it is in one of ``community_ids`` (a resident's
    households' communities), else None: what the portal's report accepts from ``?place=``."""
    try:
        pid = int(place_id or 0)
    except (TypeError, ValueError):
        return None
    if pid <= 0 or pid > 2**62:
        return None
    return Place.objects.filter(pk=pid, active=True, community_id__in=list(community_ids)).first()
