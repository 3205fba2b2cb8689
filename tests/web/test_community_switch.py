"""The community's name in the top bar opens the user's other communities: company leadership,
whose first page covers them all, and a staff member with a role in several, reach another
community's same screen in one click. For one community it is just the name."""

from __future__ import annotations

import re

from django.urls import reverse

from tests import factories as f
from tests.web.conftest import browser_for


def switch_links(html: str) -> dict[str, str]:
    menu = re.search(
        r'<details class="user-menu community-menu" id="community-menu">(.*?)</details>', html, re.S
    )
    if menu is None:
        return {}
    return {name: url for url, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu.group(1))}


def test_leadership_switches_to_another_communitys_same_screen(office, other_office) -> None:
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    page = browser_for(boss)
    html = page.get(reverse("desk-board", args=[office.community.pk])).content.decode()
    links = switch_links(html)
    assert links == {
        other_office.community.name: reverse("desk-board", args=[other_office.community.pk])
    }
    # From the communities side by side (no community of its own), every other one but the
    # one the bar names.
    html = page.get(reverse("desk-report-compare")).content.decode()
    (_name, url), *_ = switch_links(html).items()
    assert url.startswith("/desk/") and url != reverse("desk-report-compare")
    assert page.get(url).status_code == 200


def test_a_staff_member_of_two_communities_switches_and_of_one_does_not(
    office, other_office
) -> None:
    both = f.UserFactory(
        username="roving",
        roles=[(office.community, "receptionist"), (other_office.community, "administrator")],
    )
    html = browser_for(both).get(reverse("desk-intake", args=[office.community.pk])).content
    assert switch_links(html.decode()) == {
        other_office.community.name: reverse("desk-intake", args=[other_office.community.pk])
    }
    html = browser_for(both).get(reverse("desk-queue", args=[other_office.community.pk])).content
    # 我的待办 is every staff role's screen: the same one in the other community.
    assert switch_links(html.decode()) == {
        office.community.name: reverse("desk-queue", args=[office.community.pk])
    }
    html = browser_for(office.receptionist).get(reverse("desk-intake", args=[office.community.pk]))
    assert 'id="community-menu"' not in html.content.decode()
    assert f'<span class="community">{office.community.name}</span>' in html.content.decode()
