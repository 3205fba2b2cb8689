"""The console speaks Simplified Chinese unless the user chose English: a choice kept on the
user's record (every device, every sign-in), whatever the browser's Accept-Language says."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from propdesk.community.models import User


def signed_in(user: User, **headers: str) -> Client:
    c = Client(**headers)
    c.force_login(user)
    return c


def queue_html(c: Client, office) -> str:
    r = c.get(reverse("desk-queue", args=[office.community.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_a_browser_asking_for_english_gets_the_chinese_console(db, office) -> None:
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    login = Client(**english_browser).get(reverse("login"))
    assert '<html lang="zh-hans">' in login.content.decode()
    html = queue_html(signed_in(office.administrator, **english_browser), office)
    assert '<html lang="zh-hans">' in html
    assert "待受理投诉" in html and "Complaints to take" not in html


def test_a_user_who_chose_english_keeps_it_on_every_device(db, office) -> None:
    chinese_browser = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
    page = signed_in(office.administrator, **chinese_browser)
    r = page.post(reverse("desk-language"), {"language": "en", "next": "/desk/1/queue/?x=1"})
    assert (r.status_code, r["Location"]) == (302, "/desk/1/queue/?x=1")
    office.administrator.refresh_from_db()
    assert office.administrator.language == "en"
    assert "Complaints to take" in queue_html(page, office)
    # Another device, another sign-in, a Chinese browser: still English.
    assert "Complaints to take" in queue_html(
        signed_in(office.administrator, **chinese_browser), office
    )
    # Nobody else changed language.
    assert "待受理投诉" in queue_html(signed_in(office.head), office)
    page.post(reverse("desk-language"), {"language": "zh-hans", "next": "/desk/"})
    office.administrator.refresh_from_db()
    assert office.administrator.language == "zh-hans"
    assert "待受理投诉" in queue_html(page, office)


def test_the_switch_is_a_post_with_csrf(db, office) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(office.administrator)
    assert c.post(reverse("desk-language"), {"language": "en"}).status_code == 403
    assert c.get(reverse("desk-language")).status_code == 405
    office.administrator.refresh_from_db()
    assert office.administrator.language == ""


def test_a_bad_choice_or_a_foreign_next_changes_nothing_and_stays_home(db, office) -> None:
    page = signed_in(office.administrator)
    r = page.post(reverse("desk-language"), {"language": "fr", "next": "https://evil.example/"})
    assert (r.status_code, r["Location"]) == (302, reverse("desk-home"))
    office.administrator.refresh_from_db()
    assert office.administrator.language == ""
    r = page.post(reverse("desk-language"), {"language": "en", "next": "https://evil.example/"})
    assert r["Location"] == reverse("desk-home")


def test_signed_out_nobody_can_switch(db, office) -> None:
    r = Client().post(reverse("desk-language"), {"language": "en"})
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert not User.objects.filter(language="en").exists()


def test_the_api_still_answers_an_integration_in_the_language_it_asks(db, office) -> None:
    """An API client that made no choice may ask for English; a signed-in user's choice wins over
    it (a session: token callers are known only inside the API view, after the language)."""
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_login(office.receptionist)
    body = {"community": office.community.pk, "channel": "phone", "caller_phone": "12"}
    en = c.post("/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["message"] == "Please correct the marked fields."
    office.receptionist.language = "zh-hans"
    office.receptionist.save(update_fields=["language"])
    zh = c.post("/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json()["error"]["message"] == "请修改标出的字段。"
