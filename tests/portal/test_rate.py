"""The owner rates a finished order in the portal (issue 13, item 5): the rating is a return visit
with its own channel (业主自评), written by the same service as a phone visit, so RV-6, RV-2 and a
dissatisfied owner's recovery behave exactly as after one. The one-tap link of the 完工 SMS is
signed for its order and the household's number, and expires (policy ``rating_link_days``)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client

from propdesk.desk.models import WorkOrderEvent
from propdesk.desk.rating_links import SALT, rating_link, rating_token
from propdesk.followup.models import OrderRating, Recovery, ReturnVisit
from propdesk.followup.selectors import satisfaction_figures
from propdesk.notify.models import Notification
from tests import factories as f
from tests.followup.conftest import Loop, sh
from tests.notify.helpers import run_telling

T0 = sh(2026, 11, 26, 10, 0)
PHONE = "13812345678"  # 张伟, on the register of office.household (3-2-1502)
GOOD = {"speed": "5", "attitude": "4", "result": "5", "level": "satisfied", "opinion": "师傅很细心"}


@pytest.fixture
def loop(office, clock) -> Loop:
    f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    return Loop(office, clock)


def rate_url(order) -> str:
    return f"/portal/orders/{order.pk}/rate/"


def test_rv6_rv2_a_rating_is_a_portal_return_visit_meeting_rv6_and_counted_in_satisfaction(
    loop, office, resident_client
):
    order = loop.at(T0).resolved("repair")
    loop.at(T0 + timedelta(hours=2))
    c = resident_client(PHONE)
    assert "上门速度" in c.get(rate_url(order)).content.decode()

    r = c.post(rate_url(order), GOOD)

    assert r.status_code == 302 and "thanks=1" in r["Location"]
    visit = ReturnVisit.objects.get(order=order)
    assert (visit.channel, visit.kind, visit.outcome, visit.level) == (
        "portal",
        "order",
        "answered",
        "satisfied",
    )
    assert (visit.visited_by, visit.phone, visit.opinion) == (None, PHONE, "师傅很细心")
    assert visit.get_channel_display() == "业主自评"
    rating = OrderRating.objects.get(order=order)
    assert (rating.speed, rating.attitude, rating.result, rating.visit) == (5, 4, 5, visit)
    assert loop.clock_of(order, "RV-6").state == "met"
    event = WorkOrderEvent.objects.get(order=order, action="return_visit")
    assert (event.actor, event.data["channel"]) == (None, "portal")
    fig = satisfaction_figures(office.community, 2026, 11)
    assert (fig.levels.answered, fig.levels.rate, fig.due, fig.due_visited) == (1, 100, 1, 1)
    page = c.get(r["Location"]).content.decode()
    assert "感谢您的评价" in page and "服务态度：4 ★" in page
    assert "您的意见：“师傅很细心”" in page  # what they wrote, shown back with the stars


def test_rv6_a_rating_counts_as_one_answer_beside_a_phone_visit_in_rv2(
    loop, office, resident_client
):
    rated = loop.at(T0).resolved("repair")
    called = loop.at(T0).resolved("housekeeping")
    loop.visit(order=called, level="dissatisfied")
    resident_client(PHONE).post(rate_url(rated), {**GOOD, "level": "very_satisfied"})
    fig = satisfaction_figures(office.community, 2026, 11)
    assert (fig.levels.answered, fig.levels.rate) == (2, 50)


def test_a_dissatisfied_rating_starts_the_recovery_a_phone_visit_starts(
    loop, office, resident_client
):
    order = loop.at(T0).resolved("repair")
    resident_client(PHONE).post(rate_url(order), {**GOOD, "level": "dissatisfied"})
    recovery = Recovery.objects.get(order=order)
    assert (recovery.state, recovery.owner_words) == ("awaiting", "师傅很细心")
    run_telling(loop.clock)  # the worker's desk.tell (issue 15)
    told = Notification.objects.filter(kind="dissatisfied", recipient=office.head)
    assert told.count() == 1
    # A later satisfied phone visit turns it, as after a phone visit's 不满意.
    loop.visit(order=order, level="very_satisfied", by=office.head, at=T0 + timedelta(days=1))
    recovery.refresh_from_db()
    assert recovery.state == "turned"


def test_a_second_rating_says_it_is_already_rated_and_changes_nothing(
    loop, office, resident_client
):
    order = loop.at(T0).resolved("repair")
    c = resident_client(PHONE)
    c.post(rate_url(order), GOOD)
    r = c.post(rate_url(order), {**GOOD, "level": "dissatisfied"})
    assert r.status_code == 200
    assert "您已评价过此工单" in r.content.decode()
    assert ReturnVisit.objects.count() == 1
    assert OrderRating.objects.get().visit.level == "satisfied"
    assert not Recovery.objects.exists()


def test_after_the_office_visit_the_rating_page_says_so_and_takes_no_rating(
    loop, office, resident_client
):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order, level="very_satisfied")
    c = resident_client(PHONE)
    assert "管理处已对此工单回访" in c.get(rate_url(order)).content.decode()
    r = c.post(rate_url(order), GOOD)
    assert "管理处已对此工单回访" in r.content.decode()
    assert ReturnVisit.objects.count() == 1 and not OrderRating.objects.exists()


def test_an_unfinished_order_cannot_be_rated(loop, office, resident_client):
    order = loop.at(T0).open_for("repair")
    c = resident_client(PHONE)
    assert "工单完工后才能评价" in c.get(rate_url(order)).content.decode()
    r = c.post(rate_url(order), GOOD)
    assert r.status_code == 400
    assert not ReturnVisit.objects.exists()


def test_missing_scores_are_refused_with_what_was_chosen_kept(loop, office, resident_client):
    order = loop.at(T0).resolved("repair")
    r = resident_client(PHONE).post(
        rate_url(order), {"speed": "9", "attitude": "4", "result": "", "level": "", "opinion": "好"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert body.count("请给1到5星") == 2 and "请选择您的满意程度" in body
    assert 'name="attitude" value="4" checked' in body and ">好</textarea>" in body
    assert not ReturnVisit.objects.exists() and not OrderRating.objects.exists()
    assert loop.clock_of(order, "RV-6").state == "running"


def test_another_households_order_is_not_found(loop, office, other_office, resident_client):
    mine = loop.at(T0).resolved("repair")
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    f.ResidentFactory(household=neighbour, name="李四", phone="13900000001")
    c = resident_client("13900000001")
    assert c.get(rate_url(mine)).status_code == 404
    assert c.post(rate_url(mine), GOOD).status_code == 404
    assert not ReturnVisit.objects.exists()


def test_signed_out_without_a_link_goes_to_sign_in(loop, office):
    order = loop.at(T0).resolved("repair")
    r = Client().get(rate_url(order))
    assert r.status_code == 302 and r["Location"].startswith("/portal/login/?next=")


def test_the_office_may_not_record_the_owners_channel(loop, office):
    order = loop.at(T0).resolved("repair")
    with pytest.raises(ValidationError) as err:
        loop.visit(order=order, channel="portal")
    assert "channel" in err.value.message_dict
    assert not ReturnVisit.objects.exists()


# --- the one-tap link of the 完工 SMS --------------------------------------------------------


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["t"][0]


def test_the_signed_link_rates_before_sign_in(loop, office):
    order = loop.at(T0).resolved("repair")
    link = rating_link(order, PHONE, T0)
    c = Client()
    assert "上门速度" in c.get(link).content.decode()
    r = c.post(rate_url(order), {**GOOD, "t": token_of(link)})
    assert r.status_code == 302
    assert ReturnVisit.objects.get(order=order).phone == PHONE
    # The link opens that order's pages only: no portal session came with it.
    assert c.get("/portal/").status_code == 302


def test_the_signed_link_expires_after_the_policys_days(loop, office):
    order = loop.at(T0).resolved("repair")
    link = rating_link(order, PHONE, T0)  # policy: 7 days
    loop.at(T0 + timedelta(days=7) - timedelta(seconds=1))
    assert Client().get(link).status_code == 200
    loop.at(T0 + timedelta(days=7))
    r = Client().get(link)
    assert r.status_code == 404 and "评价链接无效或已过期" in r.content.decode()
    r = Client().post(rate_url(order), {**GOOD, "t": token_of(link)})
    assert r.status_code == 404
    assert not ReturnVisit.objects.exists()


def test_a_tampered_link_fails(loop, office):
    order = loop.at(T0).resolved("repair")
    token = rating_token(order, PHONE, T0)
    payload = signing.loads(token, salt=SALT)
    forged = signing.dumps({**payload, "e": payload["e"] + 86400}, salt="not-the-salt")
    for bad in (token[:-2] + ("A" if token[-1] != "A" else "B") * 2, forged):
        assert Client().get(f"{rate_url(order)}?t={bad}").status_code == 404
    assert Client().post(rate_url(order), {**GOOD, "t": forged}).status_code == 404
    assert not ReturnVisit.objects.exists()


def test_a_link_for_another_order_or_an_unregistered_phone_fails(loop, office):
    first = loop.at(T0).resolved("repair")
    second = loop.at(T0).resolved("repair")
    link = rating_link(first, PHONE, T0)
    assert Client().get(f"{rate_url(second)}?t={token_of(link)}").status_code == 404
    assert Client().get(rating_link(second, "13700000000", T0)).status_code == 404
    # A resident removed from the register since the SMS cannot use it any more.
    office.household.residents.filter(phone=PHONE).delete()
    assert Client().get(link).status_code == 404
    assert not ReturnVisit.objects.exists()


def test_the_link_hides_the_phone_number(loop, office):
    order = loop.at(T0).resolved("repair")
    payload = signing.loads(rating_token(order, PHONE, T0), salt=SALT)
    assert PHONE not in str(payload)


def test_the_staff_order_page_shows_the_owners_scores(loop, office, resident_client):
    order = loop.at(T0).resolved("repair")
    resident_client(PHONE).post(rate_url(order), GOOD)
    c = Client()
    c.force_login(office.administrator)
    page = c.get(f"/desk/orders/{order.pk}/").content.decode()
    assert "上门速度 5★ · 服务态度 4★ · 处理结果 5★ · 满意" in page
    assert "业主自评" in page  # the timeline's return visit says its channel


def test_the_order_page_offers_rating_and_reopening_once_the_work_is_done(
    loop, office, resident_client
):
    c = resident_client(PHONE)
    done = loop.at(T0).resolved("repair")
    html = c.get(f"/portal/orders/{done.pk}/").content.decode()
    actions = html.split('id="order-actions"')[1].split("</div>")[0]
    assert rate_url(done) in actions and f"/portal/orders/{done.pk}/reopen/" in actions
    still_open = loop.at(T0).open_for("repair")
    html = c.get(f"/portal/orders/{still_open.pk}/").content.decode()
    assert "/rate/" not in html.split('id="order-actions"')[1].split("</div>")[0]
