"""Issue 12, no 500 from any input, in the console: every route of propdesk/web/urls.py gets
POSTs of hypothesis-made form data (junk text, unicode, null bytes, huge and negative numbers,
non-numeric ids, missing fields, and now and then a real value of the page's own forms, so that
some requests reach past the first check), from each staff role. The field names are those of
the page's own POST forms (read from its HTML, buttons' action values included) plus the common
ones. No answer is a server error, and a refusal (4xx) changes nothing in the database.
Seeded (derandomized) and bounded."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from propdesk.community.models import Place
from propdesk.core.clock import get_clock
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.incidents.services import emergency_log
from tests import factories as f
from tests.conftest import Office

EXAMPLES = 15  # per route and form target, spread over the roles
COMMON = ["action", "version", "community", "assignee", "team", "note", "id", "kind", "q"]
JUNK = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8).map(lambda s: s + "\x00"),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        ["", "abc", "-1", "0", "1.5", "1e309", "NaN", "9" * 40, "１２３", "\x00", " ", "null"]
    ),
    st.sampled_from(["<script>alert(1)</script>", '=HYPERLINK("x")', "' OR 1=1 --", "楼" * 300]),
)


class _Forms(HTMLParser):
    """The POST forms of a page: each one's action URL, field names and offered values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._in: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in = {}
            self.forms.append((a.get("action", ""), self._in))
        elif self._in is not None and tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._in.setdefault(name, [])
                if a.get("value"):
                    self._in[name].append(a["value"])
                self._select = name if tag == "select" else None
        elif self._in is not None and tag == "option" and self._select and a.get("value"):
            self._in[self._select].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in = None
        if tag == "select":
            self._select = None


# The login and its throttling have their own tests; a logout would end the fuzzing session.
SKIPPED = {"/desk/login/", "/desk/logout/"}
# The registry of policy versions is filled on a policy's first use, by reads too: not a change.
UNWATCHED = {"clocks.PolicyVersion"}


def _fingerprint() -> str:
    """Every row of every propdesk model, hashed: any write shows."""
    h = hashlib.sha256()
    for model in apps.get_models():
        if model.__module__.startswith("propdesk.") and model._meta.label not in UNWATCHED:
            rows = model._default_manager.order_by("pk").values_list()
            h.update(repr((model._meta.label, list(rows))).encode())
    return h.hexdigest()


def _routes(ids: dict[str, int]) -> list[str]:
    out = []
    for p in get_resolver("propdesk.web.urls").url_patterns:
        assert isinstance(p, URLPattern)
        route = str(p.pattern)
        if "/desk/" + route in SKIPPED:
            continue  # the login and its throttling have their own tests
        for name, value in ids.items():
            route = route.replace(f"<int:{name}>", str(value))
        route = route.replace("<slug:section>", "take")  # a queue section's page
        assert "<" not in route, f"no id for {route}: add it to the seed"
        out.append("/desk/" + route)
    return out


def _seed(office: Office) -> dict[str, int]:
    now = get_clock().now()
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=now,
        draft=WorkOrderDraft(
            kind="repair", description="厨房水龙头漏水", household=office.household
        ),
    )
    emergency = emergency_log(
        community=office.community, by=office.receptionist, now=now, kind="fire", location="3栋"
    )
    # CS-3: an announced activity with the household signed up (every form of its page shows).
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from propdesk.concierge.services import activities as acts
    from tests.images import PNG

    activity = acts.activity_plan(
        community=office.community,
        by=office.administrator,
        now=now,
        title="亲子运动会",
        starts_at=now + timedelta(days=10),
        place="中心广场",
        capacity=5,
    )
    acts.activity_announce(
        activity_id=activity.pk,
        by=office.administrator,
        now=now,
        photo=SimpleUploadedFile("n.png", PNG, content_type="image/png"),
    )
    acts.activity_signup(
        activity_id=activity.pk, household=office.household, by=office.receptionist, now=now
    )
    return {
        "community_id": office.community.pk,
        "order_id": order.pk,
        "emergency_id": emergency.pk,
        "contact_id": 999999,
        "staff_id": office.repair_member.pk,
        "activity_id": activity.pk,
        "place_id": Place.objects.create(
            community=office.community, kind="lift", name="3栋2单元电梯"
        ).pk,
    }


@pytest.mark.django_db(transaction=True)
def test_no_console_post_answers_a_server_error_or_changes_anything_when_refused(
    office, other_office, clock
) -> None:
    ids = _seed(office)
    boss = f.UserFactory(username="fz-boss", company=office.community.company, is_leadership=True)
    people = {
        "receptionist": office.receptionist,
        "office_head": office.head,
        "team_leader": office.repair_leader,
        "team_member": office.repair_member,
        "leadership": boss,
        "other_community_head": other_office.head,
    }
    clients = {}
    for role, user in people.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    findings: list[str] = []
    for index, route in enumerate(_routes(ids)):
        # The fields of the page's POST forms, as every role sees them.
        targets: dict[str, dict[str, list[str]]] = {route: {n: [] for n in COMMON}}
        for client in clients.values():
            page = client.get(route)
            parser = _Forms()
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                parser.feed(page.content.decode(errors="replace"))
            for action, fields in parser.forms:
                url = action if action.startswith("/desk/") else route
                if url in SKIPPED:
                    continue
                merged = targets.setdefault(url, {n: [] for n in COMMON})
                for name, values in fields.items():
                    merged.setdefault(name, []).extend(values)
        for url, fields in targets.items():
            findings.extend(_fuzz(clients, index, url, fields))
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)


def _fuzz(
    clients: dict[str, Client], offset: int, url: str, fields: dict[str, list[str]]
) -> list[str]:
    """EXAMPLES posts to ``url``, each from the next role in turn (shifted per route)."""
    found: list[str] = []
    roles = list(clients)
    reached: set[str] = set()
    turn = {"n": offset}
    value_of = {n: st.one_of(JUNK, st.sampled_from(v)) if v else JUNK for n, v in fields.items()}
    form = st.fixed_dictionaries({}, optional=value_of)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=form)
    def post(data: dict[str, Any]) -> None:
        role = roles[turn["n"] % len(roles)]
        turn["n"] += 1
        before = _fingerprint()
        r = clients[role].post(url, data)
        if r.status_code != 302 or "/login/" not in r.get("Location", ""):
            reached.add(url)
        if r.status_code >= 500:
            found.append(f"{role} POST {url} {data!r}: {r.status_code}")
        elif 400 <= r.status_code < 500 and _fingerprint() != before:
            found.append(f"{role} POST {url} {data!r}: refused ({r.status_code}) but wrote")

    post()
    if not reached:  # every post bounced to the login page: the fuzz tested nothing
        found.append(f"POST {url}: never reached the view (logged out?)")
    return found


@pytest.mark.django_db
def test_errors_of_a_field_named_items_are_shown_not_a_500(office, clock) -> None:
    """Found by the fuzz run above: an error on the field "items" made ``errors.items`` in the
    templates the list of messages instead of the dict's items (500 on two forms); ids that
    are no numbers were 500s too."""
    desk = Client(raise_request_exception=False)
    desk.force_login(office.head)
    base = f"/desk/{office.community.pk}"
    before = _fingerprint()
    visit = {"phone": "1e309", "level": "9ÊT", "item_text_0": "' OR 1=1 --", "item_kind_2": "È"}
    r = desk.post(f"{base}/visits/new/", visit)
    assert r.status_code == 400
    r = desk.post(f"{base}/issues/", {"form": "open", "due_at": "\x89c", "team": "<s>"})
    assert r.status_code == 400
    # Ids that are no numbers (found by the same run: int() of them was a 500).
    for junk in ("abc", "\x00", "²", "１２", "9" * 30, "-1"):
        for form in ({"form": "notice", "id": junk}, {"form": "open", "item_ids": junk}):
            assert desk.post(f"{base}/issues/", form).status_code == 400
        assert desk.post(f"{base}/suggestions/", {"id": junk}).status_code < 500
    assert _fingerprint() == before
