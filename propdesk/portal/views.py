"""The resident portal's pages (H5, server-rendered, 360 px first, WeChat's browser)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from propdesk.community.family import (
    FamilyRefused,
    access_owned_household,
    family_member_add,
    family_member_remove,
    households_owned,
)
from propdesk.community.models import Relation
from propdesk.core.clients import client_ip
from propdesk.core.clock import get_clock
from propdesk.policy.phones import mask_phone
from propdesk.portal import wechat
from propdesk.portal.access import resident, resident_required, sign_in, sign_out
from propdesk.portal.signin import (
    SignInRefused,
    code_send,
    code_verify,
    sign_in_record,
    wechat_bind,
    wechat_phone,
)

PENDING_KEY = "portal_pending_phone"  # the number a code was sent to, between the two steps
OPENID_KEY = "portal_openid"  # a WeChat openid waiting for its first SMS sign-in
STATE_KEY = "portal_wechat_state"


def safe_next(request: HttpRequest, value: str | None) -> str:
    """``next`` only when it is a page of the portal on this host; else the portal's home."""
    home = reverse("portal:home")
    if not value or not value.startswith("/portal/") or value.startswith(reverse("portal:logout")):
        return home
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return home
    return value


def _login_url(next_url: str) -> str:
    return f"{reverse('portal:login')}?{urlencode({'next': next_url})}"


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    phone = request.resident.phone  # type: ignore[attr-defined]
    households = list(request.resident.households().prefetch_related("residents"))  # type: ignore[attr-defined]
    rows = []
    for h in households:
        mine = [r for r in h.residents.all() if r.phone == phone]
        rows.append({"household": h, "relation": mine[0].get_relation_display() if mine else ""})
    return render(request, "portal/home.html", {"rows": rows})


def _done(request: HttpRequest, phone: str, method: str, next_url: str) -> HttpResponse:
    now = get_clock().now()
    openid = request.session.pop(OPENID_KEY, None)
    sign_in(request, phone)
    if isinstance(openid, str) and openid:
        wechat_bind(openid=openid, phone=phone, now=now)
    sign_in_record(phone=phone, client_ip=client_ip(request), method=method, now=now)
    return HttpResponseRedirect(next_url)


def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET":
        if resident(request) is not None:
            return HttpResponseRedirect(next_url)
        if request.GET.get("change"):
            request.session.pop(PENDING_KEY, None)
        if wechat.enabled(request) and not request.session.get(STATE_KEY):
            state = secrets.token_urlsafe(16)
            request.session[STATE_KEY] = state
            request.session["portal_wechat_next"] = next_url
            callback = request.build_absolute_uri(reverse("portal:wechat"))
            return HttpResponseRedirect(wechat.authorize_url(redirect_uri=callback, state=state))
    pending = request.session.get(PENDING_KEY) or ""
    context: dict[str, Any] = {"next": next_url, "phone": pending, "error": "", "status": 200}
    if request.method == "POST":
        now = get_clock().now()
        step = request.POST.get("step")
        try:
            if step == "verify" and pending:
                code_verify(phone=pending, code=request.POST.get("code", ""), now=now)
                request.session.pop(PENDING_KEY, None)
                return _done(request, pending, "sms", next_url)
            typed = request.POST.get("phone", "")
            context["phone"] = typed
            sent = code_send(phone_text=typed, client_ip=client_ip(request), now=now)
            request.session[PENDING_KEY] = sent.phone
            return HttpResponseRedirect(_login_url(next_url))
        except SignInRefused as exc:
            context["error"] = exc.message
            context["status"] = exc.status
            context["retry_after"] = exc.retry_after
            context["typed_code"] = request.POST.get("code", "")
            if step != "verify":
                # A refused send stays on the first step, with the number as typed.
                context["step"] = "phone"
    if "step" not in context:
        context["step"] = "code" if pending else "phone"
    if context["step"] == "code":
        context["masked"] = mask_phone(pending)
    response = render(request, "portal/login.html", context, status=context["status"])
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


@require_GET
def wechat_return(request: HttpRequest) -> HttpResponse:
    """WeChat's redirect after snsapi_base: exchange the code; a bound openid signs in."""
    next_url = safe_next(request, request.session.get("portal_wechat_next"))
    login_url = _login_url(next_url)
    state = request.session.get(STATE_KEY)
    code = request.GET.get("code", "")
    if not (settings.WECHAT_LOGIN and state and code and request.GET.get("state") == state):
        return HttpResponseRedirect(login_url)
    try:
        openid = wechat.openid_for_code(code)
    except wechat.WechatError:
        return HttpResponseRedirect(login_url)
    phone = wechat_phone(openid)
    if phone:
        return _done(request, phone, "wechat", next_url)
    request.session[OPENID_KEY] = openid
    return HttpResponseRedirect(login_url)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:login")


_RELATION_ORDER = {Relation.OWNER: 0, Relation.TENANT: 1, Relation.FAMILY: 2}


def _people(household: Any, phone: str, *, owner: bool) -> list[dict[str, Any]]:
    """Who is registered to ``household``, as the one signed in (``phone``) sees them: the owner
    first, then tenants and family members, each with their relation; only the owner, who keeps
    the household's list, reads the others' numbers in full (anyone else: masked, but their own).
    A family member's row can be removed by the owner."""
    residents = sorted(
        household.residents.all(), key=lambda r: (_RELATION_ORDER.get(r.relation, 9), r.pk)
    )
    return [
        {
            "pk": r.pk,
            "name": r.name,
            "relation": r.get_relation_display(),
            "phone": r.phone if owner or r.phone == phone else mask_phone(r.phone),
            "me": r.phone == phone,
            "removable": owner and r.relation == Relation.FAMILY,
        }
        for r in residents
    ]


@resident_required
def me(request: HttpRequest) -> HttpResponse:
    """我的: the number signed in, the households, their family members (the owner adds and
    removes them), sign out."""
    phone = request.resident.phone  # type: ignore[attr-defined]
    owned = households_owned(phone)
    form: dict[str, Any] = {"name": "", "phone": "", "household": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        household = access_owned_household(phone, form["household"] or 0)
        try:
            family_member_add(
                owner_phone=phone, household=household, name=form["name"], phone=form["phone"]
            )
            return redirect(reverse("portal:me") + "#family")
        except FamilyRefused as exc:
            errors, status = exc.errors, 400
    households = list(request.resident.households().prefetch_related("residents"))  # type: ignore[attr-defined]
    owned_ids = {h.pk for h in owned}
    rows = [
        {
            "household": h,
            "owner": h.pk in owned_ids,
            "people": _people(h, phone, owner=h.pk in owned_ids),
        }
        for h in households
    ]
    return render(
        request,
        "portal/me.html",
        {
            "phone": phone,
            "rows": rows,
            "owned": owned,
            "form": form,
            "errors": errors,
            "title": _("Me"),
        },
        status=status,
    )


@require_POST
@resident_required
def family_remove(request: HttpRequest, resident_id: int) -> HttpResponse:
    family_member_remove(owner_phone=request.resident.phone, resident_id=resident_id)  # type: ignore[attr-defined]
    return redirect(reverse("portal:me") + "#family")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/manifest.webmanifest", {}, content_type="application/manifest+json"
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /portal/ so that its scope is the portal."""
    body = (Path(__file__).parent / "static" / "portal" / "sw.js").read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/portal/"
    return response
