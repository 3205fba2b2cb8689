"""RV-7 common issues and notices, RV-8 home visits, on the injected clock."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.clocks.models import Clock
from propdesk.core.errors import Conflict, Forbidden
from propdesk.followup.models import CommonIssue, HomeVisit, SuggestionItem
from propdesk.followup.pdf import notice_pdf
from propdesk.followup.selectors import common_issue_figures, common_issue_proposals
from propdesk.followup.services import (
    common_issue_drop,
    common_issue_open,
    home_visit_assign,
    home_visit_done,
    notice_post,
    notice_write,
    suggestion_create,
)
from propdesk.notify.models import Notification
from propdesk.policy.deadlines import GIVEN_DEADLINE_HORIZON
from tests.followup.conftest import sh
from tests.images import PNG

T0 = sh(2026, 11, 26, 10, 0)
LIFT = [
    "电梯经常停运",
    "电梯又坏了停运",
    "电梯老是停运！",
    "电梯故障停运，希望尽快修好",
    "3栋电梯停运好几次了",
]


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("board.png", PNG, content_type="image/png")


def _items(loop, office, texts, building="3"):
    out = []
    start = SuggestionItem.objects.count()
    for i, text in enumerate(texts):
        h = loop.household(f"{building}-1-{200 + start + i}", building=building)
        out.append(
            suggestion_create(
                community=office.community,
                by=office.receptionist,
                now=loop.clock.now(),
                kind="opinion",
                text=text,
                household=h,
            )
        )
    return out


def _issue(loop, office, items):
    return common_issue_open(
        community=office.community,
        by=office.administrator,
        now=loop.clock.now(),
        title="3栋电梯频繁停运",
        item_ids=[i.pk for i in items],
    )


def test_rv7_proposes_five_households_of_building_3_on_the_lift(loop, office):
    loop.at(T0)
    lift = _items(loop, office, LIFT)
    _items(loop, office, ["楼道灯不亮了", "垃圾桶太少", "水压太低"], building="9")
    [proposal] = common_issue_proposals(office.community, T0)
    assert set(proposal.item_ids) == {i.pk for i in lift}
    assert proposal.households == 5
    assert proposal.building_id == lift[0].building_id


def test_rv7_proposals_only_within_the_window_and_not_yet_grouped(loop, office):
    loop.at(T0 - timedelta(days=31))
    _items(loop, office, LIFT[:1])
    loop.at(T0)
    items = _items(loop, office, LIFT[1:], building="3")
    assert common_issue_proposals(office.community, T0) == []  # 4 within 30 days
    _items(loop, office, ["电梯停运太频繁"], building="3")
    assert len(common_issue_proposals(office.community, T0)) == 1
    _issue(loop, office, items)
    assert common_issue_proposals(office.community, T0) == []


def test_rv7_the_30_day_window_includes_its_first_second_and_not_the_one_before(loop, office):
    """RV-7: "5 or more households within 30 days": a household heard exactly 30 days before
    still counts towards the five; one second earlier it does not."""
    loop.at(T0 - timedelta(days=30, seconds=1))
    _items(loop, office, LIFT[:1])
    loop.at(T0)
    _items(loop, office, LIFT[1:])
    assert common_issue_proposals(office.community, T0) == []
    loop.at(T0 - timedelta(days=30))
    _items(loop, office, ["电梯经常停运"])
    [proposal] = common_issue_proposals(office.community, T0)
    assert proposal.households == 5


def test_rv7_notice_posted_on_day_7_meets_the_clock(loop, office):
    loop.at(T0)
    issue = _issue(loop, office, _items(loop, office, LIFT))
    clock = Clock.objects.get(rule_id="RV-7", subject=issue.clock_subject)
    assert clock.due_at == T0 + timedelta(days=7)
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=T0 + timedelta(days=2),
        title="关于3栋电梯维修的通知",
        body="尊敬的业主：\n3栋电梯将于本周六进行全面检修。",
        common_issue=issue,
    )
    pdf = notice_pdf(notice)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    notice_post(notice_id=notice.pk, by=office.administrator, now=clock.due_at, photo=photo())
    clock.refresh_from_db()
    issue.refresh_from_db()
    assert (clock.state, issue.state) == ("met", "notice_posted")
    fig = common_issue_figures(office.community, 2026, 11)
    assert (fig.opened, fig.posted_in_time, fig.in_time_rate) == (1, 1, 100)
    with pytest.raises(Conflict):
        notice_post(notice_id=notice.pk, by=office.administrator, now=clock.due_at, photo=photo())


def test_rv7_without_notice_breaches_after_7_days(loop, office):
    loop.at(T0)
    issue = _issue(loop, office, _items(loop, office, LIFT))
    loop.sweep(T0 + timedelta(days=7, seconds=1))
    clock = Clock.objects.get(rule_id="RV-7", subject=issue.clock_subject)
    assert clock.state == "breached"
    assert Notification.objects.filter(cause=f"clock:{clock.pk}:L1", recipient=office.head).exists()


def test_rv7_dropping_cancels_only_that_issue(loop, office):
    loop.at(T0)
    items = _items(loop, office, LIFT)
    first = _issue(loop, office, items[:2])
    second = _issue(loop, office, items[2:])
    common_issue_drop(issue_id=first.pk, by=office.head, now=T0, reason="同一问题，已合并")
    states = dict(Clock.objects.filter(rule_id="RV-7").values_list("subject", "state"))
    assert states == {first.clock_subject: "cancelled", second.clock_subject: "running"}


def test_rv7_a_notice_needs_a_photo_and_the_office(loop, office):
    loop.at(T0)
    issue = _issue(loop, office, _items(loop, office, LIFT))
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=T0,
        title="通知",
        body="内容",
        common_issue=issue,
    )
    with pytest.raises(ValidationError):
        notice_post(
            notice_id=notice.pk,
            by=office.administrator,
            now=T0,
            photo=SimpleUploadedFile("x.txt", b"hello"),
        )
    with pytest.raises(Forbidden):
        notice_post(notice_id=notice.pk, by=office.receptionist, now=T0, photo=photo())
    notice.refresh_from_db()
    assert notice.posted_at is None
    assert Clock.objects.get(rule_id="RV-7").state == "running"


def test_rv7_opening_needs_members_and_the_office(loop, office):
    with pytest.raises(Forbidden):
        common_issue_open(
            community=office.community, by=office.receptionist, now=T0, title="x", item_ids=[1]
        )
    with pytest.raises(ValidationError):
        common_issue_open(community=office.community, by=office.head, now=T0, title="电梯")
    assert CommonIssue.objects.count() == 0 and not Clock.objects.filter(rule_id="RV-7").exists()
    assert SuggestionItem.objects.count() == 0


def test_rv8_home_visit_by_its_due_date_reaches_the_administrator(loop, office):
    loop.at(T0)
    visit = home_visit_assign(
        community=office.community,
        by=office.head,
        now=T0,
        administrator=office.administrator,
        households=[office.household],
        due_at=T0 + timedelta(days=2),
        reason="楼上漏水多次未解决",
    )
    clock = Clock.objects.get(rule_id="RV-8")
    assert (clock.subject, clock.due_at) == (visit.clock_subject, T0 + timedelta(days=2))
    loop.sweep(T0 + timedelta(days=2, seconds=1))
    assert Notification.objects.filter(
        cause=f"clock:{clock.pk}:L1", recipient=office.administrator
    ).exists()


def test_rv8_two_visits_of_one_administrator_have_their_own_clocks(loop, office):
    loop.at(T0)
    visits = [
        home_visit_assign(
            community=office.community,
            by=office.head,
            now=T0,
            administrator=office.administrator,
            households=[office.household],
            due_at=T0 + timedelta(days=d),
            reason="漏水",
        )
        for d in (1, 2)
    ]
    home_visit_done(visit_id=visits[0].pk, by=office.administrator, now=T0, notes="已上门")
    states = dict(Clock.objects.filter(rule_id="RV-8").values_list("subject", "state"))
    assert states == {visits[0].clock_subject: "met", visits[1].clock_subject: "running"}


def test_rv8_only_an_administrator_can_be_sent(loop, office):
    with pytest.raises(ValidationError) as err:
        home_visit_assign(
            community=office.community,
            by=office.head,
            now=T0,
            administrator=office.receptionist,
            households=[office.household],
            due_at=T0 + timedelta(days=1),
            reason="漏水",
        )
    assert "administrator" in err.value.message_dict
    assert not Clock.objects.filter(rule_id="RV-8").exists()


@pytest.mark.parametrize(
    ("ahead", "refused"),
    [(GIVEN_DEADLINE_HORIZON, False), (GIVEN_DEADLINE_HORIZON + timedelta(seconds=1), True)],
)
def test_rv8_a_due_date_more_than_a_year_ahead_is_refused(loop, office, ahead, refused):
    """RV-8, like FD-3's promise and CP-5's rectification: a date typed a year or more wrong
    (2062 for 2026) would start a clock that never breaches; the same date next year still fits.
    Refused by field, nothing written."""
    assign = functools.partial(
        home_visit_assign,
        community=office.community,
        by=office.head,
        now=T0,
        administrator=office.administrator,
        households=[office.household],
        due_at=T0 + ahead,
        reason="楼上漏水多次未解决",
    )
    if not refused:
        assign()
        assert Clock.objects.get(rule_id="RV-8").due_at == T0 + ahead
        return
    with pytest.raises(ValidationError) as err:
        assign()
    assert list(err.value.message_dict) == ["due_at"]
    assert not HomeVisit.objects.exists() and not Clock.objects.filter(rule_id="RV-8").exists()


def test_rv7_a_proposals_title_is_whole_or_says_it_was_shortened() -> None:
    """The proposal's title is its shortest text, for the office to edit into the issue's title
    (100 characters): whole when it fits, else shortened with "…" (it was cut at 100 as if
    whole)."""
    from propdesk.followup.selectors import Proposal

    def proposal(*texts: str) -> Proposal:
        return Proposal(None, "", (), (), 5, texts)

    fits = "三号楼电梯" * 20  # 100 characters
    assert proposal("三号楼电梯" * 30, fits).title == fits
    long = "电" * 99 + "梯停了"
    assert proposal(long, long + "又").title == "电" * 99 + "…"
    assert proposal().title == ""
