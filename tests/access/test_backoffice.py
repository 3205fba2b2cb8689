"""Issue 12: the back office is scoped by community for every model; nobody grants what they do
not hold; every back-office change is an append-only event.

A staff member of 锦绣花园 is given every back-office permission (the issue's attacker): they
list, open, change and delete only 锦绣花园's rows, pick only its rows, and 滨江苑's rows are
"not found"."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.test import Client, TestCase

from propdesk.community.backoffice import (
    BackOfficeAdmin,
    SuperusersOnly,
    community_ids_of,
    community_path_of,
)
from propdesk.community.models import BackOfficeEvent, Household, Membership, Resident, User
from propdesk.core.clock import set_clock
from propdesk.followup.models import HomeVisit
from tests.access.seeded import Company, seed_company


def test_every_registered_model_is_scoped_or_for_superusers_only() -> None:
    """One mixin covers every model: propdesk's are BackOfficeAdmin with a way to their
    community; other apps' (groups, tokens, axes) are superusers only."""
    for model, model_admin in admin.site._registry.items():
        if model.__module__.startswith("propdesk."):
            assert isinstance(model_admin, BackOfficeAdmin), model
            assert community_path_of(model) is not None, model
            for inline in model_admin.inlines:
                assert community_path_of(inline.model) is not None, inline
        else:
            assert isinstance(model_admin, SuperusersOnly), model


# What the month's figures and the clocks are read from, written by the console's services only:
# the back office shows them and changes nothing, a superuser's neither (as orders and loans).
RECORDS_OF_THE_FIGURES = (
    "followup.returnvisit",  # RV-1, RV-2, RV-3, RV-6
    "followup.recovery",  # 不满意 → 已转满意 (RV-2's turned)
    "followup.suggestionitem",  # RV-5
    "followup.commonissue",  # RV-7
    "followup.notice",  # RV-7
    "followup.homevisit",  # RV-8
    "calls.call",  # FD-1
    "incidents.emergency",  # EM-1, EM-2
    "incidents.incidentreport",  # EM-3
    "desk.workorder",
    "desk.contact",
    "clocks.clock",
)


@pytest.mark.parametrize("label", RECORDS_OF_THE_FIGURES)
def test_the_records_of_the_months_figures_are_read_only_in_the_back_office(label, rf) -> None:
    """RV-1 … RV-8, FD-1, EM: a return visit changed from 不满意 to 满意, a home visit deleted
    with its RV-8 clock running on, a call taken off FD-1's count: none through the back office,
    where no timeline line is written and no clock is met. Viewed, yes."""
    from django.apps import apps

    model_admin = admin.site._registry[apps.get_model(label)]
    request = rf.get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def _url(obj: Any, view: str) -> str:
    meta = obj._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    return base if view == "changelist" else f"{base}{obj.pk}/{view}/"


def _not_found(r: Any) -> bool:
    """The admin's answer for a row it does not have (a redirect to the index), or a refusal it
    gives for every row of that kind alike (a kind only superusers delete)."""
    return (r.status_code == 302 and r["Location"] == "/admin/") or r.status_code == 403


class BackOfficeScope(TestCase):
    company: Company
    staff: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()
        # The office head of 锦绣花园 with every back-office permission there is.
        cls.staff = User.objects.get(username="jxhy-head")
        cls.staff.is_staff = True
        cls.staff.save(update_fields=["is_staff"])
        cls.staff.user_permissions.set(Permission.objects.all())
        set_clock(None)

    def setUp(self) -> None:
        self.c = Client()
        self.c.force_login(self.staff)

    def _models(self) -> list[Any]:
        return [m for m, a in admin.site._registry.items() if isinstance(a, BackOfficeAdmin)]

    def test_lists_hold_only_the_own_communitys_rows(self) -> None:
        own = self.company.own.pk
        for model in self._models():
            r = self.c.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
            assert r.status_code == 200, model
            shown = list(r.context["cl"].queryset)
            for obj in shown:
                assert own in community_ids_of(obj), (model, obj.pk)
            path = community_path_of(model)
            expected = model._default_manager.filter(**{path: own}).distinct().count()
            assert len(shown) == expected, model

    def test_another_communitys_rows_are_not_found_and_not_deleted(self) -> None:
        """Change, view and delete pages of 滨江苑's rows: the admin's "not found" (a redirect
        to the index), and a POST to delete deletes nothing."""
        own, other = self.company.own.pk, self.company.other.pk
        covered = []
        for model in self._models():
            rows = [
                o
                for o in model._default_manager.all()[:200]
                if other in community_ids_of(o) and own not in community_ids_of(o)
            ]
            if not rows:
                continue
            obj = rows[0]
            covered.append(model._meta.label)
            for view in ("change", "delete", "history"):
                r = self.c.get(_url(obj, view))
                assert _not_found(r), (model, view)
            before = model._default_manager.count()
            r = self.c.post(_url(obj, "delete"), {"post": "yes"})
            assert _not_found(r), model
            assert model._default_manager.count() == before, model
        # The cases are among them: users, return visits, home visits, emergencies.
        for label in (
            "community.User",
            "followup.ReturnVisit",
            "followup.HomeVisit",
            "incidents.Emergency",
            "community.Household",
            "desk.WorkOrder",
        ):
            assert label in covered
        assert BackOfficeEvent.objects.count() == 0

    def test_foreign_key_choices_are_the_own_communitys(self) -> None:
        page = self.c.get("/admin/community/building/add/").content.decode()
        assert self.company.own.name in page and self.company.other.name not in page
        # Posting another community's id anyway is refused and creates nothing.
        r = self.c.post(
            "/admin/community/building/add/",
            {
                "community": self.company.other.pk,
                "number": "99",
                "name": "",
                "units-TOTAL_FORMS": "0",
                "units-INITIAL_FORMS": "0",
            },
        )
        assert r.status_code == 200 and "community" in r.context["adminform"].form.errors
        assert not self.company.other.buildings.filter(number="99").exists()

    def test_a_change_is_recorded_as_an_event_of_its_community(self) -> None:
        household = Household.objects.filter(community=self.company.own).first()
        assert household is not None
        r = self.c.post(
            _url(household, "change"),
            {
                "community": household.community_id,
                "unit": household.unit_id,
                "room": household.room,
                "code": household.code,
                "area": "88.50",
                "note": "后台改",
                "residents-TOTAL_FORMS": "0",
                "residents-INITIAL_FORMS": "0",
            },
        )
        assert r.status_code == 302, r.content[:3000]
        event = BackOfficeEvent.objects.get()
        assert (event.actor_id, event.actor_name, event.community_id) == (
            self.staff.pk,
            "jxhy-head",
            self.company.own.pk,
        )
        assert (event.action, event.model, event.object_id) == (
            "change",
            "community.household",
            str(household.pk),
        )
        assert event.changes == [{"changed": {"fields": ["Floor area (m²)", "Note"]}}]
        resident = Resident.objects.filter(household__community=self.company.own).first()
        assert resident is not None
        r = self.c.post(_url(resident, "delete"), {"post": "yes"})
        assert r.status_code == 302 and not Resident.objects.filter(pk=resident.pk).exists()
        deleted = BackOfficeEvent.objects.get(action="delete")
        assert (deleted.model, deleted.object_id, deleted.community_id) == (
            "community.resident",
            str(resident.pk),
            self.company.own.pk,
        )
        # A return visit or a home visit is a month's figure and a clock's record: read only.
        visit = HomeVisit.objects.filter(community=self.company.own).get()
        assert self.c.post(_url(visit, "delete"), {"post": "yes"}).status_code == 403
        assert HomeVisit.objects.filter(pk=visit.pk).exists()
        # The list of changes is scoped too: 滨江苑's office head sees none of these.
        other_staff = User.objects.get(username="bjy-head")
        other_staff.is_staff = True
        other_staff.save(update_fields=["is_staff"])
        other_staff.user_permissions.set(Permission.objects.all())
        c = Client()
        c.force_login(other_staff)
        r = c.get("/admin/community/backofficeevent/")
        assert r.status_code == 200 and list(r.context["cl"].queryset) == []

    def test_events_are_append_only_in_the_database(self) -> None:
        resident = Resident.objects.filter(household__community=self.company.own).first()
        assert resident is not None
        self.c.post(_url(resident, "delete"), {"post": "yes"})
        event = BackOfficeEvent.objects.get()
        for sql in (
            "UPDATE community_backofficeevent SET actor_name = 'x'",
            "DELETE FROM community_backofficeevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
        with pytest.raises(PermissionError):
            BackOfficeEvent.objects.all().delete()
        event.refresh_from_db()
        assert event.actor_name == "jxhy-head"


class NobodyGrantsWhatTheyDoNotHold(TestCase):
    company: Company

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()
        for name in ("jxhy-head", "jxhy-reception1"):
            user = User.objects.get(username=name)
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.set(Permission.objects.all())
        set_clock(None)

    def _client(self, username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    def _user_form(self, user: User, memberships: list[tuple[Any, str, str]]) -> dict[str, Any]:
        """The staff page's fields a non-superuser edits, and the memberships formset."""
        data: dict[str, Any] = {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "name": user.name,
            "phone": user.phone,
            # Offered by no page of theirs; posted anyway.
            "is_superuser": "on",
            "is_staff": "on",
            "is_leadership": "on",
            "memberships-TOTAL_FORMS": str(len(memberships)),
            "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m[0])),
        }
        for i, (pk, community, role) in enumerate(memberships):
            data[f"memberships-{i}-id"] = pk or ""
            data[f"memberships-{i}-user"] = user.pk
            data[f"memberships-{i}-community"] = community
            data[f"memberships-{i}-role"] = role
        return data

    def _memberships(self, user: User) -> list[tuple[Any, str, str]]:
        return [(m.pk, m.community_id, m.role) for m in Membership.objects.filter(user=user)]

    def test_the_own_page_offers_no_superuser_and_posting_it_grants_nothing(self) -> None:
        head = self.company.user("jxhy-head")
        c = self._client("jxhy-head")
        page = c.get(f"/admin/community/user/{head.pk}/change/").content.decode()
        assert 'name="is_superuser"' not in page
        assert 'name="is_leadership"' not in page and 'name="is_staff"' not in page
        assert 'name="user_permissions"' not in page and 'name="groups"' not in page
        r = c.post(
            f"/admin/community/user/{head.pk}/change/",
            self._user_form(head, self._memberships(head)),
        )
        assert r.status_code == 302, r.content[:3000]
        head.refresh_from_db()
        assert (head.is_superuser, head.is_leadership, head.is_staff) == (False, False, True)

    def test_roles_only_where_the_giver_heads_the_office_and_never_leadership(self) -> None:
        reception = self.company.user("jxhy-reception1")
        c = self._client("jxhy-head")
        url = f"/admin/community/user/{reception.pk}/change/"
        kept = self._memberships(reception)
        for community, role in (
            (self.company.other.pk, "office_head"),  # another community
            (self.company.own.pk, "leadership"),  # what only the company gives
        ):
            r = c.post(url, self._user_form(reception, [*kept, (None, community, role)]))
            assert r.status_code == 200
            assert self._memberships(reception) == kept
        # Within the own office, the head gives a role.
        r = c.post(
            url, self._user_form(reception, [*kept, (None, self.company.own.pk, "concierge")])
        )
        assert r.status_code == 302, r.content[:3000]
        assert Membership.objects.filter(user=reception, role="concierge").exists()
        # A receptionist with every permission changes no one's roles, nor the head's password.
        head = self.company.user("jxhy-head")
        rc = self._client("jxhy-reception1")
        r = rc.post(
            f"/admin/community/user/{head.pk}/password/",
            {"password1": "Yet-another-pass-42", "password2": "Yet-another-pass-42"},
        )
        assert r.status_code == 403
        head.refresh_from_db()
        assert head.check_password("propdesk-demo")

    def test_no_password_is_set_outside_the_own_communities(self) -> None:
        other_head = self.company.user("bjy-head")
        leader = self.company.leader
        c = self._client("jxhy-head")
        for user in (other_head, leader):
            r = c.post(
                f"/admin/community/user/{user.pk}/password/",
                {"password1": "Yet-another-pass-42", "password2": "Yet-another-pass-42"},
            )
            assert r.status_code in (302, 403, 404)
            if r.status_code == 302:
                assert r["Location"] == "/admin/"
            user.refresh_from_db()
            assert user.check_password("propdesk-demo")
        assert BackOfficeEvent.objects.count() == 0
        # In the own office the head sets a password (under the policy), and it is recorded.
        reception = self.company.user("jxhy-reception1")
        r = c.post(
            f"/admin/community/user/{reception.pk}/password/",
            {"password1": "Yet-another-pass-42", "password2": "Yet-another-pass-42"},
        )
        assert r.status_code == 302
        reception.refresh_from_db()
        assert reception.check_password("Yet-another-pass-42")
        event = BackOfficeEvent.objects.get()
        assert (event.model, event.object_id, event.community_id) == (
            "community.user",
            str(reception.pk),
            self.company.own.pk,
        )

    def test_groups_tokens_and_lockouts_are_for_superusers_only(self) -> None:
        c = self._client("jxhy-head")
        for url in (
            "/admin/auth/group/",
            "/admin/authtoken/tokenproxy/",
            "/admin/axes/accessattempt/",
        ):
            assert c.get(url).status_code == 403, url
        index = c.get("/admin/").content.decode()
        assert "/admin/auth/group/" not in index
        su = Client()
        su.force_login(self.company.superuser)
        assert su.get("/admin/auth/group/").status_code == 200
