"""What the register commands share: finding the community and the acting user."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from propdesk.community.models import Community, User


def add_common_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--community", required=True, help="the community's code (e.g. jxhy) or numeric id"
    )
    parser.add_argument(
        "--user",
        required=True,
        help="username of the staff member acting; their roles decide what is allowed",
    )


def acting_user(username: str) -> User:
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(f"没有这个在职用户：{username}") from exc


def community_for(text: str, user: User) -> Community:
    """The community by id, or by code (unique within a company: the user's company first)."""
    candidates = Community.objects.filter(pk=int(text)) if text.isdigit() else None
    if not candidates:
        candidates = Community.objects.filter(code=text)
        if user.company_id and len(candidates) > 1:
            candidates = candidates.filter(company_id=user.company_id)
    found = list(candidates[:2])
    if not found:
        raise CommandError(f"找不到小区：{text}")
    if len(found) > 1:
        raise CommandError(f"多个公司都有小区代码 {text}，请改用小区 id")
    return found[0]
