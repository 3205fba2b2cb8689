"""The console's front desk, its submits and the rows they write, dumped to files: to show that a
change to the intake wrote every row and drew every byte as before.

    cp /tmp/bench/bench100k.sqlite3 /tmp/x/a.sqlite3   # and b.sqlite3: a fresh copy per run
    bench/intake_same.py --url sqlite:////tmp/x/a.sqlite3 --meta META --out /tmp/same/main \
        --app MAIN_TREE
    bench/intake_same.py --url sqlite:////tmp/x/b.sqlite3 --meta META --out /tmp/same/branch
    diff -r /tmp/same/main /tmp/same/branch && echo SAME

On a fresh copy of the bench database (SQLite; bench/setup_data.py's), at a fixed injected time,
as the reception user of META's community, through Django's whole stack (django.test.Client):
the intake page (plain, ``?caller_phone=``, ``?place=``), submits of every outcome and kind (a
repair by room, a resolved call with no room, a promise, an agitated visitor's complaint, a
written complaint without a letter, an important complaint, a housekeeping order at a sticker
place with its catalogue item, an urgent repair with an appointment; urlencoded as uploads.js
posts them, and one multipart), each followed by the page it redirects to (its message), and
failed submits (empty, a room that does not exist, choices not offered, a promise in the past,
a bad number); all of it once in Chinese and once with the user reading English; then four
of the API's creates (``POST /api/work-orders/``, token auth), one refused.
``responses.txt`` holds each answer (status, headers, cookies, body), ``rows.txt`` every row
written to any table (rowid past its maximum before), the session table aside (its keys are
random). Masked: the CSRF and session values, and what comes from the wall clock (the cookies'
expiry, the messages cookie's signing time and so its signature; the messages themselves are
kept). ``--app``: the code to run (a ``git archive`` of main, say); the default is this tree.
Adds a catalogue item and a sticker place to the copy first (the bench has none).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
MASK = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")'
    r"|((?:csrftoken|sessionid)=)[^;]+(;)"
    r"|(expires=)[^;]+(;)"  # the wall clock's, not the injected one
    r"|(messages=[^:;]+:)[^:;]+:[^:;]+(;)"  # kept: the messages; masked: the signer's timestamp
)


def masked(text: str) -> str:
    return MASK.sub(lambda m: "".join(g for g in m.groups() if g is not None), text)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--meta", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--app", default=str(ROOT), help="the code tree to run")
    args = p.parse_args()
    app = Path(args.app).resolve()
    sys.path.insert(0, str(app))
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ.setdefault("STATIC_ROOT", str(args.out.resolve().parent / "static"))
    os.environ.setdefault("MEDIA_ROOT", str(args.out.resolve().parent / "media"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from propdesk.community.models import Community, Household, Place, User
    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import ServiceItem

    call_command("collectstatic", interactive=False, verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    meta = json.loads(args.meta.read_text())
    community = Community.objects.get(pk=meta["community"])
    user = User.objects.get(pk=meta["reception"])
    hmin, hmax = meta["households"]
    rooms = list(
        Household.objects.filter(community=community, pk__range=(hmin, hmax))
        .order_by("pk")
        .values_list("code", flat=True)[:40]
    )
    item = ServiceItem.objects.create(
        company_id=community.company_id,
        code="W01",
        name="换锁",
        kind="housekeeping",
        team_kind="cleaning",
        time_standard_minutes=60,
    )
    place = Place.objects.create(community=community, kind="lobby", name="3号楼大堂")
    set_clock(FixedClock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC)))  # 10:00 in Shanghai

    console = Client()
    console.force_login(user)  # before: its login record (axes) is on the wall clock
    tables = sorted(t for t in connection.introspection.table_names() if t != "django_session")
    with connection.cursor() as c:
        before = {}
        for t in tables:
            c.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{t}"')  # noqa: S608
            before[t] = c.fetchone()[0]

    url = f"/desk/{community.pk}/intake/"
    out: list[str] = []

    def answer(label: str, r) -> None:  # type: ignore[no-untyped-def]
        headers = "\n".join(f"{k}: {masked(v)}" for k, v in sorted(r.headers.items()))
        cookies = "\n".join(
            f"cookie {k}: {masked(m.OutputString())}" for k, m in sorted(r.cookies.items())
        )
        body = masked(r.content.decode("utf-8", "replace"))
        out.append(f"=== {label}\n{r.status_code}\n{headers}\n{cookies}\n{body}\n")

    def post(label: str, body: dict[str, str], *, multipart: bool = False) -> None:
        if multipart:
            r = console.post(url, body)
        else:
            r = console.post(url, urlencode(body), content_type="application/x-www-form-urlencoded")
        answer(label, r)
        if r.status_code == 302:
            answer(f"{label} -> {r['Location']}", console.get(r["Location"]))

    def submits(lang: str) -> None:
        room = iter(rooms[:20] if lang == "zh" else rooms[20:])
        answer(f"{lang} page", console.get(url))
        answer(f"{lang} page from a call", console.get(url, {"caller_phone": "13812345678"}))
        answer(f"{lang} page from a sticker", console.get(url, {"place": place.pk}))
        base = {"channel": "phone", "caller_phone": "13812345678", "caller_name": "张伟"}
        said = "厨房水龙头漏水，请尽快派人维修"
        ok = [
            {
                **base,
                "room": next(room),
                "intent": "repair",
                "content": said,
                "outcome": "work_order",
            },
            {
                "channel": "phone",
                "caller_phone": "0755-88881234 转 801",
                "intent": "consultation",
                "content": "物业费怎么交",
                "outcome": "resolved",
                "resolution": "已告知缴费方式",
            },
            {
                "channel": "visit",
                "room": next(room),
                "caller_name": "李娜",
                "intent": "consultation",
                "content": "门禁卡补办",
                "outcome": "promised",
                "promised_at": "2026-12-03T09:30",
                "promise_reason": "制卡机维修中",
            },
            {
                "channel": "visit",
                "room": next(room),
                "intent": "complaint",
                "content": "楼上噪音",
                "outcome": "work_order",
                "owner_agitated": "on",
                "complaint_type": "general",
            },
            {
                "channel": "written",
                "room": next(room),
                "intent": "complaint",
                "content": "投诉保洁不到位",
                "outcome": "work_order",
                "no_written_material": "on",
            },
            {
                **base,
                "room": next(room),
                "intent": "complaint",
                "content": "维修工态度差",
                "outcome": "work_order",
                "is_important": "on",
            },
            {
                **base,
                "intent": "housekeeping",
                "content": "大堂地面湿滑",
                "outcome": "work_order",
                "place": str(place.pk),
                "location": "",
                "service_item": str(item.pk),
            },
            {
                **base,
                "room": next(room),
                "intent": "repair",
                "content": "停电",
                "outcome": "work_order",
                "is_urgent": "on",
                "appointment_at": "2026-12-02T15:00",
            },
        ]
        for i, body in enumerate(ok):
            post(f"{lang} submit {i}", body)
        post(f"{lang} submit multipart", {**ok[0], "room": next(room)}, multipart=True)
        bad = [
            {},
            {
                **base,
                "room": "99-9-9999",
                "intent": "repair",
                "content": said,
                "outcome": "work_order",
            },
            {
                **base,
                "room": next(room),
                "intent": "repair",
                "content": said,
                "outcome": "work_order",
                "service_item": "99999",
                "place": "x",
            },
            {
                **base,
                "intent": "consultation",
                "content": said,
                "outcome": "promised",
                "promised_at": "2026-12-01T09:30",
                "promise_reason": "x",
            },
            {
                "channel": "phone",
                "caller_phone": "123",
                "intent": "repair",
                "content": said,
                "outcome": "work_order",
            },
        ]
        for i, body in enumerate(bad):
            post(f"{lang} failed {i}", body)

    submits("zh")
    User.objects.filter(pk=user.pk).update(language="en")
    submits("en")
    User.objects.filter(pk=user.pk).update(language=user.language)

    # The API's create (the same service, token auth): a repair, a complaint with a number, an
    # order at a place with its catalogue item, a refused one.
    api = Client()
    token = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    household = Household.objects.get(community=community, code=rooms[-1])
    for i, body in enumerate(
        [
            {"kind": "repair", "description": "厨房水龙头漏水", "household": household.pk},
            {
                "kind": "complaint",
                "description": "维修工态度差",
                "household": household.pk,
                "reporter_phone": "0755-8888-1234",
                "is_important": True,
            },
            {
                "kind": "housekeeping",
                "description": "大堂地面湿滑",
                "location": place.name,
                "service_item": item.pk,
            },
            {"kind": "repair", "description": ""},
        ]
    ):
        r = api.post(
            "/api/work-orders/",
            {"community": community.pk, **body},
            content_type="application/json",
            **token,
        )
        answer(f"api create {i}", r)

    rows: list[str] = []
    with connection.cursor() as c:
        for t in tables:
            c.execute(f'SELECT rowid, * FROM "{t}" WHERE rowid > %s ORDER BY rowid', [before[t]])  # noqa: S608
            got = c.fetchall()
            rows.append(f"=== {t}: {len(got)}")
            rows.extend(repr(r) for r in got)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "responses.txt").write_text("\n".join(out))
    (args.out / "rows.txt").write_text("\n".join(rows) + "\n")
    print(f"{len(out)} answers, {sum(1 for r in rows if not r.startswith('==='))} rows")


if __name__ == "__main__":
    main()
