"""Where a create's CPU goes, part by part: the API's POST /api/work-orders/ (token auth) and the
console's intake submit, through Django's whole stack in this one process.

Each Python function call (and each call into C) is charged to the innermost *part* on the stack:
a middleware, the URL resolver, DRF's negotiation, authentication, parsing, validation, the view's
steps (the community's access, the draft), the service's steps (the route, the insert, the clock
engine, the event, the number, the announcement, the transaction), the answer, the renderer,
logging. Two figures per part:

- **calls per request**: exact, the same on a busy machine as on a quiet one;
- **ms per request**: the CPU time between the tracer's events charged the same way, then scaled
  so the parts add up to the median CPU of the same requests run *without* the tracer (the tracer
  costs about as much per call everywhere, so the shares hold; the absolute figure is the
  untraced one).

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \
        DATABASE_URL=sqlite:///COPY.sqlite3 .venv/bin/python bench/create_parts.py \
        --meta META.json [--requests 100] [--only create,intake] [--intake-multipart] [--json OUT]

The intake is posted urlencoded, as a browser sends a submit with no file chosen (uploads.js);
--intake-multipart posts it as the HTML's enctype, as a page without script does.

META.json is what bench/setup_data.py writes. Use a copy of the bench database: each run adds
orders.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))

# (module, qualified name, part). A function that is missing at this commit is skipped.
PARTS: list[tuple[str, str, str]] = [
    # Django's handler and the middleware
    ("django.core.handlers.base", "BaseHandler.get_response", "handler"),
    ("django.core.handlers.base", "BaseHandler._get_response", "handler"),
    ("django.core.handlers.base", "BaseHandler.resolve_request", "url resolve"),
    ("django.middleware.security", "SecurityMiddleware.process_request", "mw security"),
    ("django.middleware.security", "SecurityMiddleware.process_response", "mw security"),
    ("whitenoise.middleware", "WhiteNoiseMiddleware.__call__", "mw whitenoise"),
    ("django.contrib.sessions.middleware", "SessionMiddleware.process_request", "mw session"),
    ("django.contrib.sessions.middleware", "SessionMiddleware.process_response", "mw session"),
    ("django.middleware.common", "CommonMiddleware.process_request", "mw common"),
    ("django.middleware.common", "CommonMiddleware.process_response", "mw common"),
    ("django.middleware.csrf", "CsrfViewMiddleware.process_request", "mw csrf"),
    ("django.middleware.csrf", "CsrfViewMiddleware.process_view", "mw csrf"),
    ("django.middleware.csrf", "CsrfViewMiddleware.process_response", "mw csrf"),
    ("django.contrib.auth.middleware", "AuthenticationMiddleware.process_request", "mw auth"),
    ("propdesk.core.auth", "AuthenticationMiddleware.process_request", "mw auth"),
    # the session read and its user, when first asked for (request.user)
    ("django.contrib.auth", "get_user", "session and user"),
    ("propdesk.core.auth", "get_user", "session and user"),
    ("propdesk.core.language", "UserLanguageMiddleware.__call__", "mw language"),
    ("django.contrib.messages.middleware", "MessageMiddleware.process_request", "mw messages"),
    ("django.contrib.messages.middleware", "MessageMiddleware.process_response", "mw messages"),
    (
        "django.middleware.clickjacking",
        "XFrameOptionsMiddleware.process_response",
        "mw xframe",
    ),
    ("django_htmx.middleware", "HtmxMiddleware.__call__", "mw htmx"),
    ("axes.middleware", "AxesMiddleware.__call__", "mw axes"),
    ("django.utils.deprecation", "MiddlewareMixin.__call__", "mw chain"),
    ("django.core.handlers.exception", "convert_exception_to_response.<locals>.inner", "mw chain"),
    # DRF
    ("rest_framework.views", "APIView.dispatch", "drf dispatch"),
    ("rest_framework.views", "APIView.initialize_request", "drf request"),
    ("rest_framework.views", "APIView.perform_content_negotiation", "drf negotiation"),
    ("rest_framework.views", "APIView.determine_version", "drf negotiation"),
    ("rest_framework.views", "APIView.perform_authentication", "authentication"),
    ("rest_framework.views", "APIView.check_permissions", "drf permissions"),
    ("rest_framework.views", "APIView.check_throttles", "drf permissions"),
    ("rest_framework.request", "Request._load_data_and_files", "drf parse"),
    ("rest_framework.serializers", "Serializer.__init__", "drf validate"),
    ("rest_framework.serializers", "BaseSerializer.__init__", "drf validate"),
    ("rest_framework.serializers", "BaseSerializer.is_valid", "drf validate"),
    ("rest_framework.views", "APIView.finalize_response", "drf finalize"),
    ("rest_framework.response", "Response.rendered_content", "answer render (json)"),
    ("django.template.response", "SimpleTemplateResponse.render", "answer render (json)"),
    # the view's own steps
    ("propdesk.api.views", "WorkOrderViewSet.create", "view glue"),
    ("propdesk.api.views", "_draft", "view draft"),
    ("propdesk.community.access", "access_community", "access community"),
    ("propdesk.core.clock", "get_clock", "view glue"),
    # the service
    ("propdesk.desk.services.orders", "work_order_create", "service glue"),
    ("propdesk.desk.services.orders", "_create_order", "service glue"),  # before lockhold
    ("propdesk.desk.services.orders", "_plan_order", "service glue"),
    ("propdesk.desk.services.orders", "_write_order", "service glue"),
    ("propdesk.desk.services.contacts", "_contact_write", "intake service"),
    ("propdesk.desk.services._common", "_require_office_role", "roles check"),
    ("propdesk.community.access", "user_roles", "roles check"),
    ("propdesk.desk.services.orders", "_validate_draft", "validate draft"),
    ("propdesk.desk.services._common", "_normalise_phone", "validate draft"),
    ("propdesk.desk.services._common", "_route_team", "route team"),
    ("propdesk.policy.rules", "load_policy", "policy load"),
    ("propdesk.core.bulk", "create_many", "insert rows"),
    ("propdesk.clocks.services.events", "clocks_on_event", "clock engine"),
    ("propdesk.clocks.services.events", "clocks_plan", "clock engine"),
    ("propdesk.clocks.services.events", "ClockPlan.write", "clock engine"),
    ("propdesk.clocks.services.events", "_running", "clock engine: running read"),
    ("propdesk.clocks.services.events", "_RunningReader.__call__", "clock engine: running read"),
    ("propdesk.policy.phones", "parse_phone", "phone parse"),
    ("propdesk.desk.services._common", "order_event_write", "event"),
    ("propdesk.desk.services._common", "_number_order", "number"),
    ("propdesk.desk.services.orders", "_tell_on_create", "announcement"),
    ("django.db.transaction", "Atomic.__enter__", "transaction"),
    ("django.db.transaction", "Atomic.__exit__", "transaction"),
    # the answer
    ("propdesk.desk.selectors", "created_work_order", "answer build"),
    ("propdesk.api.views", "_detail_context", "answer build"),
    ("propdesk.api.detail", "work_order_detail", "answer build"),
    # the console's intake
    ("propdesk.web.views.intake", "intake", "intake view"),
    ("propdesk.web.views._common", "console.<locals>.wrap.<locals>.inner", "console access"),
    ("propdesk.desk.services.contacts", "contact_log", "intake service"),
    ("django.contrib.messages.api", "add_message", "intake messages"),
    ("django.shortcuts", "redirect", "intake redirect"),
    ("django.forms.forms", "BaseForm.is_valid", "intake form"),
    ("django.forms.forms", "BaseForm.__init__", "intake form"),
    ("propdesk.web.forms", "IntakeForm.__init__", "intake form"),
    ("django.http.request", "HttpRequest._load_post_and_files", "intake multipart"),
    ("propdesk.web.views.intake", "_catalogue", "intake catalogue"),
    ("propdesk.core.once", "submit_once", "intake once"),
    ("propdesk.community.lookup", "household_lookup", "intake household lookup"),
    # logging
    ("logging", "Logger.info", "logging"),
    ("logging", "Logger.debug", "logging"),
    ("logging", "Logger.warning", "logging"),
    ("logging", "Logger.isEnabledFor", "logging"),
]


def _resolve(module: str, qualname: str) -> Any:
    import importlib
    import inspect

    try:
        obj: Any = importlib.import_module(module)
    except ImportError:
        return None
    if "<locals>" in qualname:
        return qualname  # matched by co_qualname below
    for name in qualname.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    if isinstance(obj, property):
        obj = obj.fget
    obj = inspect.unwrap(obj)
    return getattr(obj, "__code__", None)


class PartTracer:
    """sys.setprofile: calls and time charged to the innermost part on the stack."""

    def __init__(self, codes: dict[Any, str], by_qualname: dict[tuple[str, str], str]) -> None:
        self.codes = codes
        self.by_qualname = by_qualname
        self.stack: list[str] = ["outside"]
        self.frames: list[bool] = []  # per Python frame: did it push a part
        self.calls: dict[str, int] = defaultdict(int)
        self.detail: dict[tuple[str, str], int] = defaultdict(int)
        self.time: dict[str, float] = defaultdict(float)
        self.last = 0.0

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        now = time.perf_counter()
        self.time[self.stack[-1]] += now - self.last
        if event == "call":
            code = frame.f_code
            part = self.codes.get(code)
            if part is None and code.co_name == "inner":
                part = self.by_qualname.get((code.co_filename, code.co_qualname))
            if part is not None:
                self.stack.append(part)
            self.frames.append(part is not None)
            self.calls[self.stack[-1]] += 1
            self.detail[
                (self.stack[-1], f"{code.co_filename.split('/')[-1]}:{code.co_qualname}")
            ] += 1
        elif event == "return":
            if self.frames and self.frames.pop():
                self.stack.pop()
        elif event == "c_call":
            self.calls[self.stack[-1]] += 1
        self.last = time.perf_counter()


def intake_body(room: str) -> dict[str, str]:
    """A front-desk submit as a browser sends it: a phone call about a leak in ``room`` that
    opens a repair, with the form's one-time token (a new one per form drawn, core.once). Also
    bench/create_instructions.py's."""
    return {
        "channel": "phone",
        "room": room,
        "caller_phone": "13812345678",
        "caller_name": "张伟",
        "intent": "repair",
        "content": "厨房水龙头漏水，请尽快派人维修",
        "outcome": "work_order",
        "once": secrets.token_urlsafe(24),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--only", default="create,intake")
    p.add_argument("--json", type=Path)
    p.add_argument(
        "--intake-multipart",
        action="store_true",
        help="post the intake as multipart (a page without script) instead of urlencoded",
    )
    p.add_argument("--detail", type=int, default=0, help="the N most called Python functions")
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from propdesk.community.models import Household, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    community = meta["community"]
    hmin, hmax = meta["households"]
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    api = Client()
    console = Client()
    console.force_login(User.objects.get(pk=meta["reception"]))
    rooms = dict(
        Household.objects.filter(community_id=community, pk__range=(hmin, hmax)).values_list(
            "pk", "code"
        )
    )
    intake_url = f"/desk/{community}/intake/"

    # Each request's body is made and encoded before it is measured (what a client does), then
    # sent: only the send is timed and traced.
    def do_create(i: int) -> Callable[[], None]:
        body = json.dumps(
            {
                "community": community,
                "kind": "repair",
                "description": "厨房水龙头漏水，请尽快派人维修",
                "household": hmin + (i * 7919) % (hmax - hmin + 1),
            }
        )

        def send() -> None:
            r = api.post("/api/work-orders/", body, content_type="application/json", **headers)
            if r.status_code != 201:
                raise SystemExit(f"create: HTTP {r.status_code}: {r.content[:300]!r}")

        return send

    def do_intake(i: int) -> Callable[[], None]:
        body = intake_body(rooms[hmin + (i * 7919) % (hmax - hmin + 1)])
        # As a browser sends it since uploads.js: a submit with no file chosen goes urlencoded
        # (--intake-multipart: as the HTML's enctype, for a page without script).
        encoded = None if args.intake_multipart else urlencode(body)

        def send() -> None:
            if encoded is None:
                r = console.post(intake_url, body)
            else:
                r = console.post(
                    intake_url, encoded, content_type="application/x-www-form-urlencoded"
                )
            if r.status_code != 302 or r["Location"] != intake_url:
                raise SystemExit(f"intake: HTTP {r.status_code}: {r.content[:300]!r}")
            console.cookies.pop("messages", None)  # as the redirect's GET would (inprocess.py)

        return send

    todo: dict[str, Callable[[int], Callable[[], None]]] = {
        "create": do_create,
        "intake": do_intake,
    }
    if "intake" in args.only:
        call_command("collectstatic", interactive=False, verbosity=0)

    codes: dict[Any, str] = {}
    by_qualname: dict[tuple[str, str], str] = {}
    for module, qualname, part in PARTS:
        code = _resolve(module, qualname)
        if isinstance(code, str):
            import importlib

            file = importlib.import_module(module).__file__ or ""
            by_qualname[(file, qualname)] = part
        elif code is not None:
            codes[code] = part

    out: dict[str, Any] = {}
    i = 0
    for name in args.only.split(","):
        fn = todo[name]
        for _ in range(args.warmup):
            fn(i)()
            i += 1
        cpus = []
        for _ in range(args.requests):
            send = fn(i)
            c = time.process_time()
            send()
            cpus.append(time.process_time() - c)
            i += 1
        tracer = PartTracer(codes, by_qualname)
        for _ in range(args.requests):
            send = fn(i)
            tracer.last = time.perf_counter()
            sys.setprofile(tracer)
            send()
            sys.setprofile(None)
            i += 1
        cpu_ms = statistics.median(cpus) * 1000
        traced_total = sum(tracer.time.values())
        calls_total = sum(tracer.calls.values())
        rows = []
        for part in sorted(tracer.calls, key=lambda k: -tracer.time[k]):
            share = tracer.time[part] / traced_total
            rows.append(
                {
                    "part": part,
                    "calls": tracer.calls[part] / args.requests,
                    "share": share,
                    "ms": share * cpu_ms,
                }
            )
        out[name] = {"cpu_median_ms": cpu_ms, "calls": calls_total / args.requests, "parts": rows}
        print(
            f"\n{name}: CPU median {cpu_ms:.2f} ms untraced, {calls_total / args.requests:,.0f}"
            f" calls per request ({args.requests} requests)"
        )
        print(f"{'part':26} {'calls':>8} {'share':>7} {'ms':>6}")
        for r in rows:
            print(f"{r['part']:26} {r['calls']:8.0f} {r['share']:7.1%} {r['ms']:6.2f}")
        if args.detail:
            top = sorted(tracer.detail.items(), key=lambda kv: -kv[1])[: args.detail]
            for (part, fn), n in top:
                print(f"  {n / args.requests:7.1f}  {part:22} {fn}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
