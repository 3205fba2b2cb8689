"""The follow-up loop in the console (RV-1, RV-3, RV-4, RV-5, RV-6, RV-7, RV-8, CP-2): the call
list and one screen per call, the register, common issues with their notices, home visits."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    Notice,
    Recovery,
    ReturnVisit,
    SuggestionItem,
)
from propdesk.followup.services import suggestion_create
from tests.followup.conftest import Loop
from tests.images import PNG
from tests.web.conftest import browser_for


def url(office, name: str) -> str:
    return reverse(name, args=[office.community.pk])


def section(html: str, key: str) -> str:
    return html.split(f'id="{key}"')[1].split("</section>")[0]


def test_rv6_an_order_completed_today_is_called_from_the_list(office, clock) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    page = browser_for(office.receptionist)
    html = page.get(url(office, "desk-visits")).content.decode()
    assert order.number in section(html, "visits-today")
    form = page.get(url(office, "desk-visit-new") + f"?order={order.pk}").content.decode()
    assert "13812345678" in form  # the owner's number, ready to dial
    assert "完工时间" in form and "完成时间" not in form  # a repair is 完工 (the glossary)
    r = page.post(
        url(office, "desk-visit-new"),
        {
            "order": order.pk,
            "channel": "phone",
            "phone": "13812345678",
            "outcome": "answered",
            "level": "very_satisfied",
            "opinion": "师傅很专业",
            "item_kind_0": "suggestion",
            "item_text_0": "希望能提前电话告知上门时间",
        },
    )
    assert r.status_code == 302
    visit = ReturnVisit.objects.get()
    assert (visit.level, visit.visited_by) == ("very_satisfied", office.receptionist)
    assert Clock.objects.get(order=order, rule_id="RV-6").state == "met"
    assert SuggestionItem.objects.get().text == "希望能提前电话告知上门时间"
    html = page.get(url(office, "desk-visits")).content.decode()
    assert order.number not in section(html, "visits-today")


def test_rv6_no_answer_keeps_the_order_on_the_list_with_a_retry(office, clock) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("housekeeping")
    page = browser_for(office.receptionist)
    r = page.post(
        url(office, "desk-visit-new"),
        {"order": order.pk, "channel": "phone", "outcome": "no_answer", "level": "satisfied"},
    )
    assert r.status_code == 302
    assert Clock.objects.get(order=order, rule_id="RV-6").state == "running"  # not a visit
    html = page.get(url(office, "desk-visits")).content.decode()
    assert order.number in section(html, "visits-today")
    assert "重拨时间" in section(html, "visits-today")


def test_cp2_a_complaints_return_visit_says_when_it_was_handled_to_the_end(office, clock) -> None:
    """A complaint is 办结, not 完工 nor the 完成 of no glossary: its return-visit screen says
    办结时间 beside the time."""
    order = Loop(office, clock).resolved("complaint")
    form = browser_for(office.administrator).get(
        url(office, "desk-visit-new") + f"?order={order.pk}"
    )
    html = form.content.decode()
    assert form.status_code == 200
    assert "办结时间" in html and "完工时间" not in html and "完成时间" not in html


def test_rv6_a_return_call_nobody_answers_is_said_as_the_glossary_says(office, clock) -> None:
    """The call's outcome reads 已接通 / 未接通 / 拒绝回访 (the glossary's word for no answer on a
    return call: 未接通, not 无人接听), the time to call again and the list's line too."""
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    page = browser_for(office.receptionist)
    form = page.get(url(office, "desk-visit-new") + f"?order={order.pk}").content.decode()
    outcomes = re.findall(r'name="outcome" value="[a-z_]+"[^>]*> ([^<]+)</label>', form)
    assert outcomes == ["已接通", "未接通", "拒绝回访"]
    assert "未接通：重拨时间" in form and "无人接听" not in form
    r = page.post(
        url(office, "desk-visit-new"),
        {"order": order.pk, "channel": "phone", "outcome": "no_answer"},
    )
    assert r.status_code == 302
    html = page.get(url(office, "desk-visits")).content.decode()
    assert "未接通" in html and "无人接听" not in html


def test_rv6_an_answered_visit_is_saved_whatever_the_time_to_call_again_says(office, clock) -> None:
    """未接通 chosen first and a time to call again typed, then the owner picks up: the time
    left in its box, past or not even a time, is no reason to refuse the answered visit."""
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    for retry in ("2020-01-01T09:00", "明天"):
        ReturnVisit.objects.all().delete()
        r = browser_for(office.receptionist).post(
            url(office, "desk-visit-new"),
            {
                "order": order.pk,
                "channel": "phone",
                "outcome": "answered",
                "level": "satisfied",
                "retry_at": retry,
            },
        )
        assert r.status_code == 302, retry
        assert ReturnVisit.objects.get().retry_at is None
    # For a no-answer the time is still checked.
    r = browser_for(office.receptionist).post(
        url(office, "desk-visit-new"),
        {
            "order": order.pk,
            "channel": "phone",
            "outcome": "no_answer",
            "retry_at": "2020-01-01T09:00",
        },
    )
    assert r.status_code == 400 and "重拨时间必须晚于现在" in r.content.decode()


def test_rv6_an_activity_wish_too_long_is_counted_and_refused_not_cut(office, clock) -> None:
    """The owner's wish for a community activity, pasted long: counted on the form
    (data-maxlength, never maxlength, with which the browser cut it silently), refused in words
    by the server, and kept."""
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    page = browser_for(office.receptionist)
    form = page.get(url(office, "desk-visit-new") + f"?order={order.pk}").content.decode()
    assert 'name="activity_wish" data-maxlength="200"' in form
    wish = "希望组织老年人太极拳晨练" * 20
    r = page.post(
        url(office, "desk-visit-new"),
        {
            "order": order.pk,
            "channel": "phone",
            "outcome": "answered",
            "level": "satisfied",
            "activity_wish": wish,
        },
    )
    html = r.content.decode()
    assert r.status_code == 400 and "活动需求请在200字以内。" in html and wish in html
    assert not ReturnVisit.objects.exists()


def test_rv2_a_dissatisfied_owner_reaches_the_heads_queue_with_their_words(office, clock) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    browser_for(office.receptionist).post(
        url(office, "desk-visit-new"),
        {
            "order": order.pk,
            "outcome": "answered",
            "level": "dissatisfied",
            "opinion": "修完第二天又漏水了",
        },
    )
    assert Recovery.objects.filter(order=order, state="awaiting").exists()
    html = browser_for(office.head).get(url(office, "desk-queue")).content.decode()
    recoveries = section(html, "queue-recoveries")
    assert order.number in recoveries and "修完第二天又漏水了" in recoveries


def test_rv3_a_major_complaints_visit_is_the_heads_and_the_form_keeps_the_words(
    office, clock
) -> None:
    loop = Loop(office, clock)
    complaint = loop.resolved("complaint", is_important=True, description="物业费争议")
    admin = browser_for(office.administrator)
    html = admin.get(url(office, "desk-visits")).content.decode()
    assert complaint.number in section(html, "visits-complaints")  # CP-2 is running
    r = admin.post(
        url(office, "desk-visit-new"),
        {"order": complaint.pk, "outcome": "answered", "level": "satisfied", "opinion": "接受"},
    )
    assert r.status_code == 400
    assert "接受" in r.content.decode() and "管理处主任" in r.content.decode()
    assert ReturnVisit.objects.count() == 0
    r = browser_for(office.head).post(
        url(office, "desk-visit-new"),
        {"order": complaint.pk, "outcome": "answered", "level": "satisfied", "opinion": "接受"},
    )
    assert r.status_code == 302
    assert Clock.objects.get(order=complaint, rule_id="CP-2").state == "met"
    complaint.refresh_from_db()
    assert complaint.state == "followed_up"


def test_rv3_the_front_desk_is_told_a_major_complaints_visit_is_the_heads_not_given_the_form(
    office, clock
) -> None:
    """The receptionist's 回访 list names who makes an important complaint's visit (主任) instead
    of offering a form that the save would refuse after the whole call was typed in; the office
    head gets the form."""
    loop = Loop(office, clock)
    complaint = loop.resolved("complaint", is_important=True, description="地下室渗水")
    form_url = url(office, "desk-visit-new") + f"?order={complaint.pk}"
    desk = browser_for(office.receptionist)
    row = section(desk.get(url(office, "desk-visits")).content.decode(), "visits-complaints")
    assert complaint.number in row and "由主任回访" in row
    assert form_url.replace("&", "&amp;") not in row and f"?order={complaint.pk}" not in row
    page = desk.get(form_url).content.decode()
    assert 'id="visit-form"' not in page and "保存回访" not in page
    assert "重要投诉的回访须由管理处主任进行。" in section(page, "visit-heads-alone")
    assert "重大" not in page  # the glossary's 重要投诉, as its tag says
    head = browser_for(office.head)
    row = section(head.get(url(office, "desk-visits")).content.decode(), "visits-complaints")
    assert f"?order={complaint.pk}" in row and "由主任回访" not in row
    page = head.get(form_url).content.decode()
    assert 'id="visit-form"' in page and 'id="visit-heads-alone"' not in page
    assert ReturnVisit.objects.count() == 0


def test_rv1_a_proposed_household_is_visited_and_the_pace_moves(office, clock) -> None:
    page = browser_for(office.administrator)
    html = page.get(url(office, "desk-visits")).content.decode()
    assert "3-2-1502" in section(html, "visits-pace")
    assert "<strong>0</strong> / 20" in section(html, "visits-pace")
    r = page.post(
        url(office, "desk-visit-new"),
        {
            "household": office.household.pk,
            "channel": "home",
            "outcome": "answered",
            "level": "satisfied",
        },
    )
    assert r.status_code == 302
    html = page.get(url(office, "desk-visits")).content.decode()
    assert "<strong>1</strong> / 20" in section(html, "visits-pace")


def test_rv5_the_register_shows_age_and_takes_a_written_reply(office, clock) -> None:
    item = suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="criticism",
        text="小区绿化修剪不及时",
        household=office.household,
    )
    clock.advance(days=4)
    page = browser_for(office.administrator)
    html = page.get(url(office, "desk-suggestions")).content.decode()
    assert "小区绿化修剪不及时" in html and "4 天" in html
    r = page.post(
        url(office, "desk-suggestions"),
        {"id": item.pk, "reply": "本周内完成修剪", "channel": "carrier-pigeon"},
    )
    assert r.status_code == 400 and "本周内完成修剪" in r.content.decode()
    item.refresh_from_db()
    assert item.state == "open"
    r = page.post(
        url(office, "desk-suggestions"),
        {"id": item.pk, "reply": "本周内完成修剪", "channel": "phone"},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.reply, item.replied_by) == (
        "replied",
        "本周内完成修剪",
        office.administrator,
    )


def test_rv7_a_proposal_becomes_an_issue_its_notice_is_written_printed_and_posted(
    office, clock
) -> None:
    loop = Loop(office, clock)
    for i, text in enumerate(
        ["电梯经常停运", "电梯又坏了停运", "电梯老是停运！", "电梯故障停运", "3栋电梯停运好几次了"]
    ):
        suggestion_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            kind="opinion",
            text=text,
            household=loop.household(f"3-1-{300 + i}"),
        )
    page = browser_for(office.administrator)
    html = page.get(url(office, "desk-issues")).content.decode()
    proposals = section(html, "proposals")
    assert "5 户" in proposals
    ids = ",".join(str(i) for i in SuggestionItem.objects.values_list("pk", flat=True))
    r = page.post(
        url(office, "desk-issues"),
        {"form": "open", "title": "3栋电梯频繁停运", "item_ids": ids, "building": ""},
    )
    assert r.status_code == 302
    issue = CommonIssue.objects.get()
    rv7 = Clock.objects.get(rule_id="RV-7", subject=issue.clock_subject)
    r = page.post(
        url(office, "desk-issues"),
        {"form": "notice", "id": issue.pk, "title": "关于3栋电梯检修的通知", "body": ""},
    )
    assert r.status_code == 400 and "关于3栋电梯检修的通知" in r.content.decode()
    page.post(
        url(office, "desk-issues"),
        {
            "form": "notice",
            "id": issue.pk,
            "title": "关于3栋电梯检修的通知",
            "body": "本周六检修。",
        },
    )
    notice = Notice.objects.get()
    html = page.get(url(office, "desk-issues")).content.decode()
    assert reverse("notice-pdf", args=[notice.pk]) in html
    pdf = page.get(reverse("notice-pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    clock.advance(days=6)
    r = page.post(
        url(office, "desk-issues"),
        {
            "form": "post",
            "id": issue.pk,
            "notice": notice.pk,
            "photo": SimpleUploadedFile("board.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 302
    rv7.refresh_from_db()
    assert rv7.state == "met"


def test_rv7_an_issue_says_its_building_as_the_office_does(office, clock) -> None:
    """An issue of one building is headed 3栋, as the notice's 发布楼栋 and the front desk say
    it; a bare 3 beside the title read as a count."""
    loop = Loop(office, clock)
    item = suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="opinion",
        text="电梯经常停运",
        household=loop.household("3-1-301"),
    )
    page = browser_for(office.administrator)
    r = page.post(
        url(office, "desk-issues"),
        {
            "form": "open",
            "title": "电梯频繁停运",
            "item_ids": str(item.pk),
            "building": office.household.unit.building.pk,
        },
    )
    assert r.status_code == 302
    issue = CommonIssue.objects.get()
    heading = section(page.get(url(office, "desk-issues")).content.decode(), f"issue-{issue.pk}")
    heading = heading.split("</h2>")[0]
    assert re.sub(r"<[^>]+>", "", heading).split(">", 1)[1] == "电梯频繁停运 3栋 · 处理中"


def test_rv7_a_long_issue_or_notice_title_is_counted_and_refused_not_cut(office, clock) -> None:
    """A common issue's title (100) and area (50), and its notice's title (100), were cut by the
    service without a word: counted on the form (data-maxlength), refused in words, kept whole,
    nothing written; the exact limit is taken."""
    loop = Loop(office, clock)
    item = suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="opinion",
        text="3栋电梯经常停运",
        household=loop.household("3-1-301"),
    )
    page = browser_for(office.administrator)
    html = page.get(url(office, "desk-issues")).content.decode()
    assert 'name="title" data-maxlength="100"' in html and 'name="area" data-maxlength="50"' in html
    title, area = "3栋1单元电梯频繁停运，" * 10, "北区" * 26
    r = page.post(
        url(office, "desk-issues"),
        {"form": "open", "title": title, "area": area, "item_ids": str(item.pk)},
    )
    html = r.content.decode()
    assert r.status_code == 400 and f'value="{title}"' in html and f'value="{area}"' in html
    assert "标题最多 100 个字（现有 120 个），请删减。" in html
    assert "区域最多 50 个字（现有 52 个），请删减。" in html
    assert "<details open><summary>手动立共性问题" in html  # the failed form shown, not folded
    assert not CommonIssue.objects.exists()
    r = page.post(
        url(office, "desk-issues"),
        {"form": "open", "title": title[:100], "area": area[:50], "item_ids": str(item.pk)},
    )
    assert r.status_code == 302
    issue = CommonIssue.objects.get()
    assert (issue.title, issue.area) == (title[:100], area[:50])
    html = page.get(url(office, "desk-issues")).content.decode()
    assert html.count('name="title" data-maxlength="100"') >= 2  # the notice's title too
    notice_title = "关于3栋1单元电梯检修及临时停运安排的通知，" * 5
    r = page.post(
        url(office, "desk-issues"),
        {"form": "notice", "id": issue.pk, "title": notice_title, "body": "本周六检修。"},
    )
    html = r.content.decode()
    assert r.status_code == 400 and f'value="{notice_title}"' in html
    assert f"标题最多 100 个字（现有 {len(notice_title)} 个），请删减。" in html
    assert not Notice.objects.exists()
    r = page.post(
        url(office, "desk-issues"),
        {"form": "notice", "id": issue.pk, "title": notice_title[:100], "body": "本周六检修。"},
    )
    assert r.status_code == 302 and Notice.objects.get().title == notice_title[:100]


def test_rv7_a_notice_title_pre_filled_from_a_long_issue_title_fits_and_is_taken(
    office, clock
) -> None:
    """The notice's title was pre-filled 致业主通知：<the issue's title> whatever its length: from
    an issue title of 95 characters or more it passed the notice title's 100, and the office was
    refused for characters it never typed. The issue's title is shortened with … to fit; one
    that fits with the prefix (94) is kept whole; either pre-filled title is taken as it is."""
    loop = Loop(office, clock)
    page = browser_for(office.administrator)
    fits, too_long = ("3栋1单元电梯频繁停运，" * 10)[:94], ("4栋2单元地库积水严重，" * 10)[:95]
    for i, title in enumerate((fits, too_long)):
        item = suggestion_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            kind="opinion",
            text=title[:20],
            household=loop.household(f"3-1-{301 + i}"),
        )
        r = page.post(
            url(office, "desk-issues"), {"form": "open", "title": title, "item_ids": str(item.pk)}
        )
        assert r.status_code == 302
    html = page.get(url(office, "desk-issues")).content.decode()
    proposed = {}
    for issue in CommonIssue.objects.all():
        found = re.search(
            r'<input name="title" data-maxlength="100" value="([^"]*)"',
            section(html, f"issue-{issue.pk}"),
        )
        assert found is not None
        proposed[issue.title] = found.group(1)
    assert proposed[fits] == "致业主通知：" + fits and len(proposed[fits]) == 100
    assert proposed[too_long] == "致业主通知：" + too_long[:93] + "…"
    assert len(proposed[too_long]) == 100
    for issue in CommonIssue.objects.all():
        r = page.post(
            url(office, "desk-issues"),
            {
                "form": "notice",
                "id": issue.pk,
                "title": proposed[issue.title],
                "body": "本周六检修。",
            },
        )
        assert r.status_code == 302
    assert sorted(Notice.objects.values_list("title", flat=True)) == sorted(proposed.values())


def test_rv8_a_home_visit_is_assigned_with_a_due_date_and_recorded(office, clock) -> None:
    page = browser_for(office.head)
    r = page.post(
        url(office, "desk-issues"),
        {
            "form": "home_visit",
            "administrator": office.administrator.pk,
            "households": "3-2-1502, 9-9-999",
            "due_at": "2026-11-28T17:00",
            "reason": "楼上漏水多次未解决",
        },
    )
    assert r.status_code == 400
    assert "9-9-999" in r.content.decode() and "楼上漏水多次未解决" in r.content.decode()
    assert HomeVisit.objects.count() == 0
    r = page.post(  # 2062 typed for 2026
        url(office, "desk-issues"),
        {
            "form": "home_visit",
            "administrator": office.administrator.pk,
            "households": "3-2-1502",
            "due_at": "2062-11-28T17:00",
            "reason": "楼上漏水多次未解决",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "期限距今超过一年，请核对日期。" in html
    assert "2062-11-28T17:00" in html and "楼上漏水多次未解决" in html
    assert HomeVisit.objects.count() == 0
    r = page.post(
        url(office, "desk-issues"),
        {
            "form": "home_visit",
            "administrator": office.administrator.pk,
            "households": "3-2-1502",
            "due_at": "2026-11-28T17:00",
            "reason": "楼上漏水多次未解决",
        },
    )
    assert r.status_code == 302
    visit = HomeVisit.objects.get()
    rv8 = Clock.objects.get(rule_id="RV-8")
    assert rv8.due_at == visit.due_at
    admin = browser_for(office.administrator)
    assert "楼上漏水多次未解决" in section(
        admin.get(url(office, "desk-queue")).content.decode(), "queue-home-visits"
    )
    r = admin.post(
        url(office, "desk-issues"),
        {"form": "home_visit_done", "visit": visit.pk, "notes": "已协调楼上住户维修防水"},
    )
    assert r.status_code == 302
    rv8.refresh_from_db()
    assert rv8.state == "met"


def test_the_follow_up_screens_are_for_the_office(office, other_office) -> None:
    for name in ("desk-visits", "desk-suggestions", "desk-issues", "desk-visit-new"):
        assert browser_for(office.repair_member).get(url(office, name)).status_code == 403
        assert browser_for(office.administrator).get(url(other_office, name)).status_code == 404


def test_rv1_rv6_the_front_desk_records_a_visit_by_phone_or_at_home_never_as_the_owners_rating(
    office, clock
) -> None:
    """业主自评 is the owner's own channel (the resident portal, portal/rate): the front desk's
    form offers only how staff visit (电话回访, 上门回访, RV-1), and a posted 业主自评 is refused
    with its words beside the channel, what was typed kept, nothing written."""
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    page = browser_for(office.receptionist)
    form = page.get(url(office, "desk-visit-new") + f"?order={order.pk}").content.decode()
    assert re.findall(r'name="channel" value="([^"]+)"', form) == ["phone", "home"]
    assert "电话回访" in form and "上门回访" in form and "业主自评" not in form
    r = page.post(
        url(office, "desk-visit-new"),
        {
            "order": order.pk,
            "channel": "portal",
            "phone": "13812345678",
            "outcome": "answered",
            "level": "very_satisfied",
            "opinion": "师傅很专业",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="channel-error">请选择电话回访或上门回访。</span>' in html
    assert "师傅很专业" in html  # what was typed is kept
    assert not ReturnVisit.objects.exists()
    assert Clock.objects.get(order=order, rule_id="RV-6").state == "running"
