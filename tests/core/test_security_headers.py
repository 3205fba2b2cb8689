"""Every page carries a Content-Security-Policy that allows scripts from this site's own files
only (propdesk.core.headers), beside Django's X-Frame-Options, Referrer-Policy and nosniff; so no
template may hold an inline script or an on…= handler, which the policy would stop (a page that
silently stops working) — the templates are scanned, and the pages with scripts of other apps
(the back office, the API's docs) are asked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from propdesk.core.headers import ContentSecurityPolicyMiddleware

ROOT = Path(__file__).resolve().parents[2] / "propdesk"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
# What htmx compiles with Function(), which the policy forbids: a trigger's filter ([…]), hx-on,
# hx-vals/hx-vars with js:.
HTMX_EVAL = re.compile(r"hx-trigger=\"[^\"]*\[|hx-on|hx-vars|hx-vals='js:|hx-vals=\"js:")
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)


def _script_src(policy: str) -> str:
    return _directive(policy, "script-src")


def _directive(policy: str, name: str) -> str:
    return next(p.strip() for p in policy.split(";") if p.strip().startswith(name + " "))


@pytest.mark.django_db
def test_a_page_sends_the_policy_and_djangos_security_headers() -> None:
    r = Client().get("/desk/login/")
    assert r.status_code == 200
    policy = r["Content-Security-Policy"]
    assert policy == settings.CONTENT_SECURITY_POLICY
    assert _script_src(policy) == "script-src 'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert _directive(policy, "style-src") == "style-src 'self'"  # no inline <style> or style=
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_a_response_with_its_own_policy_keeps_it() -> None:
    """A stored file goes out with ``default-src 'none'; sandbox`` (core.uploads): never widened."""

    def view(request: object) -> HttpResponse:
        response = HttpResponse(b"%PDF-", content_type="application/pdf")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    r = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/api/files/attachments/1/"))
    assert r["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    """Nor an htmx attribute that needs eval: the board's poll filtered on the tab's visibility
    with [document.visibilityState …] (now console.js's htmx:confirm)."""
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {m}" for m in INLINE_SCRIPT.findall(text)]
        found += [f"{path.relative_to(ROOT)}: {m}" for m in HANDLER.findall(text)]
        found += [f"{path.relative_to(ROOT)}: {m}" for m in HTMX_EVAL.findall(text)]
    assert found == []


@pytest.mark.django_db
def test_pages_of_other_apps_run_no_inline_script(office) -> None:  # type: ignore[no-untyped-def]
    """The back office (Django's admin) and the API's docs (Swagger UI, its start-up script
    served as a file: SpectacularSwaggerSplitView) work under the policy."""
    office.head.is_staff = office.head.is_superuser = True  # every page of the back office
    office.head.save(update_fields=["is_staff", "is_superuser"])
    c = Client()
    c.force_login(office.head)
    for path in ("/admin/", "/admin/community/household/add/", "/api/docs/", "/portal/login/"):
        r = c.get(path)
        assert r.status_code == 200, path
        html = r.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], path
        assert HANDLER.findall(html) == [], path
    r = c.get("/api/docs/?script=")
    assert (r.status_code, r["Content-Type"]) == (200, "application/javascript")


def test_no_template_of_ours_has_an_inline_style() -> None:
    """The console's and the portal's pages allow styles from the site's files only: a <style>
    element or a style attribute in their templates would be refused by the browser (a page
    that silently loses its layout). The back office's templates (templates/admin/) are pages
    of Django's admin, which get inline styles (test below)."""
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        if "admin" in path.relative_to(ROOT).parts:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {m}" for m in INLINE_STYLE.findall(text)]
    assert found == []


@pytest.mark.django_db
def test_only_the_pages_of_other_apps_allow_inline_styles(office) -> None:  # type: ignore[no-untyped-def]
    """Django's admin and Swagger UI write styles inline: their paths get the policy with
    'unsafe-inline' for styles (scripts still only from files); the console's and the portal's
    do not, and their HTML holds no inline style."""
    office.head.is_staff = office.head.is_superuser = True
    office.head.save(update_fields=["is_staff", "is_superuser"])
    c = Client()
    c.force_login(office.head)
    cid = office.community.pk
    for path in (f"/desk/{cid}/board/", f"/desk/{cid}/report/", "/portal/login/"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert _directive(r["Content-Security-Policy"], "style-src") == "style-src 'self'", path
        assert INLINE_STYLE.findall(r.content.decode()) == [], path
    for path in ("/admin/", "/api/docs/"):
        policy = c.get(path)["Content-Security-Policy"]
        assert policy == settings.CONTENT_SECURITY_POLICY_INLINE_STYLES, path
        assert _directive(policy, "style-src") == "style-src 'self' 'unsafe-inline'"
        assert _script_src(policy) == "script-src 'self'"
