"""The back office attacked over HTTP (test_backoffice.py reads it model by model): the office
head of 锦绣花园, a staff member with every back-office permission there is, asks for 滨江苑's
rows through every door Django's admin has besides the list and the change page:

- the autocomplete endpoint (``/admin/autocomplete/``), for every relation of every model that
  points at a model the back office searches (Django serves it for any such field, offered on a
  page or not), with no term and with each of 滨江苑's own words;
- every model's history, change (GET and POST), delete (GET and POST) pages and the "view on
  site" redirect (``/admin/r/<content type>/<id>/``) for a row of 滨江苑's;
- every list's filters (the choices in its sidebar, a filter naming 滨江苑, its facets) and its
  search for 滨江苑's words, and the bulk delete action with 滨江苑's ids;
- the household register's import, export and the rule preview, for 滨江苑.

Each is refused or empty, and nothing is written."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ForeignKey, ManyToManyField, Model, OneToOneField
from django.test import Client, TestCase

from propdesk.community.backoffice import (
    BackOfficeAdmin,
    choices_for,
    community_ids_of,
    community_path_of,
)
from propdesk.community.models import BackOfficeEvent, Community, Membership, User
from propdesk.core.clock import set_clock
from propdesk.policy.workflow import Role
from tests.access.seeded import Company, seed_company
from tests.writes import watching_writes


def _refused(r: Any) -> bool:
    """The admin's "not found" (a redirect to its index, or a 404) or a refusal (403)."""
    return (r.status_code == 302 and r["Location"] == "/admin/") or r.status_code in (403, 404)


def _url(obj: Model, view: str) -> str:
    meta = obj._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    return base if view == "changelist" else f"{base}{obj.pk}/{view}/"


class BackOfficeDoors(TestCase):
    company: Company
    staff: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()
        cls.staff = User.objects.get(username="jxhy-head")
        assert cls.staff.is_staff  # the seed gives the back office to office heads
        cls.staff.user_permissions.set(Permission.objects.all())
        # A receptionist of 锦绣花园 who also keeps 滨江苑's concierge desk: the back office of
        # 锦绣花园 shows them (they work there), and nothing of their work at 滨江苑.
        shared = User.objects.get(username="jxhy-reception2")
        Membership.objects.create(user=shared, community=cls.company.other, role=Role.CONCIERGE)
        set_clock(None)

    def setUp(self) -> None:
        self.c = Client()
        self.c.force_login(self.staff)
        self.own, self.other = self.company.own.pk, self.company.other.pk

    def _theirs(self, model: type[Model]) -> list[Model]:
        """Rows of 滨江苑's and not of 锦绣花园's."""
        return [
            o
            for o in model._default_manager.all()[:300]
            if self.other in community_ids_of(o) and self.own not in community_ids_of(o)
        ]

    def _mine(self, model: type[Model], pks: list[Any]) -> list[Any]:
        """Of ``pks``, those that are not the staff member's to see."""
        seen = choices_for(model, self.staff)
        if seen is None:
            return []
        visible = set(seen.filter(pk__in=pks).values_list("pk", flat=True))
        return [pk for pk in pks if pk not in visible and str(pk) not in map(str, visible)]

    def _admins(self) -> list[tuple[type[Model], Any]]:
        return [(m, a) for m, a in admin.site._registry.items() if isinstance(a, BackOfficeAdmin)]

    def test_autocomplete_offers_no_row_of_another_community(self) -> None:
        asked, leaks = 0, []
        words = {str(o) for o in Community.objects.filter(pk=self.other)}
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, (ForeignKey, OneToOneField, ManyToManyField)):
                    continue
                remote = field.remote_field.model
                target = admin.site._registry.get(remote)
                if target is None or not isinstance(target, BackOfficeAdmin):
                    continue
                if not target.search_fields:
                    continue
                theirs = [str(o)[:20] for o in self._theirs(remote)[:3]]
                for term in ["", *theirs, *words]:
                    r = self.c.get(
                        "/admin/autocomplete/",
                        {
                            "app_label": model._meta.app_label,
                            "model_name": model._meta.model_name,
                            "field_name": field.name,
                            "term": term,
                        },
                    )
                    asked += 1
                    if r.status_code != 200:
                        assert r.status_code in (403, 404), (model, field.name, r.status_code)
                        continue
                    ids = [row["id"] for row in r.json()["results"]]
                    hidden = self._mine(remote, ids)
                    if hidden:
                        leaks.append(f"{model._meta.label}.{field.name} {term!r}: {hidden}")
        assert asked > 50
        assert not leaks, "\n".join(leaks)

    def test_every_models_pages_of_another_communitys_row_are_not_found(self) -> None:
        covered, leaks = [], []
        for model, _admin in self._admins():
            rows = self._theirs(model)
            if not rows:
                continue
            obj = rows[0]
            covered.append(model._meta.label)
            ct = ContentType.objects.get_for_model(model)
            for method, url, data in (
                ("get", _url(obj, "change"), None),
                ("get", _url(obj, "history"), None),
                ("get", _url(obj, "delete"), None),
                ("post", _url(obj, "delete"), {"post": "yes"}),
                ("post", _url(obj, "change"), {"_save": "1"}),
                ("get", f"/admin/r/{ct.pk}/{obj.pk}/", None),
            ):
                before = model._default_manager.filter(pk=obj.pk).values().first()
                with transaction.atomic(), watching_writes() as writes:
                    r = getattr(self.c, method)(url, data or {})
                    transaction.set_rollback(True)
                after = model._default_manager.filter(pk=obj.pk).values().first()
                if not _refused(r) or writes.statements or before != after:
                    leaks.append(f"{method.upper()} {url}: {r.status_code} {writes.statements}")
        assert {"community.User", "desk.WorkOrder", "followup.ReturnVisit"} <= set(covered)
        assert not leaks, "\n".join(leaks)
        assert BackOfficeEvent.objects.count() == 0

    def test_list_filters_search_facets_and_bulk_actions_show_and_touch_only_the_own(self) -> None:
        leaks = []
        for model, _admin in self._admins():
            base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            path = community_path_of(model)
            theirs = self._theirs(model)
            asks: list[dict[str, str]] = [{"_facets": "1"}]
            if path:
                asks.append({path.removesuffix("_id") + "__id__exact": str(self.other)})
            if model is User:  # who of 锦绣花园's staff also works at 滨江苑: not theirs to know
                asks.append({"memberships__community__id__exact": str(self.other)})
            for obj in theirs[:2]:
                asks.append({"q": str(obj)[:30]})
            everything = self.c.get(base)
            assert everything.status_code == 200, base
            baseline = {o.pk for o in everything.context["cl"].result_list}
            for params in asks:
                r = self.c.get(base, params)
                if r.status_code != 200:
                    continue  # a lookup the list does not take: refused (400 or the index)
                shown = list(r.context["cl"].result_list)
                hidden = [o.pk for o in shown if self.own not in community_ids_of(o)]
                if hidden:
                    leaks.append(f"{base} {params}: rows {hidden}")
                if "memberships__community__id__exact" in params and {o.pk for o in shown} not in (
                    set(),
                    baseline,
                ):
                    leaks.append(f"{base} {params}: staff of 滨江苑 named {shown}")
                for spec in r.context["cl"].filter_specs:
                    field = getattr(spec, "field", None)
                    choices = getattr(spec, "lookup_choices", None)
                    if field is None or not field.is_relation or not choices:
                        continue
                    not_mine = self._mine(field.related_model, [pk for pk, _label in choices])
                    if not_mine:
                        leaks.append(f"{base} filter {spec.field_path}: {not_mine}")
            if theirs:
                before = model._default_manager.count()
                with transaction.atomic(), watching_writes() as writes:
                    self.c.post(
                        base,
                        {
                            "action": "delete_selected",
                            "_selected_action": [str(o.pk) for o in theirs[:3]],
                            "post": "yes",
                        },
                    )
                    transaction.set_rollback(True)
                if writes.statements or model._default_manager.count() != before:
                    leaks.append(f"{base} delete_selected: {writes.statements}")
        assert not leaks, "\n".join(leaks)

    def test_register_tools_and_the_rule_preview_refuse_another_community(self) -> None:
        r = self.c.get("/admin/community/household/export/", {"community": self.other})
        assert r.status_code == 200 and "attachment" not in r.get("Content-Disposition", "")
        assert "community" in r.context["form"].errors
        csv = "房号,姓名,关系,电话\n9-9-999,黑客,业主,13900000000\n".encode()
        with watching_writes() as writes:
            r = self.c.post(
                "/admin/community/household/import/",
                {"community": self.other, "file": SimpleUploadedFile("r.csv", csv, "text/csv")},
            )
        assert r.status_code == 200 and "community" in r.context["form"].errors
        assert writes.statements == []
        with watching_writes() as writes:
            r = self.c.post(f"/admin/community/community/{self.other}/preview/", {"policy": "{}"})
        assert r.status_code == 404 and writes.statements == []
