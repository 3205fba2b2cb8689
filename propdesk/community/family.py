"""Family members on a household's register, added and removed by the household's owner from the
resident portal (the office does the same in the back office). An owner is a resident of the
household with relation OWNER whose phone is the signed-in resident's."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from propdesk.community.models import Household, Relation, Resident
from propdesk.community.services import household_hold
from propdesk.policy.phones import InvalidPhone, parse_phone


class FamilyRefused(Exception):
    """Refused input, with ``errors`` (field → message for the resident)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def households_owned(phone: str) -> list[Household]:
    """The households whose register names ``phone`` as the owner (those whose family it keeps)."""
    if not phone:
        return []
    return list(
        Household.objects.filter(residents__phone=phone, residents__relation=Relation.OWNER)
        .select_related("community")
        .distinct()
        .order_by("community_id", "code")
    )


def access_owned_household(phone: str, household_id: int | str) -> Household:
    """The household ``household_id`` if ``phone`` is its owner; else 404 (never "forbidden")."""
    for household in households_owned(phone):
        if str(household.pk) == str(household_id):
            return household
    raise Http404


@transaction.atomic
def family_member_add(*, owner_phone: str, household: Household, name: str, phone: str) -> Resident:
    """Add a family member (name, mobile or landline as typed) to ``household``, which
    ``owner_phone`` owns (access_owned_household). Raises FamilyRefused, changing nothing.
    At most ``PORTAL_FAMILY_MEMBERS`` family members a household from here (a script in an
    owner's session would add them by the thousand, each a number that may sign in and read
    the household's orders); more are the office's to add, in the back office."""
    errors: dict[str, str] = {}
    household_hold(household)  # counted and written one request at a time
    limit = settings.PORTAL_FAMILY_MEMBERS
    if Resident.objects.filter(household=household, relation=Relation.FAMILY).count() >= limit:
        errors["household"] = _(
            "A household may have at most %(limit)s family members added here: for more, ask "
            "the management office."
        ) % {"limit": limit}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Write the family member's name.")
    elif "\x00" in name:  # PostgreSQL refuses it in text: a 400, not a 500
        errors["name"] = _("Null characters are not allowed.")
    elif len(name) > Resident._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = _("The name is too long.")
    number = ""
    try:
        number = parse_phone(phone, area_code=household.community.area_code).number
    except InvalidPhone:
        # A family member signs in by SMS: the advice names a mobile, never a landline.
        errors["phone"] = _(
            "The phone number is not valid: %(text)s. Codes are sent by SMS: write a mobile "
            "number (e.g. 13812345678)."
        ) % {"text": (phone or "").strip()[:30]}
    if number and Resident.objects.filter(household=household, phone=number).exists():
        errors["phone"] = _("This phone number is already on the household's register.")
    if errors:
        raise FamilyRefused(errors)
    access_owned_household(owner_phone, household.pk)
    resident = Resident(household=household, name=name, relation=Relation.FAMILY, phone=number)
    resident.full_clean()
    resident.save()
    return resident


def access_family_member(owner_phone: str, resident_id: int | str) -> Resident:
    """A family member of a household ``owner_phone`` owns; else 404."""
    owned = [h.pk for h in households_owned(owner_phone)]
    resident = Resident.objects.filter(
        pk=resident_id, household_id__in=owned, relation=Relation.FAMILY
    ).first()
    if resident is None:
        raise Http404
    return resident


@transaction.atomic
def family_member_remove(*, owner_phone: str, resident_id: int | str) -> None:
    """Take a family member off the register of a household ``owner_phone`` owns (404 else)."""
    access_family_member(owner_phone, resident_id).delete()
